// Package api is Kho's HTTP API over server/engine:
//
//	POST /api/query                      SQL; JSON (streamed array), CSV, Parquet or Arrow IPC stream
//	GET  /api/datasets                   the tables the caller may read
//	GET  /api/datasets/{name}            one table: labels, columns, classification, owner, freshness, rows
//	GET  /api/datasets/{name}/download   the whole table, masked as the caller sees it
//	GET  /api/marts/{name}?col=value…    a mart, filtered on its columns (values bound as parameters)
//
// Results are streamed as they are read, never buffered whole; the row count
// and whether the row limit cut the result come as HTTP trailers
// (X-Kho-Rows, X-Kho-Truncated). An error after the first byte aborts the
// response, so that a cut result never looks complete.
//
// Errors are JSON {"error": {...}} with the status: 400 bad SQL or request
// (DuckDB's message), 401 no or bad token, 403 a sandbox refusal (with its
// reason), 404 unknown or unreadable table, 504 the time limit, 503 the
// memory limit. The package writes no HTML.
package api
