package opendata

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
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
	// Filters keep rows whose column equals one of the values ("_id" too).
	Filters map[string][]string
	// Sort is "column [asc|desc], …"; empty: the row's _id.
	Sort string
	// Fields are the columns read, in order ("_id" among them or not);
	// empty: _id (when WithID) and every published column.
	Fields []string
	// WithID reads each row's _id: its position (from 1) in the dataset's
	// stable order (its key, else every published column), the same for
	// every query of one snapshot of the table whatever the filter, sort or
	// page.
	WithID bool
	// Distinct reads each distinct row of Fields once (no _id unless
	// Fields names it).
	Distinct bool
	// NoTotal skips counting the matching rows.
	NoTotal bool
}

// IDField is the DataStore's row id.
const IDField = "_id"

// Result is a page of rows.
type Result struct {
	Fields  []Field
	Records [][]any // JSON-ready values, in Fields' order
	Total   int64   // rows matching, before limit and offset (-1: not counted)
}

// FilterError is a query naming a column that is not published.
type FilterError struct {
	Column string
	// Param is the parameter that names it (filters, sort, fields, q).
	Param string
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("field %q is not a column of this dataset", e.Column)
}

// published returns a published column by name.
func (d *Dataset) published(name string) (schemas.Column, bool) {
	for _, c := range d.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return schemas.Column{}, false
}

func (d *Dataset) column(name string) bool {
	_, ok := d.published(name)
	return ok || name == IDField
}

// stableOrder is the order of a dataset's rows that _id numbers: its key,
// then every other published column, so that rows with the same key values
// (none, when the key holds) still come in one order.
func (d *Dataset) stableOrder() string {
	var parts []string
	seen := map[string]bool{}
	for _, k := range d.Schema.Key {
		if _, ok := d.published(k); ok && !seen[k] {
			parts = append(parts, ident(k)+" ASC NULLS LAST")
			seen[k] = true
		}
	}
	for _, c := range d.Columns {
		if !seen[c.Name] {
			parts = append(parts, ident(c.Name)+" ASC NULLS LAST")
		}
	}
	return strings.Join(parts, ", ")
}

