package schemas

import (
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// How numbers written as text are read.
//
// A drop writes its numbers one way: "2.317,9" (decimal comma, dot grouping,
// the Vietnamese way) or "2,317.9" (decimal point, comma grouping). Read value
// by value, "1,234" is ambiguous: a thousand and more under one convention,
// one and a bit under the other. So the marks are decided per file and
// column, from the values, and every value is read by the decision:
//
//   - A value that only one convention reads ("12,5", "2.317,9", "1.234.567"
//     read only with a decimal comma; "12.5", "1,234.5" only with a decimal
//     point) is evidence for it. "1,234" and "1.234" (one mark before three
//     digits) are evidence for nothing.
//   - A column is decided by its own evidence (the majority, when both
//     conventions show); a column without any by the evidence of the file's
//     other number columns; a whole-number column (int, decimal(p,0)) without
//     either by its values' grouping ("1.234" can only be a whole number with
//     a dot grouping); any other column by the grouping of the file's
//     whole-number columns (a file that groups its counts with dots writes
//     its decimals with a comma).
//   - A value that the decision does not read ("12.5" in a decimal-comma
//     file), a value the file leaves ambiguous (no evidence anywhere), and
//     every value with a mark where the file shows both conventions equally
//     are quarantined with the rule number_format; the reason names the
//     column, the rule and the expected form, never the value.
//   - A pipeline sets the marks with number_format (for the whole source or
//     per source column): nothing is decided then, and a value not in the
//     set form is quarantined.
//
// Spaces (and no-break spaces) group digits in both conventions.
//
// Streaming: the decision for a file needs its values before its first row
// is converted, and a source streams. A Holdback keeps a source's batches
// back, counting the evidence of each file's number columns as they pass (a
// few counters per file and column, no values), until the file ends (the
// next file starts, or the source ends), then releases them: a file is
// decided from all its values. A file longer than the Holdback's row limit
// is decided from its first rows (the limit bounds the memory held), and a
// later value that contradicts the decision is quarantined like any other.
// Batches are observed and decided in source order on one goroutine, so a
// run's decisions do not depend on how many goroutines convert the batches.
// Conform, which sees one batch at a time, decides a file at its first batch.

// NumberFormat is how a source writes numbers: its decimal mark ('.' or ',')
// and its grouping mark ('.', ',', ' ' or 0 for none; spaces always group).
type NumberFormat struct {
	Decimal, Grouping byte
}

// Example is a number in the format: 1.234,5, 1,234.5, 1 234,5, 1234,5.
func (f NumberFormat) Example() string {
	d := string(f.Decimal)
	switch f.Grouping {
	case 0:
		return "1234" + d + "5"
	default:
		return "1" + string(f.Grouping) + "234" + d + "5"
	}
}

func (f NumberFormat) describe() (vi, en string) {
	switch f.Decimal {
	case ',':
		vi, en = "dấu thập phân là dấu phẩy", "decimal comma"
	default:
		vi, en = "dấu thập phân là dấu chấm", "decimal point"
	}
	switch f.Grouping {
	case '.':
		vi, en = vi+", phân nhóm bằng dấu chấm", en+", dot grouping"
	case ',':
		vi, en = vi+", phân nhóm bằng dấu phẩy", en+", comma grouping"
	case ' ':
		vi, en = vi+", phân nhóm bằng dấu cách", en+", space grouping"
	default:
		vi, en = vi+", không phân nhóm", en+", no grouping"
	}
	return vi + ": " + f.Example(), en + ": " + f.Example()
}

// The two conventions a file is decided for.
var (
	commaDecimal = NumberFormat{Decimal: ',', Grouping: '.'}
	pointDecimal = NumberFormat{Decimal: '.', Grouping: ','}
)

// NumberFormats are the number formats a pipeline sets: Default for every
// column, Columns by source column name (over Default).
type NumberFormats struct {
	Default *NumberFormat
	Columns map[string]NumberFormat
}

// numberSpace removes the spaces that group digits.
var numberSpace = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "")

