package sandbox

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
)

// Relocation moves a statement's references to some relations into another
// schema: server/engine points the pg_catalog and information_schema
// relations of catalog statements at fuller copies of its own.
type Relocation struct {
	// Schemas are the schemas whose relations move (lower case).
	Schemas []string
	// Relations are the relations that move, by name (lower case).
	Relations map[string]bool
	// To is the schema they move to (an unquoted identifier).
	To string
	// Unqualified moves the references without a schema to the relations
	// of pg_catalog (pg_class, pg_stat_user_tables…) too: PostgreSQL finds
	// them first, whatever the search path, and a CTE cannot take their
	// names (reservedName).
	Unqualified bool
}

// Moves tells whether a reference to schema.name ("" for none) moves.
func (r *Relocation) Moves(schema, name string) bool {
	if schema == "" {
		return r.movesUnqualified(name)
	}
	return r.moves(schema, name)
}

// movesUnqualified tells whether an unqualified reference to name moves.
func (r *Relocation) movesUnqualified(name string) bool {
	name = strings.ToLower(name)
	return r.Unqualified && r.Relations[name] && systemRelations["pg_catalog"][name]
}

func (r *Relocation) moves(schema, name string) bool {
	schema, name = strings.ToLower(schema), strings.ToLower(name)
	for _, s := range r.Schemas {
		if s == schema {
			return r.Relations[name]
		}
	}
	return false
}

// Relocate returns the statement to run in place of st: its text with the
// references that r moves rewritten where the parsed tree places them
// (never by a search of the text, so that quoting cannot be cut), checked
// again with p, and accepted only when its tree is st's tree with those
// references moved and nothing else changed. The returned statement's SQL
// is the text that was checked, the one to run. A statement with nothing to
// move is returned as it is.
func (c *Checker) Relocate(ctx context.Context, st *Statement, p Policy, r Relocation) (*Statement, error) {
	if st.tree == nil || st.tree.node == nil {
		return st, nil
	}
	var edits []edit
	collectEdits(st.tree.node, st.SQL, &r, &edits)
	if len(edits) == 0 {
		return st, nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].from < edits[j].from })
	var b strings.Builder
	at := 0
	for i, e := range edits {
		if i > 0 && e == edits[i-1] {
			continue // a node the parser copied (CASE x WHEN …)
		}
		if e.from < at {
			return nil, errRelocation() // overlapping references: not a tree DuckDB makes
		}
		b.WriteString(st.SQL[at:e.from])
		b.WriteString(e.with)
		at = e.to
	}
	b.WriteString(st.SQL[at:])
	moved, err := c.Check(ctx, b.String(), p)
	if err != nil {
		return nil, err
	}
	if moved.Params != st.Params || !SameRelocated(st.tree.node, moved.tree.node, r) {
		return nil, errRelocation()
	}
	return moved, nil
}

func errRelocation() *Refusal {
	return refuse(CodeUnknownNode, "không chuyển được câu lệnh danh mục sang danh mục của Kho", "the catalog statement could not be pointed at Kho's catalog")
}

// edit replaces text[from:to] with with.
type edit struct {
	from, to int
	with     string
}

// collectEdits finds the references r moves: base tables and column
// references (schema.table.column) whose names, read at the position the
// tree gives, are the tree's.
func collectEdits(v any, text string, r *Relocation, out *[]edit) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectEdits(e, text, r, out)
		}
	case map[string]any:
		typ, _ := x["type"].(string)
		switch {
		case typ == "BASE_TABLE" && isTableRef(x):
			schema, _ := x["schema_name"].(string)
			name, _ := x["table_name"].(string)
			catalog, _ := x["catalog_name"].(string)
			switch {
			case catalog == "" && schema == "" && r.movesUnqualified(name):
				addUnqualifiedEdit(x, text, name, r, out)
			case catalog == "" && r.moves(schema, name):
				addEdit(x, text, schema, name, r, out)
			}
		case x["class"] == "COLUMN_REF":
			names, _ := x["column_names"].([]any)
			if len(names) >= 3 {
				schema, _ := names[0].(string)
				name, _ := names[1].(string)
				if r.moves(schema, name) {
					addEdit(x, text, schema, name, r, out)
				}
			}
		}
		for _, e := range x {
			collectEdits(e, text, r, out)
		}
	}
}

func addEdit(node map[string]any, text, schema, name string, r *Relocation, out *[]edit) {
	loc, ok := location(node)
	if !ok || loc >= len(text) {
		return
	}
	end, a, b, ok := qualifiedName(text, loc)
	if !ok || !strings.EqualFold(a, schema) || !strings.EqualFold(b, name) {
		return
	}
	*out = append(*out, edit{from: loc, to: end, with: r.To + `."` + strings.ReplaceAll(name, `"`, `""`) + `"`})
}

