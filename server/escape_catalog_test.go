package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/security/sandbox/escapes"
	"github.com/sonla-data/kho/server/internal/testenv"
)

// catalogQueries are what a token's catalog shows: information_schema,
// psql's \dt and \dn, and the macros of the catalog database.
var catalogQueries = []string{
	"SELECT table_schema, table_name, table_type FROM information_schema.tables ORDER BY 1, 2",
	"SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns ORDER BY 1, 2, 3",
	"SELECT schemaname, tablename FROM pg_catalog.pg_tables ORDER BY 1, 2",
	"SELECT schemaname, tablename FROM pg_tables ORDER BY 1, 2",
	"SELECT n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ORDER BY 1, 2",
	"SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1",
	"SELECT pg_get_userbyid(10) AS owner, current_database() AS db",
}

// catalogs are the catalog answers of every token, over HTTP.
func catalogs(t *testing.T, h *harness) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, who := range testenv.Names() {
		if who != "" {
			out[who] = catalogOf(t, h, who)
		}
	}
	return out
}

func catalogOf(t *testing.T, h *harness, who string) []string {
	t.Helper()
	var out []string
	for _, q := range catalogQueries {
		r := h.do(t, "POST", "/api/query", who, strings.NewReader(q), "Content-Type", "application/sql")
		body := readAll(t, r)
		require.Equal(t, 200, r.StatusCode, "%s as %s: %s", q, who, body)
		var rows []map[string]any
		require.NoError(t, json.Unmarshal(body, &rows), q)
		b, err := json.Marshal(rows)
		require.NoError(t, err)
		out = append(out, string(b))
	}
	return out
}

// newTwin makes a token with the profile of who's and returns its name in
// the harness.
func newTwin(t *testing.T, h *harness, who string) string {
	t.Helper()
	tok, err := h.env.Tokens.Get(t.Context(), h.env.IDs[who])
	require.NoError(t, err)
	name := who + "-twin"
	secret, twin, err := h.env.Tokens.Create(t.Context(), auth.NewToken{Name: name, Role: tok.Role, Agency: tok.Agency, Grants: tok.Grants, PII: tok.PII})
	require.NoError(t, err)
	h.env.Secrets[name], h.env.IDs[name] = secret, twin.ID
	return name
}

var pathRe = regexp.MustCompile(`'(\.tmp/[^']+)'`)

// spilledFiles are the files the corpus's attempts would write (relative to
// the server's working directory, where an in-memory DuckDB spills by
// default); any there from an earlier run is removed first.
func spilledFiles(t *testing.T, attempts []escapes.Attempt) []string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	seen := map[string]bool{}
	var out []string
	for _, a := range attempts {
		for _, m := range pathRe.FindAllStringSubmatch(a.SQL, -1) {
			p := filepath.Join(wd, m[1])
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
				require.NoError(t, os.RemoveAll(p))
				t.Cleanup(func() { os.Remove(p) })
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}
