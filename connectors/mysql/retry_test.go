package mysql

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
)

const password = "S3cret-Passw0rd"

// TestRetryClosedPort points a source at a port nothing listens on: Open and
// Check try 1 + retries times, waiting retry_wait, then twice as long; the
// error says so, names the server and wraps the refusal, and neither the
// error nor the log shows the password.
func TestRetryClosedPort(t *testing.T) {
	port := sqltest.ClosedPort(t)
	dsns := map[string]string{
		"driver form": "kho:" + password + "@tcp(127.0.0.1:" + port + ")/nong_nghiep",
		"url":         "mysql://kho:" + password + "@127.0.0.1:" + port + "/nong_nghiep",
	}
	for form, dsn := range dsns {
		for _, op := range []string{"open", "check"} {
			t.Run(form+" "+op, func(t *testing.T) {
				var logs sqltest.Logs
				cfg := NewConfig()
				cfg.DSN, cfg.Table, cfg.Retries, cfg.RetryWait = sqlsource.Secret(dsn), "chan_nuoi", 2, "20ms"
				require.NoError(t, cfg.Validate())
				env := connectors.Env{Logger: logs.Logger()}
				start := time.Now()
				var err error
				if op == "open" {
					_, err = cfg.Open(t.Context(), env)
				} else {
					err = cfg.Check(t.Context(), env)
				}
				require.Error(t, err)
				assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond, "waits of 20ms then 40ms")
				assert.ErrorIs(t, err, syscall.ECONNREFUSED)
				assert.Contains(t, err.Error(), "gave up after 3 tries")
				assert.Contains(t, err.Error(), "mysql://127.0.0.1:"+port+"/nong_nghiep")
				assert.NotContains(t, err.Error(), password)
				assert.Equal(t, 2, logs.Count("connection failed, retrying"), strings.Join(logs.Lines(), "\n"))
				for _, line := range logs.Lines() {
					assert.NotContains(t, line, password)
				}
				t.Log(err)
			})
		}
	}
}

// TestRetryCancelled stops the waiting between tries when the context ends.
func TestRetryCancelled(t *testing.T) {
	cfg := NewConfig()
	cfg.DSN = sqlsource.Secret("kho@tcp(127.0.0.1:" + sqltest.ClosedPort(t) + ")/nong_nghiep")
	cfg.Table, cfg.Retries, cfg.RetryWait = "t", 5, "10s"
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := cfg.Open(ctx, connectors.Env{})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

// TestIntegrationNoRetry: what the server refuses for a reason that will not
// pass — a bad password, a missing database or table, a bad query — is
// reported at once, without retries, and without the password.
func TestIntegrationNoRetry(t *testing.T) {
	dsn, db := testDB(t)
	cfg, err := mysql.ParseDSN(dsn)
	require.NoError(t, err)
	user := sqltest.RandomName("kho_doc")
	run(t, db, "CREATE USER '"+user+"'@'%' IDENTIFIED BY '"+password+"'")
	t.Cleanup(func() { _, _ = db.ExecContext(context.Background(), "DROP USER '"+user+"'@'%'") })
	wrong := cfg.Clone()
	wrong.User, wrong.Passwd = user, password+"-sai"
	missingDB := cfg.Clone()
	missingDB.DBName = sqltest.RandomName("khong_co")
	tests := []struct {
		name  string
		dsn   string
		table string
		query string
		want  string
	}{
		{name: "bad password", dsn: wrong.FormatDSN(), table: "t", want: "Access denied"},
		{name: "missing database", dsn: missingDB.FormatDSN(), table: "t", want: "Unknown database"},
		{name: "missing table", dsn: dsn, table: "khong_co", want: "source.table: reading khong_co: Error 1146"},
		{name: "bad query", dsn: dsn, query: "SELEC 1", want: "source.query: Error 1064"},
		{name: "missing incremental column", dsn: dsn, query: "SELECT 1 AS a", want: `source.incremental.column: no column "cap_nhat"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs sqltest.Logs
			c := NewConfig()
			c.DSN, c.Table, c.Query, c.RetryWait = sqlsource.Secret(tt.dsn), tt.table, tt.query, "10ms"
			c.Incremental = &sqlsource.Incremental{Column: "cap_nhat"}
			err := c.Check(t.Context(), connectors.Env{Logger: logs.Logger()})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), password)
			assert.Zero(t, logs.Count("retrying"))
		})
	}
}
