package pgwire

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// PostgreSQL spellings that psql and JDBC drivers put in their catalog
// queries and DuckDB does not read; rewritten before the sandbox checks the
// statement (so the sandbox sees what runs).
var compat = []struct {
	re   *regexp.Regexp
	with string
	fn   func(string) string // in place of with, when set
}{
	// format('%s.%I', …), PostgreSQL's printf (Metabase's column query):
	// DuckDB's format takes {}, its printf takes %s (%I, %L unquoted).
	{re: regexp.MustCompile(`(?i)\b(?:pg_catalog\s*\.\s*)?format\s*\(\s*'(?:[^']|'')*%(?:[^']|'')*'`), fn: func(m string) string {
		i := strings.IndexByte(m, '\'')
		return "printf(" + strings.NewReplacer("%I", "%s", "%L", "%s").Replace(m[i:])
	}},
	// n.nspname OPERATOR(pg_catalog.~) '^(health)$'
	// '12.345'::numeric (pgjdbc's simple mode writes its parameters so):
	// DuckDB's NUMERIC is DECIMAL(18,3), which would round; the literal's
	// own precision and scale keep every digit.
	{re: regexp.MustCompile(`(?i)'\s*-?[0-9]+(?:\.[0-9]+)?\s*'\s*::\s*(?:pg_catalog\s*\.\s*)?numeric\b`), fn: numericLiteral},
	// '\x0102ff'::bytea (pgjdbc's simple mode): DuckDB writes bytes as \x01\x02\xff.
	{re: regexp.MustCompile(`(?i)'\\x((?:[0-9a-f]{2})*)'\s*::\s*(?:pg_catalog\s*\.\s*)?bytea\b`), fn: func(m string) string {
		hex := m[3 : strings.IndexByte(m[1:], '\'')+1]
		var b strings.Builder
		b.WriteByte('\'')
		for i := 0; i+1 < len(hex); i += 2 {
			b.WriteString(`\x` + hex[i:i+2])
		}
		return b.String() + "'::BLOB"
	}},
	{re: regexp.MustCompile(`(?i)OPERATOR\s*\(\s*pg_catalog\s*\.\s*([~!=<>@#%^&|*+/-]+)\s*\)`), with: " $1 "},
	// name ~ '^pg_': PostgreSQL's ~ finds the pattern anywhere, DuckDB's
	// matches the whole text; the pattern is widened to match so.
	{re: regexp.MustCompile(`(!?~)\s*'((?:[^']|'')*)'`), with: "$1 '(?s).*(?:$2).*'"},
	// COLLATE pg_catalog.default
	{re: regexp.MustCompile(`(?i)\s+COLLATE\s+pg_catalog\s*\.\s*"?default"?`), with: ""},
	// CAST($2 AS REGCLASS) (SQLAlchemy's pg_description join, the parameter
	// 'pg_catalog.pg_class'): the relation's oid by name, PostgreSQL's
	// to_regclass (a macro of the catalog databases); the parameter stays,
	// so its number does not change. Casts of expressions to REGCLASS are
	// left to the catalog databases' regclass type (an oid).
	{re: regexp.MustCompile(`(?i)CAST\s*\(\s*(\$[0-9]+)\s+AS\s+REGCLASS\s*\)`), with: "to_regclass(CAST($1 AS VARCHAR))"},
	// CAST(printf('%s.%s', schema, table) AS REGCLASS) (Metabase's
	// field-comment, after the format rewrite above): the relation's oid by
	// name, to_regclass's.
	{re: regexp.MustCompile(`(?i)CAST\s*\(\s*(printf\s*\(\s*'%s\.%s'\s*,(?:[^()']|\([^()']*\))*\))\s+AS\s+REGCLASS\s*\)`), with: "to_regclass($1)"},
	// json_build_object(k, v, …) is DuckDB's json_object.
	{re: regexp.MustCompile(`(?i)\b(?:pg_catalog\s*\.\s*)?json_build_object\s*\(`), with: "json_object("},
	// pg_get_keywords() is a relation of the catalog databases.
	{re: regexp.MustCompile(`(?i)\b(?:pg_catalog\s*\.\s*)?pg_get_keywords\s*\(\s*\)`), with: "pg_catalog.pg_get_keywords"},
	// information_schema._pg_expandarray(…) is a macro in main.
	{re: regexp.MustCompile(`(?i)\binformation_schema\s*\.\s*_pg_expandarray\s*\(`), with: "_pg_expandarray("},
	// '{a,b}'::text[]: DuckDB writes list literals in brackets.
	{re: regexp.MustCompile(`(?i)'\{([^'{}]*)\}'\s*::\s*(?:pg_catalog\s*\.\s*)?(text|varchar|name)\s*\[\]`), with: "'[$1]'::VARCHAR[]"},
	// pg_catalog.format_type(…): DuckDB's and Kho's catalog macros live in main.
	{re: regexp.MustCompile(`(?i)\bpg_catalog\s*\.\s*([a-z_][a-z0-9_]*)\s*\(`), with: "$1("},
	// x::pg_catalog.text, x::regclass, x::regtype…: DuckDB has no reg* types.
	{re: regexp.MustCompile(`(?i)::\s*pg_catalog\s*\.\s*`), with: "::"},
	// 'pg_class'::regclass (pgjdbc's table comments): the relation's oid,
	// to_regclass's.
	{re: regexp.MustCompile(`(?i)('[^']*[^0-9'][^']*')\s*::\s*"?regclass"?\b`), with: "to_regclass($1)"},
	// 'pg_catalog.array_in'::regproc: a name's oid, which the catalog
	// databases do not keep (numeric literals stay numbers).
	{re: regexp.MustCompile(`(?i)'[^']*[^0-9'][^']*'\s*::\s*"?(regclass|regtype|regproc|regprocedure|regnamespace|regrole)"?\b`), with: "CAST(NULL AS BIGINT)"},
	{re: regexp.MustCompile(`(?i)::\s*"?(regclass|regtype|regproc|regprocedure|regnamespace|regrole|oid)"?\b`), with: "::BIGINT"},
	{re: regexp.MustCompile(`(?i)::\s*"?(name|char|bpchar)"?\b`), with: "::VARCHAR"},
}

