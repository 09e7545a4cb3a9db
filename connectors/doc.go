// Package connectors defines how Kho reads its sources: a registry of connector
// kinds, each with a typed configuration decoded from a pipeline's `source:`
// block, that opens a Source streaming Arrow record batches in bounded memory.
//
// Connector kinds live in sub-folders (connectors/csv, connectors/sqlite, ...),
// each registering itself in Default from an init function; connectors/all
// imports every kind. Nothing outside a connector's folder switches on its name.
package connectors
