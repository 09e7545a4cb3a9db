package pgwire

import (
	"regexp"
	"strings"
)

// PostgreSQL spellings that psql and JDBC drivers put in their catalog
// queries and DuckDB does not read; rewritten before the sandbox checks the
// statement (so the sandbox sees what runs).
var compat = []struct {
	re   *regexp.Regexp
	with string
}{
	// n.nspname OPERATOR(pg_catalog.~) '^(health)$'
	{regexp.MustCompile(`(?i)OPERATOR\s*\(\s*pg_catalog\s*\.\s*([~!=<>@#%^&|*+/-]+)\s*\)`), " $1 "},
	// COLLATE pg_catalog.default
	{regexp.MustCompile(`(?i)\s+COLLATE\s+pg_catalog\s*\.\s*"?default"?`), ""},
	// pg_catalog.format_type(…): DuckDB's and Kho's catalog macros live in main.
	{regexp.MustCompile(`(?i)\bpg_catalog\s*\.\s*([a-z_][a-z0-9_]*)\s*\(`), "$1("},
	// x::pg_catalog.text, x::regclass, x::regtype…: DuckDB has no reg* types.
	{regexp.MustCompile(`(?i)::\s*pg_catalog\s*\.\s*`), "::"},
	// 'pg_class'::regclass, 'pg_catalog.array_in'::regproc: a name's oid, which
	// the catalog databases do not keep (numeric literals stay numbers).
	{regexp.MustCompile(`(?i)'[^']*[^0-9'][^']*'\s*::\s*"?(regclass|regtype|regproc|regprocedure|regnamespace|regrole)"?\b`), "CAST(NULL AS BIGINT)"},
	{regexp.MustCompile(`(?i)::\s*"?(regclass|regtype|regproc|regprocedure|regnamespace|regrole|oid)"?\b`), "::BIGINT"},
	{regexp.MustCompile(`(?i)::\s*"?(name|char|bpchar)"?\b`), "::VARCHAR"},
}

// rewrite applies the compat rewrites to statements that mention the catalog.
func rewrite(q string) string {
	l := strings.ToLower(q)
	if !strings.Contains(l, "pg_catalog") && !strings.Contains(l, "information_schema") && !strings.Contains(l, "::reg") &&
		!strings.Contains(l, "operator(") {
		return q
	}
	for _, c := range compat {
		q = c.re.ReplaceAllString(q, c.with)
	}
	return q
}
