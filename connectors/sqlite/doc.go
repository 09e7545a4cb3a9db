// Package sqlite is the Kho connector for SQLite database files (source type
// "sqlite"): it streams a table, a view or a read-only query as Arrow record
// batches with typed columns, opened read-only with the pure-Go driver
// modernc.org/sqlite.
//
// Column types come from the declared types by SQLite's affinity rules (see
// TYPES.md). SQLite is dynamically typed, so a stored value that does not fit
// its column's Arrow type (text 'abc' in an INTEGER column) does not fail the
// run and is not nulled in silence: the row is marked bad in _kho_error, naming
// the column and the value, and the conform step quarantines it.
//
// With `incremental`, only rows whose column is above the stored watermark
// (minus an optional lag) are read, and the source reports the highest value
// seen through Watermark.
package sqlite
