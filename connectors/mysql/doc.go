// Package mysql is the Kho connector for MariaDB and MySQL databases (source
// type "mysql"). It streams a table or a read-only query as Arrow record
// batches with typed columns, through go-sql-driver/mysql.
//
// The source opens a REPEATABLE READ, READ ONLY transaction WITH CONSISTENT
// SNAPSHOT (InnoDB), prepares the statement on the server (the binary
// protocol, for every run alike) and reads the rows as the server sends them:
// the driver does not buffer a result set, so memory holds at most one batch
// whatever the table's size.
//
// Column types map to Arrow as TYPES.md says; DECIMAL is read exactly, dates
// and times are parsed by the source (the driver's parseTime is off, so that
// zero and invalid dates are seen, not silently normalised), DATETIME as a
// wall clock in Asia/Ho_Chi_Minh and TIMESTAMP as an instant (the session's
// time_zone is UTC). A value that does not fit its column is marked in
// _kho_error and quarantined by the conform step.
//
// With `incremental`, rows with column > watermark − lag are read, and the
// source reports the highest value seen through Watermark. The DSN is a
// secret: errors and logs never show its password. Connection failures are
// retried with exponential backoff; SQL errors are not.
package mysql
