package sandbox

import (
	"sort"
	"strings"
)

// walker visits every object of a parsed statement. Objects it recognises
// (expressions, table references, query nodes) are checked; every value of
// every object is visited, so that nothing nested escapes the checks.
type walker struct {
	policy Policy
	st     *Statement
	seen   map[Table]bool
	err    *Refusal
}

// scope is the set of CTE names visible at a point of the tree.
type scope struct {
	names  map[string]bool
	parent *scope
}

func (s *scope) has(name string) bool {
	for ; s != nil; s = s.parent {
		if s.names[name] {
			return true
		}
	}
	return false
}

func (s *scope) with(names ...string) *scope {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return &scope{names: m, parent: s}
}

var (
	expressionClasses = setOf("FUNCTION", "WINDOW", "CAST", "COLUMN_REF", "CONSTANT", "COMPARISON", "CONJUNCTION",
		"OPERATOR", "CASE", "STAR", "SUBQUERY", "PARAMETER", "BETWEEN", "COLLATE", "LAMBDA", "LAMBDA_REF",
		"POSITIONAL_REFERENCE", "TYPE")
	tableRefTypes  = setOf("BASE_TABLE", "JOIN", "SUBQUERY", "EXPRESSION_LIST", "EMPTY", "PIVOT", "TABLE_FUNCTION")
	queryNodeTypes = setOf("SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE")
)

func (w *walker) fail(r *Refusal) {
	if w.err == nil {
		w.err = r
	}
}

func (w *walker) walk(v any, sc *scope) {
	if w.err != nil {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			w.walk(e, sc)
		}
	case map[string]any:
		w.object(x, sc)
	}
}

// object checks one JSON object and visits its values.
func (w *walker) object(m map[string]any, sc *scope) {
	typ, _ := m["type"].(string)
	_, hasClass := m["class"].(string)
	switch {
	case hasClass:
		w.expression(m)
	case isQueryNode(m):
		if !queryNodeTypes[typ] {
			w.fail(refuse(CodeUnknownNode, "cú pháp không được hỗ trợ (%s)", "unsupported syntax (%s)", typ))
			return
		}
		sc = w.ctes(m, sc)
		if name, ok := m["cte_name"].(string); ok && typ == "RECURSIVE_CTE_NODE" {
			// The recursive reference is visible on the recursive side only.
			w.walk(m["left"], sc)
			w.walk(m["right"], sc.with(strings.ToLower(name)))
			w.rest(m, sc, "cte_map", "left", "right")
			return
		}
		w.rest(m, sc, "cte_map")
		return
	case isTableRef(m):
		if !w.tableRef(typ, m, sc) {
			return
		}
	default:
		// Fail closed on table or function names outside the objects above.
		if _, ok := m["table_name"]; ok {
			w.fail(refuse(CodeUnknownNode, "cú pháp không được hỗ trợ", "unsupported syntax"))
			return
		}
		if _, ok := m["function_name"]; ok {
			w.fail(refuse(CodeUnknownNode, "cú pháp không được hỗ trợ", "unsupported syntax"))
			return
		}
	}
	w.rest(m, sc)
}

// rest visits the values of m but the keys skipped.
func (w *walker) rest(m map[string]any, sc *scope, skip ...string) {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks) // refusals are deterministic
outer:
	for _, k := range ks {
		for _, s := range skip {
			if k == s {
				continue outer
			}
		}
		w.walk(m[k], sc)
	}
}

func isQueryNode(m map[string]any) bool {
	_, a := m["cte_map"]
	_, b := m["modifiers"]
	return a && b
}

func isTableRef(m map[string]any) bool {
	_, a := m["sample"]
	_, b := m["alias"]
	_, c := m["type"].(string)
	return a && b && c
}

// ctes visits the CTE bodies of a query node in order and returns the scope
// of the node's body: each CTE sees the ones before it.
func (w *walker) ctes(m map[string]any, sc *scope) *scope {
	cm, _ := m["cte_map"].(map[string]any)
	entries, _ := cm["map"].([]any)
	for _, e := range entries {
		em, _ := e.(map[string]any)
		name, _ := em["key"].(string)
		name = strings.ToLower(name)
		if reservedName(name) {
			w.fail(refuse(CodeCTEName, "tên CTE %q trùng tên bảng hệ thống", "the CTE name %q is a system relation's", name))
			return sc
		}
		w.walk(em["value"], sc)
		sc = sc.with(name)
	}
	// Anything else the map holds is visited too.
	w.rest(cm, sc, "map")
	return sc
}

func reservedName(name string) bool {
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	for _, rels := range systemRelations {
		if rels[name] {
			return true
		}
	}
	return false
}