// readNumber reads s (trimmed) in format f as Go syntax ("-1234.5"). ok is
// false when s has a mark but is not a number in f. A value of other
// characters than digits, marks and a sign ("1e5", "liên hệ") is given back
// as it is, for strconv to judge.
func readNumber(orig string, f NumberFormat) (string, bool) {
	s := orig
	if strings.ContainsAny(s, " \u00a0\u202f") {
		s = numberSpace.Replace(s)
	}
	sign := ""
	body := s
	if body != "" && (body[0] == '-' || body[0] == '+') {
		sign, body = body[:1], body[1:]
	}
	if body == "" {
		return orig, true
	}
	marks := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' || c == ',':
			marks = true
		default:
			return orig, true // not digits and marks: strconv judges
		}
	}
	if !marks {
		return sign + body, true
	}
	intPart, frac, hasDec := strings.Cut(body, string(f.Decimal))
	if hasDec && (frac == "" || !allDigits(frac)) {
		return "", false
	}
	if f.Grouping != 0 && strings.IndexByte(intPart, f.Grouping) >= 0 {
		groups := strings.Split(intPart, string(f.Grouping))
		if len(groups[0]) == 0 || len(groups[0]) > 3 || groups[0][0] == '0' || !allDigits(groups[0]) {
			return "", false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 || !allDigits(g) {
				return "", false
			}
		}
		intPart = strings.Join(groups, "")
	} else if !allDigits(intPart) {
		return "", false
	}
	if intPart == "" && !hasDec {
		return "", false
	}
	if !hasDec {
		return sign + intPart, true
	}
	if intPart == "" {
		intPart = "0"
	}
	return sign + intPart + "." + frac, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// numberShape is what a text value tells about its file's convention.
type numberShape uint8

const (
	shapeNeutral numberShape = iota // no mark, or not a number at all
	shapeComma                      // only a decimal comma reads it
	shapePoint                      // only a decimal point reads it
	shapeEither                     // both read it, differently: "1,234"
)

func shapeOf(s string) numberShape {
	if !strings.ContainsAny(s, ".,") {
		return shapeNeutral
	}
	_, c := readNumber(s, commaDecimal)
	_, p := readNumber(s, pointDecimal)
	switch {
	case c && p:
		return shapeEither
	case c:
		return shapeComma
	case p:
		return shapePoint
	}
	return shapeNeutral
}

// numberEvidence counts, for one file, the shapes of each number column's
// values: [0] decimal comma, [1] decimal point; whole counts the grouping
// marks of the ambiguous values ("1.234": [0], "1,234": [1]).
type numberEvidence struct {
	strong, whole [][2]int
}

// numberRule is the decision for one column of one file.
type numberRule struct {
	format  NumberFormat
	decided bool // format applies
	mixed   bool // both conventions, as often: every value with a mark is quarantined
	set     bool // set by the pipeline
}

// numberPlan holds a Conformer's number decisions; its forks share it.
type numberPlan struct {
	cols  []int        // the conformer's columns whose text values are read as numbers
	whole map[int]bool // those of them that hold whole numbers
	set   map[int]NumberFormat
	mu    sync.RWMutex
	rules map[string][]numberRule // by file, by conformer column
	seen  map[string]*numberEvidence
}

// newNumberPlan plans the number columns of c: those of kind int, float or
// decimal with a text source. formats are the pipeline's.
func newNumberPlan(c *Conformer, in *arrow.Schema, formats NumberFormats) *numberPlan {
	np := &numberPlan{whole: map[int]bool{}, set: map[int]NumberFormat{}, rules: map[string][]numberRule{}, seen: map[string]*numberEvidence{}}
	for j, p := range c.cols {
		switch p.col.kind {
		case KindInt, KindFloat, KindDecimal:
		default:
			continue
		}
		if p.src < 0 {
			continue
		}
		switch in.Field(p.src).Type.ID() {
		case arrow.STRING, arrow.LARGE_STRING:
		default:
			continue // typed numbers: nothing to decide
		}
		np.cols = append(np.cols, j)
		np.whole[j] = p.col.kind == KindInt || (p.col.kind == KindDecimal && p.col.scale == 0)
		if f, ok := formats.Columns[in.Field(p.src).Name]; ok {
			np.set[j] = f
		} else if formats.Default != nil {
			np.set[j] = *formats.Default
		}
	}
	return np
}

// undecided reports whether some number column is left to decide.
func (np *numberPlan) undecided() bool { return len(np.set) < len(np.cols) }

