package mysql

import (
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors/internal/sqlsource"
	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
)

// TestIntegrationIncremental runs the incremental scenario of sqltest on a
// DATETIME(6) column (Vietnam's wall clock): the first run reads one snapshot
// (no change committed during it), the second exactly the rows above
// W − lag — with them every change, including the one committed during the
// first run below W — and a lag of 0 shows why the lag is needed.
func TestIntegrationIncremental(t *testing.T) {
	dsn, db := testDB(t)
	sqltest.Incremental{
		Type:   "mysql",
		DSN:    dsn,
		Create: "CREATE TABLE luot_kham (id bigint PRIMARY KEY, ten varchar(100) NOT NULL, cap_nhat datetime(6) NULL) ENGINE=InnoDB",
		Stamp:  func(local string) string { return "'" + local + "'" },
		Watermark: func(local string) string {
			return sqltest.UTC(sqlsource.Local, "2006-01-02 15:04:05", local).In(sqlsource.Local).Format(time.RFC3339)
		},
		Exec:  func(t *testing.T, q string) { run(t, db, q) },
		Query: func(t *testing.T, q string) [][]string { return query(t, db, q) },
	}.Run(t)
}

// query returns the rows of a query as text.
func query(t *testing.T, db *sql.DB, q string) [][]string {
	rows, err := db.QueryContext(t.Context(), q)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	require.NoError(t, rows.Err())
	return out
}
