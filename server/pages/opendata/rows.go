package opendata

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/sonla-data/kho/internal/valtext"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/server/pages/site"
)

// Field is a published column, typed as CKAN's DataStore types them.
type Field struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Label   string `json:"-"`
	LabelEN string `json:"-"`
}

// CKANType is a column's DataStore type.
func CKANType(c schemas.Column) string {
	switch c.Kind() {
	case schemas.KindInt:
		return "int"
	case schemas.KindFloat:
		return "float8"
	case schemas.KindDecimal:
		return "numeric"
	case schemas.KindDate:
		return "date"
	case schemas.KindTimestamp:
		return "timestamp"
	case schemas.KindBool:
		return "bool"
	}
	return "text"
}

// Fields are the dataset's published columns.
func (d *Dataset) Fields() []Field {
	out := make([]Field, len(d.Columns))
	for i, c := range d.Columns {
		out[i] = Field{ID: c.Name, Type: CKANType(c), Label: c.Label, LabelEN: c.LabelEN}
	}
	return out
}

// RowQuery selects rows of a dataset.
type RowQuery struct {
	Limit, Offset int
	// Q keeps rows where any column's text contains it (case-insensitive).
	Q string
	// Filters keep rows whose column equals one of the values.
	Filters map[string][]string
	// Sort is "column [asc|desc], …"; empty: the dataset's key.
	Sort string
}

// Result is a page of rows.
type Result struct {
	Fields  []Field
	Records [][]any // JSON-ready values, in Fields' order
	Total   int64
}

// FilterError is a query naming a column that is not published.
type FilterError struct{ Column string }

func (e *FilterError) Error() string {
	return fmt.Sprintf("field %q is not a column of this dataset", e.Column)
}

// selectList is the published columns, quoted: the only columns the portal
// ever reads.
func (d *Dataset) selectList() string {
	cols := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		cols[i] = ident(c.Name)
	}
	return strings.Join(cols, ", ")
}

func (d *Dataset) column(name string) bool {
	for _, c := range d.Columns {
		if c.Name == name {
			return true
		}
	}
	return false
}

// where builds the condition of a query, values as parameters.
func (d *Dataset) where(q RowQuery) (string, []any, error) {
	var conds []string
	var args []any
	for col, vals := range q.Filters {
		if !d.column(col) {
			return "", nil, &FilterError{Column: col}
		}
		if len(vals) == 0 {
			continue
		}
		ph := make([]string, len(vals))
		for i, v := range vals {
			ph[i] = "?"
			args = append(args, v)
		}
		conds = append(conds, fmt.Sprintf("CAST(%s AS VARCHAR) IN (%s)", ident(col), strings.Join(ph, ", ")))
	}
	if s := strings.TrimSpace(q.Q); s != "" {
		var ors []string
		for _, c := range d.Columns {
			ors = append(ors, fmt.Sprintf("CAST(%s AS VARCHAR) ILIKE ?", ident(c.Name)))
			args = append(args, "%"+escapeLike(s)+"%")
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// orderBy reads a CKAN sort ("col desc, col2").
func (d *Dataset) orderBy(sort string) (string, error) {
	var parts []string
	for _, p := range strings.Split(sort, ",") {
		f := strings.Fields(p)
		if len(f) == 0 {
			continue
		}
		if !d.column(f[0]) {
			return "", &FilterError{Column: f[0]}
		}
		dir := "ASC"
		if len(f) > 1 && strings.EqualFold(f[1], "desc") {
			dir = "DESC"
		}
		parts = append(parts, ident(f[0])+" "+dir)
	}
	if len(parts) == 0 {
		for _, k := range d.Schema.Key {
			if d.column(k) {
				parts = append(parts, ident(k))
			}
		}
	}
	if len(parts) == 0 {
		return "", nil
	}
	return " ORDER BY " + strings.Join(parts, ", "), nil
}

// Rows reads a page of a dataset's published columns.
func (c *Catalog) Rows(ctx context.Context, d *Dataset, q RowQuery) (*Result, error) {
	res := &Result{Fields: d.Fields()}
	if len(d.Columns) == 0 {
		return res, nil
	}
	where, args, err := d.where(q)
	if err != nil {
		return nil, err
	}
	order, err := d.orderBy(q.Sort)
	if err != nil {
		return nil, err
	}
	from := " FROM " + tableRef(d.Name) + where
	if err := c.count(ctx, d, "SELECT count(*)"+from, args, &res.Total); err != nil {
		return nil, fmt.Errorf("counting %s: %w", d.Name, err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	st := site.Statement{Reader: Reader, Object: d.Name, Args: args,
		SQL: fmt.Sprintf("SELECT %s%s%s LIMIT %d OFFSET %d", d.selectList(), from, order, limit, max(0, q.Offset))}
	err = c.deps.Query.Scan(ctx, st, func(_, _ []string) error { return nil }, func(vals []any) error {
		rec := make([]any, len(vals))
		for i, v := range vals {
			rec[i] = ColumnValue(v, d.Columns[i])
		}
		res.Records = append(res.Records, rec)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", d.Name, err)
	}
	return res, nil
}

// JSONValue makes a scanned value JSON-ready: dates as 2025-01-31, times in
// RFC 3339 (an instant in Asia/Ho_Chi_Minh, +07:00), decimals as exact
// numbers with their scale. A DATE and a TIMESTAMPTZ at 00:00:00Z scan to
// the same time.Time: ColumnValue, which knows the column, tells them apart;
// here a time is an instant.
func JSONValue(v any) any { return jsonValue(v, valtext.Instant) }

// ColumnValue is JSONValue for a value of a published column: a date
// column's values are dates, a timestamp column's instants.
func ColumnValue(v any, c schemas.Column) any {
	k := valtext.Instant
	if c.Kind() == schemas.KindDate {
		k = valtext.Date
	}
	return jsonValue(v, k)
}

func jsonValue(v any, k valtext.TimeKind) any {
	if d, ok := valtext.DecimalOf(v); ok {
		return json.Number(d)
	}
	switch x := v.(type) {
	case time.Time:
		return valtext.TimeRFC3339(x, k)
	case []byte:
		return string(x)
	case *big.Int:
		return json.Number(x.String())
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case fmt.Stringer: // duckdb.UUID
		s := x.String()
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return json.Number(s)
		}
		return s
	}
	return v
}

// Text renders a JSON-ready value for a CSV cell or a preview: numbers in
// their shortest exact form (no exponent from 1e-6 to 1e21), decimals with
// their scale.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return string(x)
	case float64:
		return valtext.Float(x, 64)
	case float32:
		return valtext.Float(float64(x), 32)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func (c *Catalog) count(ctx context.Context, d *Dataset, query string, args []any, n *int64) error {
	st := site.Statement{Reader: Reader, Object: d.Name, SQL: query, Args: args}
	return c.deps.Query.Scan(ctx, st, func(_, _ []string) error { return nil }, func(vals []any) error {
		if len(vals) == 1 {
			if v, ok := vals[0].(int64); ok {
				*n = v
				return nil
			}
		}
		return fmt.Errorf("a count of %s is not one number: %v", d.Name, vals)
	})
}