func addUnqualifiedEdit(node map[string]any, text, name string, r *Relocation, out *[]edit) {
	loc, ok := location(node)
	if !ok || loc >= len(text) {
		return
	}
	end, a, ok := identifier(text, loc)
	if !ok || !strings.EqualFold(a, name) {
		return
	}
	if i := skipSpace(text, end); i < len(text) && text[i] == '.' {
		return // not a name alone
	}
	*out = append(*out, edit{from: loc, to: end, with: r.To + `."` + strings.ReplaceAll(name, `"`, `""`) + `"`})
}

func location(node map[string]any) (int, bool) {
	n, ok := node["query_location"].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	if err != nil || i < 0 {
		return 0, false
	}
	return int(i), true
}

// qualifiedName reads "a . b" at text[at:] (identifiers plain or double
// quoted, spaces and comments around the dot) and returns where it ends and
// the two names as DuckDB reads them.
func qualifiedName(text string, at int) (end int, a, b string, ok bool) {
	i, a, ok := identifier(text, at)
	if !ok {
		return 0, "", "", false
	}
	i = skipSpace(text, i)
	if i >= len(text) || text[i] != '.' {
		return 0, "", "", false
	}
	i = skipSpace(text, i+1)
	end, b, ok = identifier(text, i)
	return end, a, b, ok
}

func identifier(text string, i int) (int, string, bool) {
	if i >= len(text) {
		return 0, "", false
	}
	if text[i] == '"' {
		var b strings.Builder
		for j := i + 1; j < len(text); j++ {
			if text[j] != '"' {
				b.WriteByte(text[j])
				continue
			}
			if j+1 < len(text) && text[j+1] == '"' {
				b.WriteByte('"')
				j++
				continue
			}
			return j + 1, b.String(), b.Len() > 0
		}
		return 0, "", false
	}
	j := i
	for j < len(text) && (text[j] == '_' || text[j] >= 0x80 || isAlpha(text[j]) || (j > i && (isDigit(text[j]) || text[j] == '$'))) {
		j++
	}
	if j == i {
		return 0, "", false
	}
	// DuckDB keeps an unquoted identifier's case; it compares names without it.
	return j, text[i:j], true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipSpace skips spaces and comments (-- to the end of the line, nested /* */).
func skipSpace(text string, i int) int {
	for i < len(text) {
		switch {
		case text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r' || text[i] == '\f' || text[i] == '\v':
			i++
		case strings.HasPrefix(text[i:], "--"):
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				return len(text)
			}
			i += j + 1
		case strings.HasPrefix(text[i:], "/*"):
			depth := 0
			for i < len(text) {
				if strings.HasPrefix(text[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(text[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
		default:
			return i
		}
	}
	return i
}

// SameRelocated reports whether tree b is tree a with the references r
// moves (base tables, schema.table.column references) in r.To, and nothing
// else changed but the positions (query_location).
func SameRelocated(a, b any, r Relocation) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		typ, _ := x["type"].(string)
		tableMoved := false
		if typ == "BASE_TABLE" && isTableRef(x) {
			schema, _ := x["schema_name"].(string)
			name, _ := x["table_name"].(string)
			catalog, _ := x["catalog_name"].(string)
			tableMoved = catalog == "" && (r.moves(schema, name) || schema == "" && r.movesUnqualified(name)) && y["schema_name"] == r.To
		}
		for k, xv := range x {
			yv, ok := y[k]
			switch {
			case !ok:
				return false
			case k == "query_location":
			case k == "schema_name" && tableMoved:
			case k == "column_names" && x["class"] == "COLUMN_REF":
				if !sameColumnNames(xv, yv, &r) {
					return false
				}
			default:
				if !SameRelocated(xv, yv, r) {
					return false
				}
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !SameRelocated(x[i], y[i], r) {
				return false
			}
		}
		return true
	case json.Number:
		y, ok := b.(json.Number)
		return ok && x == y
	default:
		return a == b
	}
}

func sameColumnNames(a, b any, r *Relocation) bool {
	x, _ := a.([]any)
	y, _ := b.([]any)
	if len(x) != len(y) || x == nil {
		return SameRelocated(a, b, *r)
	}
	start := 0
	if len(x) >= 3 {
		schema, _ := x[0].(string)
		name, _ := x[1].(string)
		if r.moves(schema, name) && y[0] == r.To {
			start = 1
		}
	}
	for i := start; i < len(x); i++ {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}
