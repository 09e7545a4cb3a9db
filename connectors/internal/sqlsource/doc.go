// Package sqlsource holds what the database connectors of Kho (postgres,
// mysql) share: identifier checks, the DSN secret and error redaction,
// connection retries with backoff, the column kinds and their exact parsing
// from the wire, the batch builder with provenance columns, and incremental
// watermarks with a lag window.
//
// Each connector keeps its own dialect: quoting, type mapping, the streaming
// statement and the connection. Written here rather than taken from a
// library because no maintained Go library maps database rows to Arrow with
// these rules (exact decimals, naive times in Asia/Ho_Chi_Minh, bad values
// marked per row instead of failing the run).
package sqlsource
