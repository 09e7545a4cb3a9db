package mysql

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
)

// testDB creates a database with a random name on the test server and
// returns its DSN and a pool on it (multi-statements allowed, for seeding);
// both go at the end of the test.
func testDB(t *testing.T) (string, *sql.DB) {
	t.Helper()
	server := sqltest.ServerDSN(t, "KHO_TEST_MYSQL_DSN")
	cfg, err := mysql.ParseDSN(server)
	require.NoError(t, err, "KHO_TEST_MYSQL_DSN must be a go-sql-driver DSN")
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	name := sqltest.RandomName("kho_test")
	_, err = admin.ExecContext(t.Context(), "CREATE DATABASE "+quote(name)+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	require.NoError(t, err, "creating a test database on KHO_TEST_MYSQL_DSN")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quote(name))
		admin.Close()
	})
	cfg.DBName = name
	dsn := cfg.FormatDSN()
	seed := cfg.Clone()
	seed.MultiStatements = true
	db, err := sql.Open("mysql", seed.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return dsn, db
}

// run executes SQL on the test database.
func run(t *testing.T, db *sql.DB, sql string, args ...any) {
	t.Helper()
	_, err := db.ExecContext(t.Context(), sql, args...)
	require.NoError(t, err, sql)
}
