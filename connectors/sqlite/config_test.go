package sqlite

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none when valid
	}{
		{name: "table", cfg: Config{Path: "a.db", Table: "luot_kham"}},
		{name: "schema table", cfg: Config{Path: "a.db", Table: "main.luot_kham"}},
		{name: "query", cfg: Config{Path: "a.db", Query: "SELECT 1"}},
		{name: "incremental with lag", cfg: Config{Path: "a.db", Table: "t", Incremental: &Incremental{Column: "cap_nhat_luc", Lag: "10m"}}},
		{name: "nothing", cfg: Config{}, want: []string{"source.path: give the database file", "source.table: give table or query"}},
		{name: "both", cfg: Config{Path: "a.db", Table: "t", Query: "SELECT 1"}, want: []string{"source.table: give table or query, not both"}},
		{name: "injection in table", cfg: Config{Path: "a.db", Table: `t"; DROP TABLE t; --`}, want: []string{"source.table:"}},
		{name: "bad schema", cfg: Config{Path: "a.db", Table: "1x.t"}, want: []string{"source.table: schema:"}},
		{name: "incremental without column", cfg: Config{Path: "a.db", Table: "t", Incremental: &Incremental{}}, want: []string{"source.incremental.column: give"}},
		{name: "bad lag", cfg: Config{Path: "a.db", Table: "t", Incremental: &Incremental{Column: "c", Lag: "ten minutes"}}, want: []string{"source.incremental.lag:"}},
		{name: "negative lag", cfg: Config{Path: "a.db", Table: "t", Incremental: &Incremental{Column: "c", Lag: "-1h"}}, want: []string{"source.incremental.lag: \"-1h\" is negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestRegistered(t *testing.T) {
	spec, ok := connectors.Default.Lookup("sqlite")
	require.True(t, ok)
	_, isConfig := spec.NewConfig().(*Config)
	assert.True(t, isConfig)
}

func TestCheck(t *testing.T) {
	base := t.TempDir()
	// the writable URI of the same path, so that '?' and '#' are escaped
	uri := strings.Replace(fileURI(filepath.Join(base, "a b?#.db")), "mode=ro", "mode=rwc", 1)
	db, err := sql.Open("sqlite", uri)
	require.NoError(t, err)
	_, err = db.ExecContext(t.Context(), "CREATE TABLE t (id INTEGER)")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	env := connectors.Env{BaseDir: base}
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "table exists, path with URI characters", cfg: Config{Path: "a b?#.db", Table: "t"}},
		{name: "query", cfg: Config{Path: "a b?#.db", Query: "SELECT 1"}},
		{name: "missing table", cfg: Config{Path: "a b?#.db", Table: "u"}, wantErr: `no table or view "u"`},
		{name: "missing file", cfg: Config{Path: "none.db", Table: "t"}, wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Check(t.Context(), env)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
}

func TestReadOnly(t *testing.T) {
	base := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(base, "a.db"))
	require.NoError(t, err)
	_, err = db.ExecContext(t.Context(), "CREATE TABLE t (id INTEGER)")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	ro, err := openDB(filepath.Join(base, "a.db"))
	require.NoError(t, err)
	defer ro.Close()
	_, err = ro.ExecContext(t.Context(), "INSERT INTO t VALUES (1)")
	assert.ErrorContains(t, err, "readonly")
}

func TestMinusLag(t *testing.T) {
	tests := []struct{ in, lag, want string }{
		{"2025-07-01 10:00:00", "1h", "2025-07-01 09:00:00"},
		{"2025-07-01T10:00:00+07:00", "30m", "2025-07-01T09:30:00+07:00"},
		{"2025-07-01 10:00:00.500", "1s", "2025-07-01 09:59:59.500"},
		{"2025-07-01", "24h", "2025-06-30"},
		{"20250701100000", "10m", "20250701095000"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cfg := Config{Incremental: &Incremental{Lag: tt.lag}}
			got, err := minusLag(tt.in, cfg.lag())
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := minusLag("42", 1)
	assert.ErrorContains(t, err, "not a time")
}
