package sandbox

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readable is the policy of the tests: an analyst who may read health.clinics
// and the marts, not health.visits.
var readable = Policy{CanRead: func(schema, table string) bool {
	return (schema == "health" && table == "clinics") || schema == "marts"
}}

func newChecker(t *testing.T) *Checker {
	t.Helper()
	c, err := NewChecker(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestCheckAccepts(t *testing.T) {
	c := newChecker(t)
	cases := []struct {
		name, sql string
		tables    []string
		catalog   bool
		params    int
	}{
		{"simple", "SELECT * FROM health.clinics", []string{"health.clinics"}, false, 0},
		{"casing and quoting", `select "NAME" from "Health"."CLINICS" c`, []string{"health.clinics"}, false, 0},
		{"from first", "FROM health.clinics SELECT count(*)", []string{"health.clinics"}, false, 0},
		{"aggregate and group", "SELECT commune_code, count(*), sum(x), avg(y), median(z) FROM health.clinics GROUP BY ALL ORDER BY 2 DESC LIMIT 10", []string{"health.clinics"}, false, 0},
		{"window", "SELECT month, received, sum(received) OVER (ORDER BY month ROWS UNBOUNDED PRECEDING), rank() OVER (PARTITION BY agency_code ORDER BY received DESC), lag(received) OVER w FROM marts.dossier_kpi_monthly WINDOW w AS (ORDER BY month)", []string{"marts.dossier_kpi_monthly"}, false, 0},
		{"cte", "WITH m AS (SELECT * FROM marts.dossier_kpi_monthly), n AS (SELECT * FROM m) SELECT * FROM n JOIN m USING (month)", []string{"marts.dossier_kpi_monthly"}, false, 0},
		{"recursive cte", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r", nil, true, 0},
		{"subqueries", "SELECT * FROM health.clinics WHERE clinic_id IN (SELECT clinic_id FROM health.clinics WHERE x > (SELECT 1)) AND EXISTS (SELECT 1)", []string{"health.clinics"}, false, 0},
		{"union", "SELECT month FROM marts.a UNION ALL SELECT month FROM marts.b EXCEPT SELECT 1", []string{"marts.a", "marts.b"}, false, 0},
		{"dates and text", "SELECT date_trunc('month', d), strftime(d, '%Y-%m'), extract(year FROM d), d + INTERVAL 1 MONTH, d - INTERVAL '3 days', upper(s), lower(s), s || 'x', s LIKE 'a%', s ILIKE 'b%', regexp_matches(s, 'x'), coalesce(a, b), nullif(a, b), CASE WHEN a THEN 1 ELSE 2 END, CAST(a AS INTEGER), a::DECIMAL(10,2), a BETWEEN 1 AND 2, strip_accents(s), age(d), round(x, 2), greatest(a, b) FROM health.clinics", []string{"health.clinics"}, false, 0},
		{"lists and lambdas", "SELECT list_transform([1, 2], lambda x: x + 1), list_filter(l, lambda x: x > 1), {'a': 1}, [1, 2][1], unnest([1, 2]) FROM health.clinics", []string{"health.clinics"}, false, 0},
		{"values and range", "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(a, b), range(3) r(i), generate_series(1, 2) g(j)", nil, true, 0},
		{"parameters", "SELECT * FROM marts.k WHERE month = $1 AND agency_code = $2", []string{"marts.k"}, false, 2},
		{"qualify and sample", "SELECT * FROM health.clinics QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1", []string{"health.clinics"}, false, 0},
		{"pivot", "SELECT * FROM marts.k PIVOT (sum(received) FOR channel IN (1, 2))", []string{"marts.k"}, false, 0},
		{"star columns", "SELECT * EXCLUDE (a), COLUMNS('re.*') FROM health.clinics", []string{"health.clinics"}, false, 0},
		{"comments", "/* kpi */ SELECT 1 -- one\n", nil, true, 0},
		{"trailing semicolon", "SELECT 1;", nil, true, 0},
		{"information_schema", "SELECT table_schema, table_name FROM information_schema.tables", nil, true, 0},
		{"pg_catalog", "SELECT n.nspname, c.relname, pg_catalog.format_type(1, 2) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE pg_catalog.pg_table_is_visible(c.oid)", nil, true, 0},
		{"version", "SELECT version()", nil, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, err := c.Check(t.Context(), tc.sql, readable)
			require.NoError(t, err)
			var got []string
			for _, tb := range st.Tables {
				got = append(got, tb.String())
			}
			assert.ElementsMatch(t, tc.tables, got)
			assert.Equal(t, tc.catalog, st.Catalog())
			assert.Equal(t, tc.params, st.Params)
		})
	}
}

func TestCheckRefuses(t *testing.T) {
	c := newChecker(t)
	cases := []struct{ name, sql, code string }{
		{"not allowed table", "SELECT * FROM health.visits", CodeTable},
		{"not allowed in subquery", "SELECT * FROM health.clinics WHERE id IN (SELECT clinic_id FROM health.visits)", CodeTable},
		{"not allowed in cte", "WITH v AS (SELECT * FROM health.visits) SELECT * FROM v", CodeTable},
		{"union with raw", "SELECT name FROM health.clinics UNION SELECT patient_name FROM health.visits", CodeTable},
		{"join restricted", "SELECT * FROM health.clinics c JOIN health.visits v USING (clinic_id)", CodeTable},
		{"quoted path", "SELECT * FROM '/etc/passwd'", CodeUnqualified},
		{"lake file", "SELECT * FROM 'kho-data/lake/health.db/visits/data/x.parquet'", CodeUnqualified},
		{"read_csv", "SELECT * FROM read_csv('/etc/passwd')", CodeTableFunction},
		{"read_parquet in subquery", "SELECT (SELECT count(*) FROM read_parquet('x.parquet'))", CodeTableFunction},
		{"read_text in cte", "WITH x AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM x", CodeTableFunction},
		{"query", "SELECT * FROM query('SELECT 1')", CodeTableFunction},
		{"query_table", "SELECT * FROM query_table('health.visits')", CodeTableFunction},
		{"duckdb_settings", "SELECT * FROM duckdb_settings()", CodeTableFunction},
		{"glob", "SELECT * FROM glob('/*')", CodeTableFunction},
		{"getenv", "SELECT getenv('HOME')", CodeFunction},
		{"current_setting", "SELECT current_setting('allowed_directories')", CodeFunction},
		{"json_serialize_sql", "SELECT json_serialize_sql('SELECT 1')", CodeFunction},
		{"qualified function", "SELECT system.upper('a')", CodeFunction},
		{"catalog qualified", "SELECT * FROM memory.health.clinics", CodeCatalogName},
		{"pg_settings", "SELECT * FROM pg_catalog.pg_settings", CodeTable},
		{"pg_settings unqualified", "SELECT * FROM pg_settings", CodeUnqualified},
		{"cte shadowing a system view", "WITH pg_settings AS (SELECT 1) SELECT * FROM pg_settings", CodeCTEName},
		{"cte out of scope", "SELECT * FROM (WITH x AS (SELECT 1) SELECT * FROM x), x", CodeUnqualified},
		{"own name in a non-recursive cte", "WITH x AS (SELECT * FROM x) SELECT * FROM x", CodeUnqualified},
		{"anchor of a recursive cte", "WITH RECURSIVE x AS (SELECT * FROM x UNION ALL SELECT 1 FROM x) SELECT * FROM x", CodeUnqualified},
		{"catalog mix", "SELECT * FROM health.clinics, pg_catalog.pg_class", CodeCatalogMix},
		{"catalog function on data", "SELECT current_database() FROM health.clinics", CodeCatalogMix},
		{"view definitions", "SELECT pg_get_viewdef('health.clinics')", CodeFunction},
		{"time travel", "SELECT * FROM health.clinics AT (VERSION => 1)", CodeTimeTravel},
		{"describe", "DESCRIBE health.visits", CodeShow},
		{"summarize", "SUMMARIZE health.clinics", CodeShow},
		{"multiple", "SELECT 1; SELECT 2", CodeMulti},
		{"select then pragma", "SELECT 1; PRAGMA version", CodeNotSelect},
		{"attach", "ATTACH '/tmp/x.db' AS x", CodeNotSelect},
		{"copy", "COPY (SELECT 1) TO '/tmp/x.csv'", CodeNotSelect},
		{"set", "SET enable_external_access = true", CodeNotSelect},
		{"install", "INSTALL httpfs", CodeNotSelect},
		{"create", "CREATE TABLE x AS SELECT 1", CodeNotSelect},
		{"empty", "  -- nothing\n", CodeEmpty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Check(t.Context(), tc.sql, readable)
			var r *Refusal
			require.True(t, errors.As(err, &r), "want a refusal, got %v", err)
			assert.Equal(t, tc.code, r.Code, r.Error())
			assert.NotEmpty(t, r.VI)
			assert.NotEmpty(t, r.EN)
		})
	}
}

func TestCheckSyntaxError(t *testing.T) {
	c := newChecker(t)
	_, err := c.Check(t.Context(), "SELEC 1", readable)
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Message, "syntax error")
}