// tableRef checks a table reference; false stops the walk below it.
func (w *walker) tableRef(typ string, m map[string]any, sc *scope) bool {
	if !tableRefTypes[typ] {
		if typ == "SHOW_REF" {
			w.fail(refuse(CodeShow, "không dùng DESCRIBE/SHOW/SUMMARIZE; xem information_schema.columns hoặc GET /api/datasets/{tên}",
				"DESCRIBE/SHOW/SUMMARIZE are not allowed; read information_schema.columns or GET /api/datasets/{name}"))
			return false
		}
		w.fail(refuse(CodeUnknownNode, "cú pháp không được hỗ trợ (%s)", "unsupported syntax (%s)", typ))
		return false
	}
	switch typ {
	case "TABLE_FUNCTION":
		fn, _ := m["function"].(map[string]any)
		name, _ := fn["function_name"].(string)
		schema, _ := fn["schema"].(string)
		catalog, _ := fn["catalog"].(string)
		if !tableFunctions[strings.ToLower(name)] || schema != "" || catalog != "" {
			w.fail(refuse(CodeTableFunction, "không được gọi hàm bảng %s (đọc tệp, cấu hình hay hệ thống)",
				"the table function %s is not allowed (files, settings and the system are out of reach)", name))
			return false
		}
	case "BASE_TABLE":
		return w.baseTable(m, sc)
	}
	return true
}

func (w *walker) baseTable(m map[string]any, sc *scope) bool {
	if at, ok := m["at_clause"]; ok && at != nil {
		w.fail(refuse(CodeTimeTravel, "không hỗ trợ đọc phiên bản cũ (AT …)", "time travel (AT …) is not allowed"))
		return false
	}
	catalog, _ := m["catalog_name"].(string)
	schema, _ := m["schema_name"].(string)
	name, _ := m["table_name"].(string)
	catalog, schema, name = strings.ToLower(catalog), strings.ToLower(schema), strings.ToLower(name)
	if catalog != "" {
		w.fail(refuse(CodeCatalogName, "không được chỉ định cơ sở dữ liệu (%s.%s.%s)", "database-qualified names are not allowed (%s.%s.%s)", catalog, schema, name))
		return false
	}
	switch {
	case schema == "" && sc.has(name):
		return true
	case schema == "" && systemRelations["pg_catalog"][name]:
		w.system(Table{"pg_catalog", name})
		return true
	case schema == "":
		w.fail(refuse(CodeUnqualified, "bảng %q phải ghi kèm lĩnh vực, ví dụ health.visits (không đọc tệp trực tiếp)",
			"the table %q must be named with its domain, e.g. health.visits (files cannot be read directly)", name))
		return false
	case systemRelations[schema] != nil:
		if !systemRelations[schema][name] {
			w.fail(refuse(CodeTable, "không được đọc %s.%s", "%s.%s may not be read", schema, name))
			return false
		}
		w.system(Table{schema, name})
		return true
	case w.policy.CanRead != nil && w.policy.CanRead(schema, name):
		t := Table{schema, name}
		if !w.seen[t] {
			w.seen[t] = true
			w.st.Tables = append(w.st.Tables, t)
		}
		return true
	default:
		w.fail(refuse(CodeTable, "không có quyền đọc %s.%s hoặc bảng không tồn tại", "%s.%s is not readable with this token or does not exist", schema, name))
		return false
	}
}

func (w *walker) system(t Table) {
	if !w.seen[t] {
		w.seen[t] = true
		w.st.System = append(w.st.System, t)
	}
}

// expression checks an expression's class and, for calls, the function.
func (w *walker) expression(m map[string]any) {
	class, _ := m["class"].(string)
	if !expressionClasses[class] {
		w.fail(refuse(CodeUnknownNode, "cú pháp không được hỗ trợ (%s)", "unsupported syntax (%s)", class))
		return
	}
	if class != "FUNCTION" && class != "WINDOW" {
		return
	}
	name, _ := m["function_name"].(string)
	name = strings.ToLower(name)
	schema, _ := m["schema"].(string)
	catalog, _ := m["catalog"].(string)
	schema, catalog = strings.ToLower(schema), strings.ToLower(catalog)
	if export, _ := m["export_state"].(bool); export {
		w.fail(refuse(CodeFunction, "không được xuất trạng thái hàm gộp (EXPORT_STATE)", "EXPORT_STATE is not allowed"))
		return
	}
	// The parser itself writes main.list_value, main.date_part…
	if schema == "main" {
		schema = ""
	}
	if catalog != "" || (schema != "" && schema != "pg_catalog") {
		w.fail(refuse(CodeFunction, "không được gọi hàm %s.%s", "the function %s.%s is not allowed", schema, name))
		return
	}
	switch {
	case dataFunctions[name] && schema == "":
	case dataFunctions[name] || catalogFunctions[name]:
		w.st.CatalogFunctions = true
	default:
		w.fail(refuse(CodeFunction, "không được gọi hàm %s", "the function %s is not allowed", name))
	}
}
