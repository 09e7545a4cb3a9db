package postgres

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
)

// testDB creates a database with a random name on the test server and
// returns its DSN and a connection to it; both go at the end of the test.
func testDB(t *testing.T) (string, *pgconn.PgConn) {
	t.Helper()
	server := sqltest.ServerDSN(t, "KHO_TEST_PG_DSN")
	ctx := t.Context()
	admin, err := pgconn.Connect(ctx, server)
	require.NoError(t, err, "connecting to KHO_TEST_PG_DSN")
	name := sqltest.RandomName("kho_test")
	require.NoError(t, exec(ctx, admin, "CREATE DATABASE "+quote(name)))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = exec(ctx, admin, "DROP DATABASE IF EXISTS "+quote(name)+" WITH (FORCE)")
		_ = admin.Close(ctx)
	})
	u, err := url.Parse(server)
	require.NoError(t, err, "KHO_TEST_PG_DSN must be a postgres:// URL")
	u.Path = "/" + name
	dsn := u.String()
	conn, err := pgconn.Connect(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { closeConn(conn) })
	return dsn, conn
}

// run executes SQL on the test connection.
func run(t *testing.T, conn *pgconn.PgConn, sql string) {
	t.Helper()
	require.NoError(t, exec(t.Context(), conn, sql), sql)
}
