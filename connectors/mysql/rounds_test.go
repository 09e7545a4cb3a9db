package mysql

import (
	"testing"

	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
)

// TestIntegrationRounds replicates MariaDB tables keyed by integer, bigint,
// uuid and (text, date) through ten rounds of random inserts, updates, hard
// and soft deletes: after each the lake equals the source; with the merge's
// keys in memory and spilled past a bound of 3 keys (every merge in passes).
func TestIntegrationRounds(t *testing.T) {
	t.Run("keys_in_memory", func(t *testing.T) { mysqlRounds(t, 0) })
	t.Run("keys_spilled", func(t *testing.T) { mysqlRounds(t, 3) })
}

func mysqlRounds(t *testing.T, bound int) {
	dsn, db := testDB(t)
	sqltest.Rounds{
		MergeKeyBound: bound,
		Type:          "mysql",
		DSN:           dsn,
		Create: map[string]string{
			"int":       "CREATE TABLE ban (id int PRIMARY KEY, v varchar(50), is_deleted boolean NOT NULL) ENGINE=InnoDB",
			"bigint":    "CREATE TABLE ban (id bigint PRIMARY KEY, v varchar(50), is_deleted boolean NOT NULL) ENGINE=InnoDB",
			"uuid":      "CREATE TABLE ban (id uuid PRIMARY KEY, v varchar(50), is_deleted boolean NOT NULL) ENGINE=InnoDB",
			"composite": "CREATE TABLE ban (code varchar(20), day date, v varchar(50), is_deleted boolean NOT NULL, PRIMARY KEY (code, day)) ENGINE=InnoDB",
		},
		UUID:  func(s string) string { return "'" + s + "'" },
		True:  "1",
		False: "0",
		Exec:  func(t *testing.T, q string) { run(t, db, q) },
		Query: func(t *testing.T, q string) [][]string { return query(t, db, q) },
	}.Run(t)
}
