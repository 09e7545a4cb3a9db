package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
)

// TestIntegrationRounds replicates PostgreSQL tables keyed by integer,
// bigint, uuid and (text, date) through ten rounds of random inserts,
// updates, hard and soft deletes: after each the lake equals the source.
func TestIntegrationRounds(t *testing.T) {
	t.Run("keys_in_memory", func(t *testing.T) { pgRounds(t, 0) })
	// A bound of 3 keys: every merge spills its keys and runs in passes.
	t.Run("keys_spilled", func(t *testing.T) { pgRounds(t, 3) })
}

func pgRounds(t *testing.T, bound int) {
	dsn, conn := testDB(t)
	sqltest.Rounds{
		MergeKeyBound: bound,
		Type:          "postgres",
		DSN:           dsn,
		Create: map[string]string{
			"int":       "CREATE TABLE ban (id integer PRIMARY KEY, v text, is_deleted boolean NOT NULL)",
			"bigint":    "CREATE TABLE ban (id bigint PRIMARY KEY, v text, is_deleted boolean NOT NULL)",
			"uuid":      "CREATE TABLE ban (id uuid PRIMARY KEY, v text, is_deleted boolean NOT NULL)",
			"composite": "CREATE TABLE ban (code text, day date, v text, is_deleted boolean NOT NULL, PRIMARY KEY (code, day))",
		},
		UUID:  func(s string) string { return "'" + s + "'::uuid" },
		True:  "true",
		False: "false",
		Exec:  func(t *testing.T, sql string) { run(t, conn, sql) },
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
