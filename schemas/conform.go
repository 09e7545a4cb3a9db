package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas/units"
)

// Bad is one quarantined row: where it came from, the first rule it failed
// and why, and the row as read.
type Bad struct {
	File     string
	Row      int64
	Key      string
	Column   string
	Rule     string
	Raw      string
	ReasonVI string
	ReasonEN string
	Record   string // the source row as a JSON object of text values
}

// Stats counts what a conform step did.
type Stats struct {
	Read        int64
	Written     int64
	Quarantined int64
	FailedRule  map[string]int64 // "column:rule" -> rows that failed it
	Warned      map[string]int64 // warn-severity checks that failed, kept rows
	Repaired    map[string]int64 // "column:repair" -> values changed
}

// ConformOptions tune a Conformer.
type ConformOptions struct {
	Alloc memory.Allocator
	Units *units.Set
	// Today dates the rows of admin_unit columns that name no date column.
	Today time.Time
}

// Conformer turns source batches into batches of a dataset. It keeps the keys
// seen so far to find duplicates within a run; use one per run and target.
type Conformer struct {
	ds      *Dataset
	out     *arrow.Schema
	alloc   memory.Allocator
	cols    []plan
	order   []int // conversion order: dates before the admin units that need them
	fileCol int
	rowCol  int
	errCol  int
	srcCols []string
	keyIdx  []int
	seen    map[string]struct{}
	uniq    map[int]map[string]struct{}
	today   time.Time
	stats   Stats
	matcher map[string]*units.Matcher
}

type plan struct {
	col *Column
	src int // input column index, -1 when the source has none
}

// NewConformer plans the conversion of batches of schema in into ds. mapping
// maps source column names to dataset columns; other source columns are used
// where their name, or their header text, equals a column's name or label.
func NewConformer(ds *Dataset, in *arrow.Schema, mapping map[string]string, opt ConformOptions) (*Conformer, error) {
	c := &Conformer{ds: ds, out: ds.ArrowSchema(), alloc: opt.Alloc, fileCol: -1, rowCol: -1, errCol: -1,
		seen: map[string]struct{}{}, uniq: map[int]map[string]struct{}{}, today: dayOf(opt.Today),
		matcher: map[string]*units.Matcher{}}
	if c.alloc == nil {
		c.alloc = memory.DefaultAllocator
	}
	if c.today.IsZero() || opt.Today.IsZero() {
		c.today = dayOf(time.Now())
	}
	c.stats = Stats{FailedRule: map[string]int64{}, Warned: map[string]int64{}, Repaired: map[string]int64{}}
	byTarget := map[string]int{}
	var errs []error
	for src, dst := range mapping {
		if _, ok := ds.Column(dst); !ok {
			errs = append(errs, fmt.Errorf("mapping %s: %s: dataset %s has no column %q", src, dst, ds.Name, dst))
		}
	}
	for i, f := range in.Fields() {
		c.srcCols = append(c.srcCols, f.Name)
		switch f.Name {
		case connectors.ColFile:
			c.fileCol = i
			continue
		case connectors.ColRow:
			c.rowCol = i
			continue
		case connectors.ColError:
			c.errCol = i
			continue
		}
		if dst, ok := mapping[f.Name]; ok {
			byTarget[dst] = i
		}
	}
	for i, f := range in.Fields() {
		if _, mapped := mapping[f.Name]; mapped || strings.HasPrefix(f.Name, "_kho_") {
			continue
		}
		for j := range ds.Columns {
			col := &ds.Columns[j]
			if _, taken := byTarget[col.Name]; taken {
				continue
			}
			if f.Name == col.Name || (col.Label != "" && labelKey(f.Name) == labelKey(col.Label)) {
				byTarget[col.Name] = i
			}
		}
	}
	for j := range ds.Columns {
		col := &ds.Columns[j]
		src, ok := byTarget[col.Name]
		if !ok {
			src = -1
			if col.Required || ds.IsKey(col.Name) {
				errs = append(errs, fmt.Errorf("dataset %s column %q is required but no source column maps to it (source has %s)",
					ds.Name, col.Name, strings.Join(visible(c.srcCols), ", ")))
			}
		}
		c.cols = append(c.cols, plan{col: col, src: src})
		if col.kind == KindAdminUnit {
			if _, ok := c.matcher[col.AdminUnit.Level]; !ok {
				if opt.Units == nil {
					return nil, errors.New("conform: admin_unit columns need the units reference")
				}
				c.matcher[col.AdminUnit.Level] = units.NewMatcher(opt.Units, col.AdminUnit.Level)
			}
		}
	}
	for j := range c.cols {
		if c.cols[j].col.kind != KindAdminUnit {
			c.order = append(c.order, j)
		}
	}
	for j := range c.cols {
		if c.cols[j].col.kind == KindAdminUnit {
			c.order = append(c.order, j)
		}
	}
	for _, k := range ds.Key {
		for j := range c.cols {
			if c.cols[j].col.Name == k {
				c.keyIdx = append(c.keyIdx, j)
			}
		}
	}
	return c, errors.Join(errs...)
}

