// Package warehouse groups the lake (Iceberg tables and their catalog), the
// DuckDB query engine over the lake's current snapshots, and the marts built
// from sql/marts.
package warehouse
