// Package query runs SQL over the lake with DuckDB: every Iceberg table is a
// view over the Parquet files of its current snapshot, in a schema named after
// its namespace (health.visits, marts.dossier_kpi_monthly), refreshed when the
// table's snapshot changes.
package query