func visible(cols []string) []string {
	var out []string
	for _, c := range cols {
		if !strings.HasPrefix(c, "_kho_") {
			out = append(out, fmt.Sprintf("%q", c))
		}
	}
	return out
}

// labelKey compares header text with labels: NFC, lower case, single spaces.
func labelKey(s string) string {
	s = strings.ToLower(norm.NFC.String(s))
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// Schema is the schema of the conformed batches.
func (c *Conformer) Schema() *arrow.Schema { return c.out }

// Stats returns the counts so far.
func (c *Conformer) Stats() Stats { return c.stats }

// failure is a rule a value broke.
type failure struct {
	column, rule, raw, vi, en string
	warn                      bool
}

// Conform converts one batch. It returns the good rows as a batch (nil when
// none; the caller releases it) and the bad rows. Every input row is either
// in out or in bad.
func (c *Conformer) Conform(in arrow.RecordBatch) (arrow.RecordBatch, []Bad, error) {
	n := int(in.NumRows())
	get := make([]getter, in.NumCols())
	for i := range get {
		get[i] = newGetter(in.Column(i))
	}
	b := array.NewRecordBuilder(c.alloc, c.out)
	defer b.Release()
	b.Reserve(n)
	vals := make([]any, len(c.cols))
	var bad []Bad
	written := 0
	for r := 0; r < n; r++ {
		c.stats.Read++
		for j := range vals {
			vals[j] = nil
		}
		var fail *failure
		if c.errCol >= 0 {
			if msg, ok := get[c.errCol](r); ok {
				fail = &failure{rule: "read", vi: "Không đọc được dòng: " + msg.(string), en: "unreadable row: " + msg.(string)}
			}
		}
		for _, j := range c.order {
			if fail != nil {
				break
			}
			fail = c.convert(j, get, r, vals)
		}
		if fail == nil {
			fail = c.checkRow(vals)
		}
		if fail == nil {
			fail = c.checkUnique(vals)
		}
		if fail != nil {
			c.stats.Quarantined++
			c.stats.FailedRule[fail.column+":"+fail.rule]++
			bad = append(bad, c.bad(get, r, vals, fail))
			continue
		}
		for j, v := range vals {
			appendValue(b.Field(j), v)
		}
		written++
		c.stats.Written++
	}
	if written == 0 {
		return nil, bad, nil
	}
	return b.NewRecordBatch(), bad, nil
}

// convert reads, casts and checks column j of row r into vals[j].
func (c *Conformer) convert(j int, get []getter, r int, vals []any) *failure {
	p := c.cols[j]
	col := p.col
	var raw any
	ok := false
	if p.src >= 0 {
		raw, ok = get[p.src](r)
	}
	if s, isStr := raw.(string); ok && isStr {
		s = strings.TrimSpace(norm.NFC.String(s))
		if s == "" {
			ok = false
		}
		raw = s
	}
	if !ok {
		if col.Required || c.ds.IsKey(col.Name) {
			return &failure{column: col.Name, rule: "required", vi: fmt.Sprintf("Thiếu giá trị bắt buộc ở cột %s (%s)", col.Name, col.Label),
				en: fmt.Sprintf("column %s is required", col.Name)}
		}
		return nil
	}
	v, err := c.cast(col, raw, vals)
	if err != nil {
		rule := "type"
		var me *units.MatchError
		vi := fmt.Sprintf("Cột %s (%s): giá trị %q không hợp lệ: %v", col.Name, col.Label, rawText(raw), err)
		if errors.As(err, &me) {
			rule = "admin_unit"
			vi = fmt.Sprintf("Cột %s (%s): %s", col.Name, col.Label, me.ReasonVI())
		}
		return &failure{column: col.Name, rule: rule, raw: rawText(raw), vi: vi, en: fmt.Sprintf("column %s: %v", col.Name, err)}
	}
	if f := checkValue(col, v); f != nil {
		f.raw = rawText(raw)
		return f
	}
	vals[j] = v
	return nil
}

func (c *Conformer) cast(col *Column, raw any, vals []any) (any, error) {
	switch col.kind {
	case KindString:
		s := rawText(raw)
		switch col.Case {
		case "upper":
			s = strings.ToUpper(s)
		case "lower":
			s = strings.ToLower(s)
		case "title":
			s = cases.Title(language.Vietnamese).String(s)
		}
		return s, nil
	case KindInt:
		return toInt(raw)
	case KindFloat:
		return toFloat(raw)
	case KindDecimal:
		return toDecimal(raw, col.precision, col.scale)
	case KindBool:
		return toBool(raw)
	case KindDate:
		t, err := toTime(raw, col.Format)
		if err != nil {
			return nil, err
		}
		return dayOf(t), nil
	case KindTimestamp:
		t, err := toTime(raw, col.Format)
		if err != nil {
			return nil, err
		}
		return t.UTC(), nil
	case KindAdminUnit:
		day := c.today
		if dc := col.AdminUnit.DateColumn; dc != "" {
			for j := range c.cols {
				if c.cols[j].col.Name == dc {
					if t, ok := vals[j].(time.Time); ok {
						day = dayOf(t)
					}
				}
			}
		}
		var s string
		if n, isInt := raw.(int64); isInt {
			s = fmt.Sprintf("%05d", n)
		} else {
			s = rawText(raw)
		}
		u, err := c.matcher[col.AdminUnit.Level].Match(s, day)
		if err != nil {
			return nil, err
		}
		return u.Code, nil
	}
	return nil, fmt.Errorf("unsupported column kind %d", col.kind)
}

// checkValue applies the column's rules to a converted value.
func checkValue(col *Column, v any) *failure {
	num, isNum := 0.0, false
	switch v := v.(type) {
	case int64:
		num, isNum = float64(v), true
	case float64:
		num, isNum = v, true
	case decimal128.Num:
		num, isNum = v.ToFloat64(int32(col.scale)), true
	}
	if isNum && col.Min != nil && num < *col.Min {
		return &failure{column: col.Name, rule: "min", vi: fmt.Sprintf("Cột %s (%s): %v nhỏ hơn mức tối thiểu %v", col.Name, col.Label, num, *col.Min),
			en: fmt.Sprintf("column %s: %v is below the minimum %v", col.Name, num, *col.Min)}
	}
	if isNum && col.Max != nil && num > *col.Max {
		return &failure{column: col.Name, rule: "max", vi: fmt.Sprintf("Cột %s (%s): %v lớn hơn mức tối đa %v", col.Name, col.Label, num, *col.Max),
			en: fmt.Sprintf("column %s: %v is above the maximum %v", col.Name, num, *col.Max)}
	}
	text := ""
	if s, ok := v.(string); ok {
		text = s
	} else if n, ok := v.(int64); ok {
		text = fmt.Sprint(n)
	}
	if col.re != nil && !col.re.MatchString(text) {
		return &failure{column: col.Name, rule: "pattern", vi: fmt.Sprintf("Cột %s (%s): %q không đúng mẫu %s", col.Name, col.Label, text, col.Pattern),
			en: fmt.Sprintf("column %s: %q does not match %s", col.Name, text, col.Pattern)}
	}
	if len(col.Values) > 0 {
		for _, a := range col.Values {
			if a == text {
				return nil
			}
		}
		return &failure{column: col.Name, rule: "values", vi: fmt.Sprintf("Cột %s (%s): %q không thuộc danh mục %s", col.Name, col.Label, text, strings.Join(col.Values, ", ")),
			en: fmt.Sprintf("column %s: %q is not one of %s", col.Name, text, strings.Join(col.Values, ", "))}
	}
	return nil
}

// checkRow applies the dataset's row checks.
func (c *Conformer) checkRow(vals []any) *failure {
	for i := range c.ds.Checks {
		ck := &c.ds.Checks[i]
		l, r := c.value(vals, ck.left), c.value(vals, ck.right)
		if l == nil || r == nil {
			continue
		}
		if compare(l, r, ck.op) {
			continue
		}
		msg := ck.Message
		if msg == "" {
			msg = "Vi phạm quy tắc " + ck.Name
		}
		f := &failure{column: ck.left, rule: ck.Name, raw: rawText(l) + " " + ck.op + " " + rawText(r) + " is false",
			vi: fmt.Sprintf("%s (%s)", msg, ck.Assert), en: fmt.Sprintf("check %s failed: %s", ck.Name, ck.Assert)}
		if ck.Severity == "warn" {
			c.stats.Warned[ck.Name]++
			continue
		}
		return f
	}
	return nil
}

func (c *Conformer) value(vals []any, name string) any {
	for j := range c.cols {
		if c.cols[j].col.Name == name {
			return vals[j]
		}
	}
	return nil
}

func compare(l, r any, op string) bool {
	var cmp int
	switch l := l.(type) {
	case time.Time:
		rt, ok := r.(time.Time)
		if !ok {
			return false
		}
		cmp = l.Compare(rt)
	case string:
		cmp = strings.Compare(l, rawText(r))
	default:
		lf, err1 := toFloat(l)
		rf, err2 := toFloat(r)
		if dl, ok := l.(decimal128.Num); ok {
			lf, err1 = dl.ToFloat64(0), nil
		}
		if dr, ok := r.(decimal128.Num); ok {
			rf, err2 = dr.ToFloat64(0), nil
		}
		if err1 != nil || err2 != nil {
			return false
		}
		switch {
		case lf < rf:
			cmp = -1
		case lf > rf:
			cmp = 1
		}
	}
	switch op {
	case ">=":
		return cmp >= 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	case "<":
		return cmp < 0
	case "=":
		return cmp == 0
	case "!=":
		return cmp != 0
	}
	return false
}

// checkUnique finds a key, or a unique column value, already seen in this run.
func (c *Conformer) checkUnique(vals []any) *failure {
	if len(c.keyIdx) > 0 {
		k := c.keyOf(vals)
		if _, dup := c.seen[k]; dup {
			return &failure{column: strings.Join(c.ds.Key, ","), rule: "unique", raw: k,
				vi: fmt.Sprintf("Trùng khóa %s = %s trong cùng lần nạp", strings.Join(c.ds.Key, ","), k),
				en: fmt.Sprintf("duplicate key %s = %s in this load", strings.Join(c.ds.Key, ","), k)}
		}
	}
	for j := range c.cols {
		col := c.cols[j].col
		if !col.Unique || vals[j] == nil || (len(c.keyIdx) == 1 && c.keyIdx[0] == j) {
			continue
		}
		set := c.uniq[j]
		if set == nil {
			set = map[string]struct{}{}
			c.uniq[j] = set
		}
		v := rawText(vals[j])
		if _, dup := set[v]; dup {
			return &failure{column: col.Name, rule: "unique", raw: v,
				vi: fmt.Sprintf("Cột %s (%s): giá trị %q bị trùng", col.Name, col.Label, v), en: fmt.Sprintf("column %s: duplicate value %q", col.Name, v)}
		}
	}
	// Only a row that passes every check marks its values as seen.
	if len(c.keyIdx) > 0 {
		c.seen[c.keyOf(vals)] = struct{}{}
	}
	for j := range c.cols {
		if c.cols[j].col.Unique && vals[j] != nil && !(len(c.keyIdx) == 1 && c.keyIdx[0] == j) {
			c.uniq[j][rawText(vals[j])] = struct{}{}
		}
	}
	return nil
}

func (c *Conformer) keyOf(vals []any) string {
	parts := make([]string, len(c.keyIdx))
	for i, j := range c.keyIdx {
		parts[i] = keyText(vals[j])
	}
	return strings.Join(parts, "|")
}

func keyText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case decimal128.Num:
		return v.BigInt().String()
	default:
		return rawText(v)
	}
}