// rewrite applies the compat rewrites to statements that mention the catalog.
func rewrite(q string) string {
	l := strings.ToLower(q)
	if !strings.Contains(l, "pg_catalog") && !strings.Contains(l, "information_schema") && !strings.Contains(l, "::reg") &&
		!strings.Contains(l, "operator(") && !strings.Contains(l, "pg_get_keywords") &&
		!strings.Contains(l, "::numeric") && !strings.Contains(l, "::bytea") {
		return q
	}
	for _, c := range compat {
		if c.fn != nil {
			q = c.re.ReplaceAllStringFunc(q, c.fn)
			continue
		}
		q = c.re.ReplaceAllString(q, c.with)
	}
	return q
}

// sessionFunctions: current_database() is the database the client
// connected to and current_schema() is public, which the catalog databases'
// macros answer (DuckDB's own catalog views need its functions of those
// names). Applied to catalog statements only (session.catalogText).
var sessionFunctions = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?i)\b(?:pg_catalog\s*\.\s*)?(?:current_database\s*\(\s*\)|current_catalog\b(?:\s*\(\s*\))?)`), "kho_current_database()"},
	{regexp.MustCompile(`(?i)\b(?:pg_catalog\s*\.\s*)?current_schema\s*\(\s*\)`), "kho_current_schema()"},
}

// statementText is what the session sends the engine for a client's
// statement: the compat rewrites, and in a catalog statement (one the
// sandbox accepts that reads no data) the session functions.
func (s *session) statementText(ctx context.Context, text string) string {
	q := rewrite(text)
	l := strings.ToLower(q)
	if !strings.Contains(l, "current_database") && !strings.Contains(l, "current_catalog") && !strings.Contains(l, "current_schema") {
		return q
	}
	if st, err := s.srv.deps.Engine.Check(ctx, s.p, q); err != nil || !st.Catalog() {
		return q
	}
	for _, f := range sessionFunctions {
		q = f.re.ReplaceAllString(q, f.with)
	}
	return q
}

// numericLiteral writes '…'::numeric as a DECIMAL of the literal's own
// precision and scale.
func numericLiteral(m string) string {
	lit := strings.TrimSpace(m[1:strings.LastIndexByte(m, '\'')])
	digits := strings.TrimLeft(strings.NewReplacer("-", "", ".", "").Replace(lit), "0")
	scale := 0
	if i := strings.IndexByte(lit, '.'); i >= 0 {
		scale = len(lit) - i - 1
	}
	prec := max(len(digits), scale+1, 1)
	if prec > 38 {
		return m // DuckDB's widest decimal: left as it was
	}
	return fmt.Sprintf("CAST('%s' AS DECIMAL(%d,%d))", lit, prec, scale)
}
