package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/auth"
)

// smuggle hides payload in the alias of a quoted catalog relation: the
// sandbox reads one SELECT whose alias is the payload's text. The statement,
// as checked, returns one row: 'checked'.
func smuggle(rel, payload string) string {
	return `SELECT 'checked' AS a FROM ` + rel + ` "; ` + payload + `; --" LIMIT 1`
}

// TestCatalogRunsWhatWasChecked: a catalog statement runs as the sandbox
// checked it. A quoted relation (pg_catalog."pg_class") once made the
// compatibility rewrite cut the quoting, so that the alias's text ran as SQL
// on the catalog database: table functions, other statements, DDL that
// changed the catalog of every token of the profile, files in its spill
// directory. Each attempt must be refused or answer exactly what the checked
// statement answers; afterwards another token of the same profile sees its
// catalog unchanged, and no file was written.
func TestCatalogRunsWhatWasChecked(t *testing.T) {
	f := newFixture(t, Options{})
	wd, err := os.Getwd()
	require.NoError(t, err)
	spilled := filepath.Join(wd, ".tmp", "kho-escape-catalog.csv")
	t.Cleanup(func() { os.Remove(spilled) })

	const tablesQ = "SELECT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1"
	other := analyst
	other.TokenID, other.Name = "tk_an2", "an2" // the same profile, another token
	require.Equal(t, analyst.Profile(), other.Profile())
	before, err := rows(t, f.engine, other, tablesQ)
	require.NoError(t, err)
	require.NotEmpty(t, before)

	rels := []string{`pg_catalog."pg_class"`, `information_schema."tables"`, `pg_catalog . "pg_namespace"`, `"pg_catalog"."pg_type"`}
	payloads := []struct{ name, sql string }{
		{"copy into the spill directory", fmt.Sprintf("COPY (SELECT 'escaped' AS a) TO '%s'; SELECT 'escaped' AS a", spilled)},
		{"read the spill directory", fmt.Sprintf("SELECT content AS a FROM read_text('%s')", spilled)},
		{"a table function", "SELECT 'escaped: ' || count(*) AS a FROM duckdb_settings()"},
		{"a setting read", "SELECT 'escaped: ' || current_setting('temp_directory') AS a"},
		{"attach", "ATTACH ':memory:' AS smuggled; SELECT 'escaped' AS a"},
		{"a macro", "CREATE OR REPLACE MACRO pg_get_userbyid(id) AS 'forged'; SELECT 'escaped' AS a"},
		{"a forged catalog view", "CREATE OR REPLACE VIEW kho_catalog.tables AS SELECT 'forged' AS table_schema, 'forged' AS table_name; SELECT 'escaped' AS a"},
		{"drop the catalog schema", "DROP SCHEMA kho_catalog CASCADE; SELECT 'escaped' AS a"},
	}
	for _, rel := range rels {
		for _, pl := range payloads {
			t.Run(rel+" "+pl.name, func(t *testing.T) {
				sql := smuggle(rel, pl.sql)
				got, err := rows(t, f.engine, analyst, sql)
				require.NoError(t, err, sql)
				assert.Equal(t, [][]any{{"checked"}}, got, sql)
			})
		}
	}

	// The quoted relations are Kho's fuller copies (a column DuckDB's pg_class lacks).
	got, err := rows(t, f.engine, analyst, `SELECT relforcerowsecurity FROM pg_catalog . "pg_class" /* x */ LIMIT 1`)
	require.NoError(t, err)
	assert.Equal(t, [][]any{{false}}, got)

	after, err := rows(t, f.engine, other, tablesQ)
	require.NoError(t, err)
	assert.Equal(t, before, after, "another token's catalog")
	got, err = rows(t, f.engine, other, "SELECT pg_get_userbyid(10) AS u")
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"kho"}}, got)
	assert.NoFileExists(t, spilled)
}

