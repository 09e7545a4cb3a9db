package sandbox

import (
	_ "embed"
	"strings"
)

//go:embed functions.txt
var functionsTxt string

//go:embed catalog_functions.txt
var catalogFunctionsTxt string

// dataFunctions and catalogFunctions are the allow-lists.
var (
	dataFunctions    = nameSet(functionsTxt)
	catalogFunctions = nameSet(catalogFunctionsTxt)
)

// tableFunctions are the only table functions a statement may call: they
// read nothing but their arguments.
var tableFunctions = map[string]bool{"range": true, "generate_series": true, "unnest": true}

// systemRelations are the catalog relations catalog queries may read, by
// schema. They run on the session's catalog database (see server/engine),
// which holds only empty tables mirroring what the token may read.
var systemRelations = map[string]map[string]bool{
	"pg_catalog": setOf("pg_am", "pg_attrdef", "pg_attribute", "pg_class", "pg_collation", "pg_constraint",
		"pg_database", "pg_depend", "pg_description", "pg_enum", "pg_index", "pg_indexes", "pg_inherits",
		"pg_namespace", "pg_proc", "pg_roles", "pg_sequence", "pg_sequences", "pg_tables", "pg_tablespace",
		"pg_type", "pg_user", "pg_views", "pg_matviews", "pg_range", "pg_partitioned_table", "pg_rewrite",
		"pg_trigger", "pg_policy", "pg_statistic_ext", "pg_publication", "pg_publication_rel",
		"pg_foreign_table", "pg_extension", "pg_stat_user_tables", "pg_get_keywords", "pg_opclass"),
	"information_schema": setOf("schemata", "tables", "columns", "views", "table_constraints",
		"key_column_usage", "referential_constraints", "constraint_column_usage", "check_constraints",
		"character_sets", "routines", "parameters"),
}

func init() {
	// server/engine's fuller copies of pg_catalog relations (engine.CompatSchema).
	compat := map[string]bool{}
	for _, rels := range systemRelations {
		for r := range rels {
			compat[r] = true
		}
	}
	systemRelations["kho_catalog"] = compat
}

// reservedPrefixes are name prefixes of DuckDB's and PostgreSQL's system
// relations; a CTE may not take such a name (so that a CTE in scope can never
// be confused with a system relation).
var reservedPrefixes = []string{"pg_", "duckdb_", "sqlite_", "information_schema", "kho_catalog"}

func nameSet(txt string) map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(txt, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		m[l] = true
	}
	return m
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// DataFunctions lists the allowed functions of data queries (for docs and tests).
func DataFunctions() []string { return keys(dataFunctions) }

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
