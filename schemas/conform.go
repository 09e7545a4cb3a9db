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
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/internal/provenance"
	"github.com/sonla-data/kho/schemas/pii"
	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/schemas/vntext"
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

// ConformOptions tune a Conformer.
type ConformOptions struct {
	Alloc memory.Allocator
	Units *units.Set
	// Today dates the rows of admin_unit columns that name no date column.
	Today time.Time
	// Lookup returns the current values of a column of another dataset, for
	// the references rules: called once per referencing column when the
	// Conformer is made. A nil set (the dataset has no table yet) leaves the
	// rule unchecked, said in Stats.Skipped; nil Lookup leaves every
	// references rule unchecked.
	Lookup func(dataset, column string) (map[string]bool, error)
	// PIISample is the number of values of each untagged text column that the
	// personal-data detectors look at (default 1000); PIIThreshold the share
	// of them above which a column is reported (default 0.2).
	PIISample    int
	PIIThreshold float64
	// Numbers are the number formats the pipeline sets; the others are
	// decided per file and column from the values (see numbers.go).
	Numbers NumberFormats
	// Versions says that the rows are successive versions of the source's
	// rows (a change log): a key or unique value seen before in the run
	// is a newer version, not a duplicate.
	Versions bool
	// MergeKey are the columns a merge matches rows by: a row without a
	// value in one of them is bad (rule key_required), even when the
	// dataset lets the column be empty, since rows without a key cannot be
	// told apart.
	MergeKey []string
	// KeyBound is the number of distinct values the run's uniqueness check
	// keeps in memory for the key and for each unique column before it
	// spills them to disk (0: DefaultKeyBound); SpillDir is where (the
	// system's temporary folder when empty). The outcome does not depend
	// on it: only the memory and the time do. Close removes the files.
	KeyBound int
	SpillDir string
}

// Conformer turns source batches into batches of a dataset. It keeps the keys
// seen so far to find duplicates within a run; use one per run and target.
type Conformer struct {
	ds      *Dataset
	out     *arrow.Schema
	alloc   memory.Allocator
	cols    []plan
	order   []int // conversion order: dates and districts before the admin units that need them
	fileCol int
	rowCol  int
	errCol  int
	srcCols []string
	keyIdx  []int
	piiCols []int           // the untagged text columns the personal-data detectors sample
	checked []int64         // Prepare's counts of checked values, by column and rule (see count)
	keyName string          // the key's columns, joined by commas
	keyRule string          // the key's uniqueness rule in Stats
	seen    *keySet         // the key's values (nil: no key)
	uniq    map[int]*keySet // the unique columns' values, by column
	fresh   []freshValue    // checkUnique's new values of the row
	bound   int             // ConformOptions.KeyBound
	spill   string          // ConformOptions.SpillDir
	fp      fingerprinter
	today   time.Time
	stats   Stats
	matcher map[string]*units.Matcher
	refs    map[int]map[string]bool // column index -> the referenced values
	pii     *pii.Sampler
	env     []any // the row being checked, for the check expressions
	byName  map[string]int
	texts   []textCache // by column, made on first use
	nums    *numberPlan // shared with the forks
	// versions: rows are versions of the source's rows (ConformOptions)
	versions bool
	// mergeKey are the columns of ConformOptions.MergeKey
	mergeKey map[string]bool
	// the number decisions of the file of the last row converted
	numFile  string
	numRules []numberRule
}

type plan struct {
	col *Column
	src int // input column index, -1 when the source has none
	// worked out once: the keys of the column's rules in Stats, whether a
	// value is required (required or part of the key), the Go layout of
	// its format
	keys     ruleKeys
	mustHave bool
	isKey    bool
	layout   string
	topts    vntext.Options // textOptions(col)
}