// rule returns the decision for column j of file (zero when the file was
// not observed: values are read by their own shape, the ambiguous ones
// quarantined). The decisions of the last file are kept on c (each fork has
// its own): rows come file after file.
func (c *Conformer) numberRule(file string, j int) numberRule {
	np := c.nums
	if f, ok := np.set[j]; ok {
		return numberRule{format: f, decided: true, set: true}
	}
	if c.numRules == nil || file != c.numFile {
		np.mu.RLock()
		c.numFile, c.numRules = file, np.rules[file]
		np.mu.RUnlock()
	}
	if c.numRules == nil {
		return numberRule{}
	}
	return c.numRules[j]
}

func (np *numberPlan) decided(file string) bool {
	np.mu.RLock()
	defer np.mu.RUnlock()
	return np.rules[file] != nil
}

// observe counts the evidence of a batch's rows, file by file, and returns
// the files of the batch in the order they appear.
func (c *Conformer) observeNumbers(in arrow.RecordBatch) []string {
	np := c.nums
	var files []string
	var fileOf func(r int) string
	if c.fileCol >= 0 {
		fc, _ := in.Column(c.fileCol).(*array.String)
		fileOf = func(r int) string {
			if fc == nil || fc.IsNull(r) {
				return ""
			}
			return fc.Value(r)
		}
	} else {
		fileOf = func(int) string { return "" }
	}
	type textCol interface {
		IsNull(int) bool
		Value(int) string
	}
	srcs := make([]textCol, len(c.cols))
	for _, j := range np.cols {
		if _, set := np.set[j]; !set {
			srcs[j], _ = in.Column(c.cols[j].src).(textCol)
		}
	}
	var ev *numberEvidence
	last, skip := "\x00", false
	for r := 0; r < int(in.NumRows()); r++ {
		f := fileOf(r)
		if f != last || len(files) == 0 {
			if len(files) == 0 || files[len(files)-1] != f {
				files = append(files, f)
			}
			last = f
			skip = np.decided(f)
			ev = np.seen[f]
			if ev == nil && !skip {
				ev = &numberEvidence{strong: make([][2]int, len(c.cols)), whole: make([][2]int, len(c.cols))}
				np.seen[f] = ev
			}
		}
		if skip {
			continue
		}
		for _, j := range np.cols {
			a := srcs[j]
			if a == nil || a.IsNull(r) {
				continue
			}
			switch shapeOf(strings.TrimSpace(a.Value(r))) {
			case shapeComma:
				ev.strong[j][0]++
			case shapePoint:
				ev.strong[j][1]++
			case shapeEither:
				if np.whole[j] {
					if strings.IndexByte(a.Value(r), '.') >= 0 {
						ev.whole[j][0]++
					} else {
						ev.whole[j][1]++
					}
				}
			}
		}
	}
	return files
}

// decideNumbers decides the number columns of file from the evidence seen.
func (c *Conformer) decideNumbers(file string) {
	np := c.nums
	if np.decided(file) {
		return
	}
	ev := np.seen[file]
	delete(np.seen, file)
	rules := make([]numberRule, len(c.cols))
	if ev != nil {
		var all, allWhole [2]int
		for _, j := range np.cols {
			all[0] += ev.strong[j][0]
			all[1] += ev.strong[j][1]
			allWhole[0] += ev.whole[j][0]
			allWhole[1] += ev.whole[j][1]
		}
		for _, j := range np.cols {
			switch {
			case ev.strong[j] != [2]int{}:
				rules[j] = ruleOf(ev.strong[j])
			case all != [2]int{}:
				rules[j] = ruleOf(all)
			case np.whole[j] && ev.whole[j] != [2]int{}:
				rules[j] = ruleOf(ev.whole[j])
			case allWhole != [2]int{}:
				rules[j] = ruleOf(allWhole)
			}
		}
	}
	np.mu.Lock()
	np.rules[file] = rules
	np.mu.Unlock()
}

// ruleOf decides by the majority of votes for [decimal comma, decimal point].
func ruleOf(votes [2]int) numberRule {
	switch {
	case votes[0] > votes[1]:
		return numberRule{format: commaDecimal, decided: true}
	case votes[1] > votes[0]:
		return numberRule{format: pointDecimal, decided: true}
	}
	return numberRule{mixed: true}
}