func (c *Conformer) bad(get []getter, r int, vals []any, f *failure) Bad {
	out := Bad{Column: f.column, Rule: f.rule, Raw: f.raw, ReasonVI: f.vi, ReasonEN: f.en}
	if c.fileCol >= 0 {
		if v, ok := get[c.fileCol](r); ok {
			out.File = rawText(v)
		}
	}
	if c.rowCol >= 0 {
		if v, ok := get[c.rowCol](r); ok {
			out.Row, _ = v.(int64)
		}
	}
	var key []string
	for _, j := range c.keyIdx {
		if vals[j] != nil {
			key = append(key, keyText(vals[j]))
		} else if src := c.cols[j].src; src >= 0 {
			if v, ok := get[src](r); ok {
				key = append(key, rawText(v))
			}
		}
	}
	out.Key = strings.Join(key, "|")
	rec := map[string]any{}
	for i, name := range c.srcCols {
		if strings.HasPrefix(name, "_kho_") {
			continue
		}
		if v, ok := get[i](r); ok {
			rec[name] = rawText(v)
		} else {
			rec[name] = nil
		}
	}
	bs, _ := json.Marshal(rec) // keys sorted by encoding/json
	out.Record = string(bs)
	return out
}

// appendValue appends a converted value (nil for null) to a builder of the
// column's Arrow type.
func appendValue(b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.StringBuilder:
		b.Append(v.(string))
	case *array.Int64Builder:
		b.Append(v.(int64))
	case *array.Float64Builder:
		b.Append(v.(float64))
	case *array.Decimal128Builder:
		b.Append(v.(decimal128.Num))
	case *array.BooleanBuilder:
		b.Append(v.(bool))
	case *array.Date32Builder:
		b.Append(arrow.Date32FromTime(v.(time.Time)))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.(time.Time).UnixMicro()))
	default:
		panic(fmt.Sprintf("conform: no append for %T", b))
	}
}