// NewConformer plans the conversion of batches of schema in into ds. mapping
// maps source column names to dataset columns; other source columns are used
// where their name, or their header text, equals a column's name or label.
func NewConformer(ds *Dataset, in *arrow.Schema, mapping map[string]string, opt ConformOptions) (*Conformer, error) {
	c := &Conformer{ds: ds, out: ds.ArrowSchema(), alloc: opt.Alloc, fileCol: -1, rowCol: -1, errCol: -1,
		uniq: map[int]*keySet{}, bound: opt.KeyBound, spill: opt.SpillDir, today: dayOf(opt.Today),
		matcher: map[string]*units.Matcher{}}
	if c.alloc == nil {
		c.alloc = memory.DefaultAllocator
	}
	if c.today.IsZero() || opt.Today.IsZero() {
		c.today = dayOf(time.Now())
	}
	c.stats = newStats()
	c.versions = opt.Versions
	c.mergeKey = map[string]bool{}
	for _, k := range opt.MergeKey {
		c.mergeKey[k] = true
	}
	c.byName = map[string]int{}
	for j := range ds.Columns {
		c.byName[ds.Columns[j].Name] = j
	}
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
		case provenance.File:
			c.fileCol = i
			continue
		case provenance.Row:
			c.rowCol = i
			continue
		case provenance.Error:
			c.errCol = i
			continue
		}
		if dst, ok := mapping[f.Name]; ok {
			byTarget[dst] = i
		}
	}
	for i, f := range in.Fields() {
		if _, mapped := mapping[f.Name]; mapped || provenance.Reserved(f.Name) {
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
			if col.Required || ds.IsKey(col.Name) || c.mergeKey[col.Name] {
				errs = append(errs, fmt.Errorf("dataset %s column %q is required but no source column maps to it (source has %s)",
					ds.Name, col.Name, strings.Join(visible(c.srcCols), ", ")))
			}
		}
		c.cols = append(c.cols, plan{col: col, src: src, keys: newRuleKeys(col.Name), isKey: ds.IsKey(col.Name),
			mustHave: col.Required || ds.IsKey(col.Name), layout: layoutOf(col.Format), topts: textOptions(col)})
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
	for j := range c.cols {
		if col := c.cols[j].col; col.kind == KindString && col.PII == "" && !col.NoPII {
			c.piiCols = append(c.piiCols, j)
		}
	}
	c.keyName = strings.Join(ds.Key, ",")
	c.keyRule = ruleKey(c.keyName, "unique")
	if err := c.loadRefs(opt.Lookup); err != nil {
		errs = append(errs, err)
	}
	c.pii = pii.NewSampler(opt.PIISample, opt.PIIThreshold)
	c.nums = newNumberPlan(c, in, opt.Numbers)
	return c, errors.Join(errs...)
}

