// Package lake keeps the province's Iceberg tables: a SQL catalog (a SQLite
// file by default) and Parquet data files under one root folder. Every write
// is one atomic Iceberg commit whose snapshot summary carries the run id, the
// pipeline, the counts and the source's incremental state, so data and state
// can never disagree.
package lake