// where builds the condition of a query, values as parameters.
func (d *Dataset) where(q RowQuery) (string, []any, error) {
	var conds []string
	var args []any
	cols := make([]string, 0, len(q.Filters))
	for col := range q.Filters {
		cols = append(cols, col)
	}
	sort.Strings(cols) // one text for one query: the audit log compares
	for _, col := range cols {
		vals := q.Filters[col]
		if !d.column(col) {
			return "", nil, &FilterError{Column: col, Param: "filters"}
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

// orderBy reads a CKAN sort ("col desc, col2", names may be quoted); empty:
// def.
func (d *Dataset) orderBy(sort, def string) (string, error) {
	var parts []string
	for _, p := range strings.Split(sort, ",") {
		f := strings.Fields(p)
		if len(f) == 0 {
			continue
		}
		name := strings.Trim(f[0], `"`)
		if !d.column(name) {
			return "", &FilterError{Column: name, Param: "sort"}
		}
		dir := "ASC"
		if len(f) > 1 && strings.EqualFold(f[1], "desc") {
			dir = "DESC"
		}
		parts = append(parts, ident(name)+" "+dir)
	}
	if len(parts) == 0 {
		if def == "" {
			return "", nil
		}
		return " ORDER BY " + def, nil
	}
	return " ORDER BY " + strings.Join(parts, ", "), nil
}

// selected are the fields a query reads, in order.
func (d *Dataset) selected(q RowQuery) ([]Field, error) {
	all := d.Fields()
	if len(q.Fields) == 0 {
		if q.WithID && !q.Distinct {
			return append([]Field{{ID: IDField, Type: "int"}}, all...), nil
		}
		return all, nil
	}
	var out []Field
	seen := map[string]bool{}
	for _, name := range q.Fields {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		if name == IDField {
			out = append(out, Field{ID: IDField, Type: "int"})
			continue
		}
		found := false
		for _, f := range all {
			if f.ID == name {
				out, found = append(out, f), true
			}
		}
		if !found {
			return nil, &FilterError{Column: name, Param: "fields"}
		}
	}
	return out, nil
}

// Rows reads a page of a dataset's published columns.
func (c *Catalog) Rows(ctx context.Context, d *Dataset, q RowQuery) (*Result, error) {
	fields, err := d.selected(q)
	if err != nil {
		return nil, err
	}
	res := &Result{Fields: fields, Total: -1}
	if len(d.Columns) == 0 {
		res.Total = 0
		return res, nil
	}
	where, args, err := d.where(q)
	if err != nil {
		return nil, err
	}
	needID := q.WithID || q.Filters[IDField] != nil || strings.Contains(q.Sort, IDField)
	for _, f := range fields {
		needID = needID || f.ID == IDField
	}
	source := tableRef(d.Name)
	if needID {
		source = fmt.Sprintf("(SELECT row_number() OVER (ORDER BY %s) AS %s, %s FROM %s) AS t",
			d.stableOrder(), ident(IDField), d.selectList(), tableRef(d.Name))
	}
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = ident(f.ID)
	}
	list := strings.Join(cols, ", ")
	def := ""
	switch {
	case q.Distinct:
		def = list
	case needID:
		def = ident(IDField)
	default:
		def = d.stableOrder()
	}
	order, err := d.orderBy(q.Sort, def)
	if err != nil {
		return nil, err
	}
	sel := "SELECT "
	if q.Distinct {
		sel = "SELECT DISTINCT "
	}
	body := sel + list + " FROM " + source + where
	if !q.NoTotal {
		if err := c.count(ctx, d, "SELECT count(*) FROM ("+body+") AS matching", args, &res.Total); err != nil {
			return nil, fmt.Errorf("counting %s: %w", d.Name, err)
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	st := site.Statement{Reader: Reader, Object: d.Name, Args: args,
		SQL: fmt.Sprintf("%s%s LIMIT %d OFFSET %d", body, order, limit, max(0, q.Offset))}
	err = c.deps.Query.Scan(ctx, st, func(_, _ []string) error { return nil }, func(vals []any) error {
		rec := make([]any, len(vals))
		for i, v := range vals {
			col, _ := d.published(fields[i].ID)
			rec[i] = ColumnValue(v, col)
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

// selectList is the published columns, quoted: the only columns the portal
// ever reads.
func (d *Dataset) selectList() string {
	cols := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		cols[i] = ident(c.Name)
	}
	return strings.Join(cols, ", ")
}

// Period is the time a dataset's rows cover: the first and last day of its
// own date (the partition column, when it is a date or a time), read
// through the engine. ok is false when the dataset has no such column or
// no dated row.
func (c *Catalog) Period(ctx context.Context, d *Dataset) (from, to time.Time, ok bool, err error) {
	if d.Schema == nil || d.Schema.Partition == nil {
		return from, to, false, nil
	}
	col, found := d.published(d.Schema.Partition.Column)
	if !found || (col.Kind() != schemas.KindDate && col.Kind() != schemas.KindTimestamp) {
		return from, to, false, nil
	}
	st := site.Statement{Reader: Reader, Object: d.Name,
		SQL: fmt.Sprintf("SELECT CAST(min(%s) AS DATE), CAST(max(%s) AS DATE) FROM %s", ident(col.Name), ident(col.Name), tableRef(d.Name))}
	err = c.deps.Query.Scan(ctx, st, func(_, _ []string) error { return nil }, func(vals []any) error {
		a, aok := vals[0].(time.Time)
		b, bok := vals[1].(time.Time)
		if aok && bok {
			from, to, ok = a, b, true
		}
		return nil
	})
	if err != nil {
		return from, to, false, fmt.Errorf("reading the period of %s: %w", d.Name, err)
	}
	return from, to, ok, nil
}