// number reads a text value of number column j of file as Go syntax, or
// returns the failure of the number_format rule.
func (c *Conformer) number(j int, col *Column, file, s string) (exact, *failure) {
	s = strings.TrimSpace(s)
	c.count(j, slotNumberFormat)
	rule := c.numberRule(file, j)
	fail := func(vi, en string) *failure {
		return &failure{column: col.Name, rule: "number_format", vi: fmt.Sprintf("Cột %s (%s): %s", col.Name, col.Label, vi),
			en: fmt.Sprintf("column %s: %s", col.Name, en)}
	}
	switch {
	case rule.decided:
		if n, ok := readNumber(s, rule.format); ok {
			return exact(n), nil
		}
		fvi, fen := rule.format.describe()
		how, howEN := "theo cách viết số đã quyết định cho cột này của tệp", "decided for this column of its file"
		if rule.set {
			how, howEN = "theo number_format của pipeline", "set by the pipeline's number_format"
		}
		return "", fail(fmt.Sprintf("số không viết theo dạng %s (%s)", how, fvi), fmt.Sprintf("number not in the form %s (%s)", howEN, fen))
	case rule.mixed:
		if !strings.ContainsAny(s, ".,") {
			n, _ := readNumber(s, pointDecimal)
			return exact(n), nil
		}
		return "", fail("tệp viết số của cột này với dấu thập phân là dấu phẩy và là dấu chấm nhiều như nhau; hãy đặt number_format trong pipeline (decimal: \",\" hoặc \".\")",
			"the file writes this column's numbers with a decimal comma as often as with a decimal point; set number_format in the pipeline (decimal: \",\" or \".\")")
	}
	switch shapeOf(s) {
	case shapeComma:
		n, _ := readNumber(s, commaDecimal)
		return exact(n), nil
	case shapeEither:
		return "", fail("số không rõ: một dấu chấm hoặc phẩy trước ba chữ số có thể là dấu thập phân hoặc dấu phân nhóm, và không giá trị nào của cột hay của tệp cho biết dấu thập phân; hãy đặt number_format trong pipeline (decimal: \",\" hoặc \".\")",
			"ambiguous number: one mark before three digits is a decimal mark or a grouping mark, and no value of the column or the file shows which; set number_format in the pipeline (decimal: \",\" or \".\")")
	}
	n, _ := readNumber(s, pointDecimal)
	return exact(n), nil
}

// A Holdback keeps a source's batches back until the number formats of
// their files are decided (see the top of this file). Add every batch in
// source order, then Flush; Release what is left on an early end.
type Holdback struct {
	c       *Conformer
	limit   int
	pending []arrow.RecordBatch
	rows    int
	cur     string
	started bool
}

// Holdback returns a Holdback for c that holds at most about limit rows (a
// file longer than that is decided from its first limit rows).
func (c *Conformer) Holdback(limit int) *Holdback {
	return &Holdback{c: c, limit: max(limit, 1)}
}

// Add takes a batch (owned by the Holdback from now) and returns the
// batches, in source order, that may now be converted (owned by the
// caller).
func (h *Holdback) Add(in arrow.RecordBatch) []arrow.RecordBatch {
	if !h.c.nums.undecided() {
		return []arrow.RecordBatch{in}
	}
	files := h.c.observeNumbers(in)
	for _, f := range files {
		if h.started && f != h.cur {
			h.c.decideNumbers(h.cur) // a later file started: h.cur is whole
		}
		h.cur, h.started = f, true
	}
	h.pending = append(h.pending, in)
	h.rows += int(in.NumRows())
	if h.rows >= h.limit {
		h.c.decideNumbers(h.cur) // a long file: decided from its first rows
	}
	if h.started && !h.c.nums.decided(h.cur) {
		return nil
	}
	return h.take()
}

// Flush decides the last file and returns every batch held.
func (h *Holdback) Flush() []arrow.RecordBatch {
	if h.started {
		h.c.decideNumbers(h.cur)
	}
	return h.take()
}

func (h *Holdback) take() []arrow.RecordBatch {
	out := h.pending
	h.pending, h.rows = nil, 0
	return out
}

// Release releases the batches held.
func (h *Holdback) Release() {
	for _, b := range h.pending {
		b.Release()
	}
	h.pending, h.rows = nil, 0
}
