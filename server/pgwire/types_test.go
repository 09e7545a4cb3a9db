package pgwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNumericRoundTrip(t *testing.T) {
	for _, s := range []string{"0", "1", "-1", "150000", "12345678.9", "0.0001", "-0.5", "10000", "99999999999999999999.123456", "0.10"} {
		t.Run(s, func(t *testing.T) {
			b, err := encodeNumeric(s)
			require.NoError(t, err)
			got, err := decodeNumeric(b)
			require.NoError(t, err)
			assert.Equal(t, s, got)
		})
	}
	_, err := encodeNumeric("1e5")
	assert.Error(t, err)
}

func TestSplitStatements(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"SELECT 1", []string{"SELECT 1"}},
		{"SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"SELECT ';' AS a; -- c; d\nSELECT \"x;y\"", []string{"SELECT ';' AS a", "-- c; d\nSELECT \"x;y\""}},
		{"SELECT $$a;b$$; /* x; /* nested; */ y; */ SELECT 'it''s;'", []string{"SELECT $$a;b$$", "/* x; /* nested; */ y; */ SELECT 'it''s;'"}},
		{"SELECT $1; ; -- only\n", []string{"SELECT $1"}},
		{"  ", nil},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, splitStatements(tc.in), tc.in)
	}
}

func TestLocalStatements(t *testing.T) {
	cases := []struct{ in, kind, name, value string }{
		{"SET extra_float_digits = 3", "SET", "extra_float_digits", "3"},
		{"set application_name to 'PostgreSQL JDBC Driver'", "SET", "application_name", "PostgreSQL JDBC Driver"},
		{"SET SESSION TIME ZONE 'UTC'", "SET", "timezone", "UTC"},
		{"/* c */ SHOW search_path", "SHOW", "", ""},
		{"START TRANSACTION READ ONLY", "BEGIN", "", ""},
		{"SELECT set_bit('1', 0, 0)", "", "", ""},
		{"SET enable_external_access = true", "", "", ""},
		{"SET allowed_directories TO ['/']", "", "", ""},
		{"RESET lock_configuration", "", "", ""},
		{"RESET ALL", "RESET", "", ""},
		{"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "SET", "", ""},
		{"WITH x AS (SELECT 1) SELECT * FROM x", "", "", ""},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.kind, localKind(tc.in), tc.in)
		if tc.kind == "SET" && tc.name != "" {
			n, v, ok := parseSet(tc.in)
			require.True(t, ok, tc.in)
			assert.Equal(t, tc.name, n)
			assert.Equal(t, tc.value, v)
		}
	}
}

func TestRewrite(t *testing.T) {
	in := `SELECT c.oid::pg_catalog.regclass, pg_catalog.format_type(a, b) FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(visits)$' COLLATE pg_catalog.default`
	assert.Equal(t, `SELECT c.oid::BIGINT, format_type(a, b) FROM pg_catalog.pg_class c WHERE c.relname  ~ '(?s).*(?:^(visits)$).*'`, rewrite(in))
	for in, want := range map[string]string{
		"SELECT ('-12.50'::numeric), '\\x01ff'::bytea":                                             "SELECT (CAST('-12.50' AS DECIMAL(4,2))), '\\x01\\xff'::BLOB",
		"SELECT FORMAT('%I.%s', a, b) FROM information_schema.columns":                             "SELECT printf('%s.%s', a, b) FROM information_schema.columns",
		"SELECT (information_schema._pg_expandarray(i.indkey)).n FROM pg_catalog.pg_index i":       "SELECT (_pg_expandarray(i.indkey)).n FROM pg_catalog.pg_index i",
		"select word from pg_catalog.pg_get_keywords() where word <> ALL ('{a,\"null\"}'::text[])": `select word from pg_catalog.pg_get_keywords where word <> ALL ('[a,"null"]'::VARCHAR[])`,
		// A name's oid is to_regclass's (a macro of the catalog databases);
		// casts of expressions are left to their regclass type.
		"SELECT d.description FROM pg_catalog.pg_description d WHERE d.classoid = CAST($2 AS REGCLASS) AND d.objoid = CAST(x AS REGCLASS)":                                      "SELECT d.description FROM pg_catalog.pg_description d WHERE d.classoid = to_regclass(CAST($2 AS VARCHAR)) AND d.objoid = CAST(x AS REGCLASS)",
		"SELECT COL_DESCRIPTION(CAST(CAST(FORMAT('%I.%I', CAST(c.table_schema AS TEXT), CAST(c.table_name AS TEXT)) AS REGCLASS) AS OID), 1) FROM information_schema.columns c": "SELECT COL_DESCRIPTION(CAST(to_regclass(printf('%s.%s', CAST(c.table_schema AS TEXT), CAST(c.table_name AS TEXT))) AS OID), 1) FROM information_schema.columns c",
		"SELECT 1 FROM pg_catalog.pg_description d WHERE d.classoid = 'pg_class'::regclass AND d.objoid = 'x'::pg_catalog.regtype":                                              "SELECT 1 FROM pg_catalog.pg_description d WHERE d.classoid = to_regclass('pg_class') AND d.objoid = CAST(NULL AS BIGINT)",
	} {
		assert.Equal(t, want, rewrite(in), in)
	}
	assert.Equal(t, "SELECT 'OPERATOR(x)'", rewrite("SELECT 'OPERATOR(x)'"), "statements without the catalog are left alone")
}