func visible(cols []string) []string {
	var out []string
	for _, c := range cols {
		if !provenance.Reserved(c) {
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

// Stats returns the counts so far, with the personal-data findings of the
// values sampled so far.
func (c *Conformer) Stats() Stats {
	st := c.stats.clone()
	for _, f := range c.pii.Findings() {
		st.PII = append(st.PII, f)
	}
	return st
}

// Dataset is the dataset the Conformer writes.
func (c *Conformer) Dataset() *Dataset { return c.ds }

// failure is a rule a value broke.
type failure struct {
	column, rule, raw, vi, en string
	key                       string // the rule's key in Stats when not "column:rule"
}

// Conform converts one batch. It returns the good rows as a batch (nil when
// none; the caller releases it) and the bad rows. Every input row is either
// in out or in bad. It is Finish(Prepare(in)), after deciding the number
// formats of the files that in starts (a file is decided at its first batch;
// a run holds batches back to decide a file from all of it, see Holdback).
func (c *Conformer) Conform(in arrow.RecordBatch) (arrow.RecordBatch, []Bad, error) {
	if c.nums.undecided() {
		for _, f := range c.observeNumbers(in) {
			c.decideNumbers(f)
		}
	}
	return c.Finish(c.Prepare(in))
}

// Prepared is a batch converted and checked by every rule but uniqueness,
// waiting for Finish.
type Prepared struct {
	in    arrow.RecordBatch
	get   []getter
	strs  []*array.String // the input's string columns (nil for the others), read without boxing
	vals  []any           // the converted values, row after row
	fail  []*failure      // the first error rule each row broke (nil: none yet)
	stats Stats           // what converting the batch counted
}

// Release releases a Prepared that will not be finished.
func (p *Prepared) Release() {
	if p.in != nil {
		p.in.Release()
		p.in = nil
	}
}

// Prepare converts and checks the rows of in by every rule but the
// uniqueness of the key and of unique columns, which depend on the rows
// before: Finish applies them. The batch is retained until then. Prepare may
// run on a Fork, on another goroutine, while the Conformer finishes earlier
// batches.
func (c *Conformer) Prepare(in arrow.RecordBatch) *Prepared {
	n, w := int(in.NumRows()), len(c.cols)
	in.Retain()
	p := &Prepared{in: in, get: make([]getter, in.NumCols()), strs: make([]*array.String, in.NumCols()),
		vals: make([]any, n*w), fail: make([]*failure, n)}
	for i := range p.get {
		p.get[i] = newGetter(in.Column(i))
		p.strs[i], _ = in.Column(i).(*array.String)
	}
	saved := c.stats
	c.stats = newStats()
	if c.checked == nil {
		c.checked = make([]int64, len(c.cols)*nSlots+len(c.ds.Checks))
	}
	for r := 0; r < n; r++ {
		vals := p.vals[r*w : (r+1)*w : (r+1)*w]
		var fail *failure
		if c.errCol >= 0 {
			if msg, ok := p.get[c.errCol](r); ok {
				text := c.scrubRead(msg.(string), p.get, r)
				fail = &failure{rule: "read", raw: msg.(string), vi: "Không đọc được dòng: " + text, en: "unreadable row: " + text}
			}
		}
		for _, j := range c.order {
			if fail != nil {
				break
			}
			fail = c.convert(j, p, r, vals)
		}
		if fail == nil {
			fail = c.checkRow(vals)
		}
		p.fail[r] = fail
	}
	c.flushCounts()
	p.stats, c.stats = c.stats, saved
	return p
}

// Finish applies the uniqueness rules to a prepared batch and builds its
// good rows (nil when none; the caller releases them) and its bad rows, as
// Conform does. Batches must be finished in the order of the source, on the
// Conformer (not a Fork). p is released.
func (c *Conformer) Finish(p *Prepared) (arrow.RecordBatch, []Bad, error) {
	defer p.Release()
	c.stats.Add(p.stats)
	w := len(c.cols)
	n := len(p.fail)
	b := array.NewRecordBuilder(c.alloc, c.out)
	defer b.Release()
	b.Reserve(n)
	var bad []Bad
	good := make([]int, 0, n)
	for r := 0; r < n; r++ {
		c.stats.Read++
		vals := p.vals[r*w : (r+1)*w : (r+1)*w]
		c.samplePII(vals)
		fail := p.fail[r]
		if fail == nil && !c.versions {
			fail = c.checkUnique(vals)
		}
		if fail != nil {
			c.stats.Quarantined++
			key := fail.key
			if key == "" {
				key = ruleKey(fail.column, fail.rule)
			}
			c.stats.FailedRule[key]++
			bad = append(bad, c.bad(p.get, r, vals, fail))
			continue
		}
		good = append(good, r)
		c.stats.Written++
	}
	if err := c.uniqueErr(); err != nil {
		return nil, nil, err
	}
	if len(good) == 0 {
		return nil, bad, nil
	}
	for j := 0; j < w; j++ {
		appendColumn(b.Field(j), p.vals, w, j, good)
	}
	return b.NewRecordBatch(), bad, nil
}

// appendColumn appends column j of the good rows (vals holds w values a
// row) to a builder of the column's Arrow type: one type switch a column,
// not one a value.
func appendColumn(b array.Builder, vals []any, w, j int, good []int) {
	switch b := b.(type) {
	case *array.StringBuilder:
		for _, r := range good {
			if v := vals[r*w+j]; v != nil {
				b.Append(v.(string))
			} else {
				b.AppendNull()
			}
		}
	case *array.Int64Builder:
		for _, r := range good {
			if v := vals[r*w+j]; v != nil {
				b.Append(v.(int64))
			} else {
				b.AppendNull()
			}
		}
	case *array.Date32Builder:
		for _, r := range good {
			if v := vals[r*w+j]; v != nil {
				b.Append(arrow.Date32FromTime(v.(time.Time)))
			} else {
				b.AppendNull()
			}
		}
	case *array.TimestampBuilder:
		for _, r := range good {
			if v := vals[r*w+j]; v != nil {
				b.Append(arrow.Timestamp(v.(time.Time).UnixMicro()))
			} else {
				b.AppendNull()
			}
		}
	default:
		for _, r := range good {
			appendValue(b, vals[r*w+j])
		}
	}
}

// samplePII gives the personal-data detectors the converted values of a
// row's untagged text columns (in source order, so that every run samples
// the same values whatever goroutines prepared the batches).
func (c *Conformer) samplePII(vals []any) {
	for _, j := range c.piiCols {
		s, isStr := vals[j].(string)
		if !isStr {
			continue
		}
		if name := c.cols[j].col.Name; c.pii.Wants(name) {
			c.pii.Add(name, s)
		}
	}
}

// Fork returns a Conformer that prepares batches for c on another
// goroutine: it shares c's plan and reference data (read only) and has its
// own counts and text caches. Call only Prepare on a fork, and Finish every
// prepared batch on c, in source order.
func (c *Conformer) Fork() *Conformer {
	f := *c
	f.stats = newStats()
	f.texts = nil
	f.checked = nil
	f.pii = nil
	f.seen, f.uniq, f.fp = nil, nil, fingerprinter{}
	return &f
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
		if provenance.Reserved(name) {
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

// TargetOf is the dataset column that source column src fills, as a
// Conformer matches them: by the mapping, else by name or by Vietnamese
// label. ok is false for a source column that fills none.
func (d *Dataset) TargetOf(src string, mapping map[string]string) (string, bool) {
	if dst, ok := mapping[src]; ok {
		return dst, true
	}
	if provenance.Reserved(src) {
		return "", false
	}
	for j := range d.Columns {
		col := &d.Columns[j]
		if src == col.Name || (col.Label != "" && labelKey(src) == labelKey(col.Label)) {
			return col.Name, true
		}
	}
	return "", false
}
