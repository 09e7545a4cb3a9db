package marts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sonla-data/kho/warehouse/query"
)

// testSQL turns a header test into a query returning the failing rows.
func (m *Mart) testSQL(t Test) (string, error) {
	tbl := "marts." + query.Ident(m.Name)
	args := splitArgs(t.Args)
	cols := func() ([]string, error) {
		if len(args) == 0 {
			return nil, errors.New("needs columns")
		}
		out := make([]string, len(args))
		for i, a := range args {
			if !nameRe.MatchString(a) {
				return nil, fmt.Errorf("%q is not a column name", a)
			}
			out[i] = query.Ident(a)
		}
		return out, nil
	}
	switch t.Kind {
	case "not_null":
		cs, err := cols()
		if err != nil {
			return "", err
		}
		conds := make([]string, len(cs))
		for i, c := range cs {
			conds[i] = c + " IS NULL"
		}
		return fmt.Sprintf("SELECT * FROM %s WHERE %s", tbl, strings.Join(conds, " OR ")), nil
	case "unique":
		cs, err := cols()
		if err != nil {
			return "", err
		}
		list := strings.Join(cs, ", ")
		return fmt.Sprintf("SELECT %s, count(*) AS n FROM %s GROUP BY ALL HAVING count(*) > 1", list, tbl), nil
	case "accepted_values":
		if len(args) < 2 || !nameRe.MatchString(args[0]) {
			return "", errors.New("needs a column and values")
		}
		return fmt.Sprintf("SELECT * FROM %s WHERE %s IS NOT NULL AND %s NOT IN (%s)", tbl, query.Ident(args[0]), query.Ident(args[0]), strings.Join(args[1:], ", ")), nil
	case "accepted_range":
		if len(args) != 3 || !nameRe.MatchString(args[0]) {
			return "", errors.New("needs a column, a low and a high bound")
		}
		return fmt.Sprintf("SELECT * FROM %s WHERE %s < %s OR %s > %s", tbl, query.Ident(args[0]), args[1], query.Ident(args[0]), args[2]), nil
	case "reconcile":
		agg, other, ok := cutArg(t.Args)
		if !ok || !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(other)), "SELECT") {
			return "", errors.New("needs an aggregate over the mart and a SELECT of the value it must equal")
		}
		return fmt.Sprintf("SELECT mart_value, source_value FROM (SELECT (SELECT %s FROM %s) AS mart_value, (%s) AS source_value) WHERE mart_value IS DISTINCT FROM source_value",
			strings.TrimSpace(agg), tbl, strings.TrimSpace(other)), nil
	case "assert":
		// assert(<condition over a row>): the rows where it is not true.
		if strings.TrimSpace(t.Args) == "" {
			return "", errors.New("needs a condition")
		}
		return fmt.Sprintf("SELECT * FROM %s WHERE (%s) IS NOT TRUE", tbl, t.Args), nil
	case "row_count":
		// row_count(min[, max]): the mart's row count, when outside.
		if len(args) < 1 || len(args) > 2 {
			return "", errors.New("needs a minimum and an optional maximum")
		}
		var bounds []int64
		for _, a := range args {
			n, err := strconv.ParseInt(a, 10, 64)
			if err != nil || n < 0 {
				return "", fmt.Errorf("%q is not a row count", a)
			}
			bounds = append(bounds, n)
		}
		cond := fmt.Sprintf("n < %d", bounds[0])
		if len(bounds) == 2 {
			cond += fmt.Sprintf(" OR n > %d", bounds[1])
		}
		return fmt.Sprintf("SELECT n FROM (SELECT count(*) AS n FROM %s) WHERE %s", tbl, cond), nil
	case "relationships":
		// relationships(col, namespace.table, col2): the rows whose col is
		// not NULL and not among the other table's col2.
		if len(args) != 3 || !nameRe.MatchString(args[0]) || !nameRe.MatchString(args[2]) {
			return "", errors.New("needs a column, a namespace.table and its column")
		}
		ns, other, ok := strings.Cut(args[1], ".")
		if !ok || !nameRe.MatchString(ns) || !nameRe.MatchString(other) {
			return "", fmt.Errorf("%q is not a namespace.table", args[1])
		}
		return fmt.Sprintf("SELECT * FROM %s WHERE %s IS NOT NULL AND %s NOT IN (SELECT %s FROM %s.%s WHERE %s IS NOT NULL)",
			tbl, query.Ident(args[0]), query.Ident(args[0]), query.Ident(args[2]), query.Ident(ns), query.Ident(other), query.Ident(args[2])), nil
	}
	return "", fmt.Errorf("unknown test kind %q (not_null, unique, accepted_values, accepted_range, reconcile, assert, row_count, relationships)", t.Kind)
}

// cutArg cuts s at its first comma outside quotes and parentheses.
func cutArg(s string) (first, rest string, ok bool) {
	depth, quoted := 0, false
	for i, r := range s {
		switch {
		case r == '\'':
			quoted = !quoted
		case !quoted && r == '(':
			depth++
		case !quoted && r == ')':
			depth--
		case !quoted && depth == 0 && r == ',':
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// splitArgs splits on commas outside quotes and parentheses.
func splitArgs(s string) []string {
	var (
		out   []string
		depth int
		quote bool
		cur   strings.Builder
	)
	for _, r := range s {
		switch {
		case r == '\'':
			quote = !quote
		case !quote && r == '(':
			depth++
		case !quote && r == ')':
			depth--
		case !quote && depth == 0 && r == ',':
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}
