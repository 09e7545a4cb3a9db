package postgres

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors/internal/sqlsource"
	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
)

// TestIntegrationIncremental runs the incremental scenario of sqltest on a
// timestamptz column: the first run reads one snapshot (no change committed
// during it), the second exactly the rows above W − lag — with them every
// change, including the one committed during the first run below W — and a
// lag of 0 shows why the lag is needed.
func TestIntegrationIncremental(t *testing.T) {
	dsn, conn := testDB(t)
	sqltest.Incremental{
		Type:   "postgres",
		DSN:    dsn,
		Create: "CREATE TABLE luot_kham (id bigint PRIMARY KEY, ten text NOT NULL, cap_nhat timestamptz)",
		Stamp:  func(local string) string { return "timestamptz '" + local + "+07'" },
		Watermark: func(local string) string {
			return sqltest.UTC(sqlsource.Local, "2006-01-02 15:04:05", local).Format(time.RFC3339)
		},
		Exec: func(t *testing.T, sql string) { run(t, conn, sql) },
		Query: func(t *testing.T, sql string) [][]string {
			res := conn.ExecParams(t.Context(), sql, nil, nil, nil, nil).Read()
			require.NoError(t, res.Err)
			var out [][]string
			for _, r := range res.Rows {
				row := make([]string, len(r))
				for i, v := range r {
					row[i] = string(v)
				}
				out = append(out, row)
			}
			return out
		},
	}.Run(t)
}
