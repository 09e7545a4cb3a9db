// Package postgres is the Kho connector for PostgreSQL databases (source type
// "postgres"), the sector systems most departments run. It streams a table or
// a read-only query as Arrow record batches with typed columns, through
// jackc/pgx's wire-protocol layer (pgconn).
//
// The rows come from a binary COPY: the source opens a read-only REPEATABLE
// READ transaction, starts COPY (SELECT …) TO STDOUT (FORMAT binary) and
// decodes batch_rows rows at a time straight into Arrow builders, so memory
// holds at most one batch whatever the table's size, and every batch comes
// from the same snapshot, taken when the source opens.
//
// Column types map to Arrow as TYPES.md says; numbers, booleans, dates,
// times and bytes travel in their binary form, the other types as the text
// their output function writes; both are read exactly (numeric to decimal128
// without rounding, timestamps to the microsecond). The same statement
// through a cursor on the text protocol (textCursor) is the reference the
// tests compare the COPY with, value by value. A value that does not fit its column (NaN in
// numeric(10,2), infinity in a date) does not fail the run: the row is marked
// in _kho_error and quarantined by the conform step.
//
// With `incremental`, rows with column > watermark − lag are read, and the
// source reports the highest value seen through Watermark. The DSN is a
// secret: errors and logs never show its password. Connection failures are
// retried with exponential backoff; SQL errors are not.
package postgres