// TestCatalogDatabasesHoldNoSharedState: even SQL the sandbox would refuse,
// run on a catalog database directly (the second layer alone), cannot change
// what another token sees, reach a file or run a second statement.
func TestCatalogDatabasesHoldNoSharedState(t *testing.T) {
	f := newFixture(t, Options{})
	other := analyst
	other.TokenID = "tk_an2"
	db, release, err := f.engine.catalogFor(t.Context(), analyst)
	require.NoError(t, err)
	defer release()
	dir := t.TempDir()
	for _, q := range []string{
		"CREATE OR REPLACE VIEW kho_catalog.tables AS SELECT 'forged' AS table_name",
		"DROP SCHEMA kho_catalog CASCADE",
		"CREATE OR REPLACE MACRO pg_get_userbyid(id) AS 'forged'",
		"CREATE TABLE main.forged AS SELECT 1 AS x",
		"ATTACH ':memory:' AS smuggled",
		"COPY (SELECT 1) TO '" + filepath.Join(dir, "x.csv") + "'",
		"COPY (SELECT 1) TO '.tmp/kho-escape-layer2.csv'",
		"SELECT * FROM read_text('/etc/passwd')",
		"SET temp_directory = '" + dir + "'",
		"SET enable_external_access = true",
	} {
		_, err := db.db.ExecContext(t.Context(), q)
		assert.Error(t, err, q)
	}
	// A connection's temporary objects die with it: every statement has its own.
	_, err = db.db.ExecContext(t.Context(), "CREATE TEMP MACRO pg_get_userbyid(id) AS 'forged'")
	require.NoError(t, err)
	got, err := rows(t, f.engine, other, "SELECT pg_get_userbyid(10) AS u")
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"kho"}}, got)
	assert.NoFileExists(t, filepath.Join(dir, "x.csv"))
	assert.NoFileExists(t, ".tmp/kho-escape-layer2.csv")
	os.Remove(".tmp/kho-escape-layer2.csv")
	for _, p := range []auth.Principal{analyst, other} {
		got, err := rows(t, f.engine, p, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'forged'")
		require.NoError(t, err)
		assert.Equal(t, [][]any{{int64(0)}}, got)
	}
	var settings [][]string
	rs, err := db.db.QueryContext(t.Context(), `SELECT name, value FROM duckdb_settings()
		WHERE name IN ('temp_directory', 'allowed_directories', 'enable_external_access', 'lock_configuration', 'access_mode') ORDER BY name`)
	require.NoError(t, err)
	for rs.Next() {
		var n, v string
		require.NoError(t, rs.Scan(&n, &v))
		settings = append(settings, []string{n, v})
	}
	require.NoError(t, rs.Err())
	t.Log(settings)
	assert.Contains(t, settings, []string{"temp_directory", ""})
	assert.Contains(t, settings, []string{"allowed_directories", "[]"})
	assert.Contains(t, settings, []string{"enable_external_access", "false"})
	assert.Contains(t, settings, []string{"lock_configuration", "true"})
}

// TestOneStatementRuns: the serving and catalog databases run one statement
// per text, whatever the text (DuckDB's driver would run every statement but
// the last of a text given with a context).
func TestOneStatementRuns(t *testing.T) {
	f := newFixture(t, Options{})
	cat, release, err := f.engine.catalogFor(t.Context(), analyst)
	require.NoError(t, err)
	defer release()
	for name, db := range map[string]*database{"masked": f.engine.masked, "raw": f.engine.raw, "catalog": cat} {
		for _, how := range []string{"scan", "arrow"} {
			t.Run(name+" "+how, func(t *testing.T) {
				conn, err := db.db.Conn(t.Context())
				require.NoError(t, err)
				defer conn.Close()
				res := &Result{ctx: t.Context(), conn: conn, q: &Query{}, maxRows: 10,
					sql: "CREATE TEMP TABLE smuggled AS SELECT 1 AS x; SELECT 1 AS x"}
				if how == "scan" {
					err = res.Scan(func([]ResultColumn) error { return nil }, func([]any) error { return nil })
				} else {
					err = res.Arrow(func(array.RecordReader) error { return nil })
				}
				assert.Error(t, err)
				var n int
				require.NoError(t, conn.QueryRowContext(t.Context(), "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'smuggled'").Scan(&n))
				assert.Zero(t, n)
			})
		}
	}
}