func TestAllowListHasNoDeniedFunction(t *testing.T) {
	for _, name := range []string{"getenv", "current_setting", "getvariable", "json_serialize_sql", "json_deserialize_sql",
		"json_execute_serialized_sql", "read_csv", "read_text", "read_blob", "read_parquet", "parquet_scan", "query",
		"query_table", "glob", "duckdb_settings", "pg_get_viewdef", "write_log", "sleep_ms", "stats", "version", "txid_current"} {
		assert.False(t, dataFunctions[name], name)
	}
}

// TestCheckCachesTreesNotDecisions: a statement checked twice is parsed once,
// but each check applies its own policy.
func TestCheckCachesTreesNotDecisions(t *testing.T) {
	c := newChecker(t)
	const q = "SELECT * FROM health.visits"
	_, err := c.Check(t.Context(), q, readable)
	var r *Refusal
	require.ErrorAs(t, err, &r)
	st, err := c.Check(t.Context(), q, Policy{CanRead: func(string, string) bool { return true }})
	require.NoError(t, err)
	assert.Equal(t, []Table{{"health", "visits"}}, st.Tables)
	_, err = c.Check(t.Context(), q, readable)
	assert.ErrorAs(t, err, &r)
	_, err = c.Check(t.Context(), "SELEC 1", readable)
	var se *SyntaxError
	assert.ErrorAs(t, err, &se)
	_, err = c.Check(t.Context(), "SELEC 1", readable)
	assert.ErrorAs(t, err, &se, "cached errors too")
}
