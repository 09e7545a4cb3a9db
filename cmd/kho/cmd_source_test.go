package main

import (
	"bytes"
	"database/sql"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runKho runs the CLI in-process and returns what it printed and its error.
func runKho(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root := newRoot()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(t.Context())
	return out.String(), err
}

func TestSourceList(t *testing.T) {
	out, err := runKho(t, "source", "list")
	require.NoError(t, err)
	for _, kind := range []string{"postgres", "mysql", "sqlite", "csv", "excel", "dvcqg"} {
		assert.Contains(t, out, kind)
	}
}

// TestSourceTest tests the sources of a folder of pipelines: a SQLite file
// (its connector's Check), a CSV drop (opened and closed), a missing file,
// and a PostgreSQL server that is not there — whose password is not printed.
func TestSourceTest(t *testing.T) {
	dir := t.TempDir()
	pdir := filepath.Join(dir, "pipelines")
	require.NoError(t, os.MkdirAll(pdir, 0o755))
	db, err := sql.Open("sqlite", filepath.Join(dir, "yte.db"))
	require.NoError(t, err)
	_, err = db.ExecContext(t.Context(), "CREATE TABLE luot_kham (ma text, ngay text)")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "drop.csv"), []byte("ma,ten\n1,Sơn La\n"), 0o644))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	pipes := map[string]string{
		"sqlite_ok":     "source: {type: sqlite, path: yte.db, table: luot_kham}",
		"sqlite_table":  "source: {type: sqlite, path: yte.db, table: khong_co}",
		"csv_ok":        "source: {type: csv, path: drop.csv}",
		"postgres_down": "source: {type: postgres, dsn: \"postgres://kho:Mat-Khau-9@127.0.0.1:" + strconv.Itoa(closed) + "/yte\", table: t, retries: 1, retry_wait: 10ms}",
	}
	for name, src := range pipes {
		text := "name: " + name + "\n" + src + "\ntarget: {dataset: health.visits, mode: append}\n"
		require.NoError(t, os.WriteFile(filepath.Join(pdir, name+".yaml"), []byte(text), 0o644))
	}
	config := filepath.Join(dir, "kho.yaml")
	require.NoError(t, os.WriteFile(config, []byte("pipelines_dir: pipelines\ndata_dir: data\nlog: {level: error}\n"), 0o644))

	tests := []struct {
		name     string
		args     []string
		want     []string
		fails    bool
		badUsage bool
	}{
		{name: "connection test", args: []string{"sqlite_ok"}, want: []string{"ok   sqlite_ok", "connection test passed"}},
		{name: "opened", args: []string{"csv_ok"}, want: []string{"ok   csv_ok", "opened, 2 columns"}},
		{name: "missing table", args: []string{"sqlite_ok", "sqlite_table"}, fails: true,
			want: []string{"ok   sqlite_ok", "FAIL sqlite_table", `no table or view "khong_co"`}},
		{name: "server down", args: []string{"postgres_down"}, fails: true,
			want: []string{"FAIL postgres_down", "gave up after 2 tries", "connection refused"}},
		{name: "unknown pipeline", args: []string{"khong_co"}, fails: true, badUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runKho(t, append([]string{"--config", config, "source", "test"}, tt.args...)...)
			if tt.fails {
				require.Error(t, err)
				var ue usageError
				assert.Equal(t, tt.badUsage, errors.As(err, &ue), "exit code 2 only for an unknown pipeline")
			} else {
				require.NoError(t, err, out)
			}
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			assert.NotContains(t, out, "Mat-Khau-9")
			if err != nil {
				assert.NotContains(t, err.Error(), "Mat-Khau-9")
			}
		})
	}
}
