package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/sandbox"
	"github.com/sonla-data/kho/security/sandbox/escapes"
)

// catalogSeeds are catalog statements as psql, pgjdbc and DBeaver send them
// (after server/pgwire's rewrites), and spellings around the rewrite's edges.
var catalogSeeds = []string{
	`SELECT n.nspname as "Schema", c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' END as "Type",
  pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','v','m','S','f','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
ORDER BY 1,2`,
	`SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attnum
FROM pg_catalog.pg_attribute a WHERE a.attrelid = 16385 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
	`SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS TABLE_NAME,
 CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema' WHEN true THEN CASE WHEN n.nspname = 'pg_catalog' OR n.nspname = 'information_schema' THEN CASE c.relkind WHEN 'r' THEN 'SYSTEM TABLE' WHEN 'v' THEN 'SYSTEM VIEW' ELSE NULL END ELSE NULL END
 ELSE CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'v' THEN 'VIEW' ELSE NULL END END AS TABLE_TYPE, d.description AS REMARKS
 FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0)
 WHERE c.relnamespace = n.oid AND c.relname LIKE '%' ORDER BY TABLE_TYPE, TABLE_SCHEM, TABLE_NAME`,
	`SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
	`SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
	`SELECT CASE pg_catalog.pg_class.relkind WHEN 'r' THEN 1 WHEN 'v' THEN 2 END AS k, pg_catalog.pg_class.relname FROM pg_catalog.pg_class`,
	`SELECT relname FROM PG_CATALOG.PG_CLASS, "Information_Schema"."Tables" WHERE relname = table_name`,
	`SELECT 'Sơn La', relname FROM pg_catalog /* một */ . -- hai
 "pg_class" c WHERE c.relname <> 'pg_catalog.pg_class'`,
	`WITH t AS (SELECT * FROM information_schema.schemata) SELECT * FROM t, pg_catalog.pg_type`,
	`SELECT (SELECT count(*) FROM pg_catalog.pg_tables) AS n, EXISTS (SELECT 1 FROM information_schema.views) AS v`,
	`SELECT x.relname FROM pg_catalog.pg_class x UNION ALL SELECT tablename FROM pg_catalog.pg_tables`,
	`SELECT "pg_class".relname FROM "pg_catalog"."pg_class" AS "pg_class"`,
	`SELECT 1 FROM pg_catalog.pg_proc`,
}

// FuzzCatalogRelocation drives the compatibility rewrite through the
// engine's routing: for every statement the sandbox accepts, the text that
// runs is accepted by the sandbox too, and it parses (json_serialize_sql) to
// the tree of the statement as sent with its pg_catalog and
// information_schema relations moved to kho_catalog and nothing else
// changed; a data statement runs as sent, byte for byte.
func FuzzCatalogRelocation(f *testing.F) {
	attempts, err := escapes.Load()
	require.NoError(f, err)
	for _, a := range attempts {
		f.Add(a.SQL)
	}
	for _, s := range catalogSeeds {
		f.Add(s)
	}
	fx := newFixture(f, Options{})
	e := fx.engine
	pol := e.policy(analyst)
	f.Fuzz(func(t *testing.T, text string) {
		st, err := e.checker.Check(t.Context(), text, pol)
		if err != nil {
			return
		}
		q := Query{Principal: analyst, SQL: text}
		_, run, release, err := e.route(t.Context(), &q)
		if err != nil {
			var r *sandbox.Refusal
			require.True(t, errors.As(err, &r), "%q: an accepted statement's relocation fails with %v", text, err)
			return
		}
		release()
		if !st.Catalog() {
			assert.Equal(t, text, run)
			return
		}
		_, err = e.checker.Check(t.Context(), run, pol)
		require.NoError(t, err, "what runs is what the sandbox accepts: %q", run)
		sent, err := e.checker.Parse(t.Context(), text)
		require.NoError(t, err)
		ran, err := e.checker.Parse(t.Context(), run)
		require.NoError(t, err)
		assert.Equal(t, normalTree(t, sent, true), normalTree(t, ran, false), "%q ran as %q", text, run)
	})
}

// normalTree decodes a parsed tree without its positions; move points the
// relations compatRelocation moves at CompatSchema (written apart from
// sandbox.SameRelocated, to check it).
func normalTree(t *testing.T, raw []byte, move bool) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	moved := func(schema, name any) bool {
		s, _ := schema.(string)
		n, _ := name.(string)
		if s == "" { // pg_class alone: PostgreSQL's, moved as pg_catalog.pg_class is
			return compatRelocation.Moves("", n)
		}
		return slices.Contains(compatRelocation.Schemas, strings.ToLower(s)) && slices.Contains(compatRelations, strings.ToLower(n))
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			delete(x, "query_location")
			_, sample := x["sample"]
			if x["type"] == "BASE_TABLE" && sample && x["catalog_name"] == "" && move && moved(x["schema_name"], x["table_name"]) {
				x["schema_name"] = CompatSchema
			}
			if names, ok := x["column_names"].([]any); ok && x["class"] == "COLUMN_REF" && move && len(names) >= 3 && moved(names[0], names[1]) {
				names[0] = CompatSchema
			}
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return v
}
