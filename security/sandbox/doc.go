// Package sandbox decides whether a user's SQL may run: it parses the text
// with DuckDB's own parser (json_serialize_sql, which serialises SELECT
// statements only) and walks the whole tree. One SELECT statement only; every
// table reference must be a view the caller may read, a CTE in scope, or (in
// catalog queries) an allowed pg_catalog / information_schema relation; no
// table functions but range, generate_series and unnest; every function must
// be on the allow-list of functions.txt (catalog_functions.txt in catalog
// queries); no time travel, no catalog-qualified names.
//
// The walk is fail-closed: a node type, expression class or function it does
// not know is refused. It is the first of two layers; the second is DuckDB's
// own configuration of the serving databases (enable_external_access=false,
// allowed_directories, lock_configuration), set up by server/engine.
package sandbox
