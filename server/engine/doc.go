// Package engine runs users' SQL over the lake safely. It is what the HTTP
// API, the PostgreSQL wire server and the pages built on them call; nothing
// else of the server touches DuckDB.
//
// Two serving DuckDB databases hold a view per lake table, in a schema named
// after its namespace (health.visits): in one the columns tagged as personal
// data are masked (security/mask), in the other they are not (tokens with the
// PII grant). Neither holds anything else. Their configuration is locked
// after setup: no external access but the lake's folders
// (enable_external_access=false, allowed_directories), a memory limit, no
// extension loading. Every statement first passes the sandbox
// (security/sandbox) with the caller's policy (security/auth), runs with a
// time limit and a row limit, is cancelled when the caller goes away, and is
// written to the audit log (security/audit) whatever its outcome.
//
// Statements that read no data view (catalog queries of psql, DBeaver,
// Metabase: pg_catalog, information_schema, version()) run on a catalog
// database of the caller's profile: empty tables with the columns of the
// views the caller may read, and nothing else.
package engine
