package schemas

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// loadRefs loads, once, the values the references rules check against.
func (c *Conformer) loadRefs(lookup func(dataset, column string) (map[string]bool, error)) error {
	c.refs = map[int]map[string]bool{}
	for j := range c.cols {
		col := c.cols[j].col
		ds, rc, ok := col.RefersTo()
		if !ok {
			continue
		}
		key := ruleKey(col.Name, "references")
		if lookup == nil {
			c.stats.Skipped[key] = "no lookup of other datasets in this run"
			continue
		}
		set, err := lookup(ds, rc)
		if err != nil {
			return fmt.Errorf("loading the values of %s.%s for column %s: %w", ds, rc, col.Name, err)
		}
		if set == nil {
			c.stats.Skipped[key] = fmt.Sprintf("%s has no table yet", ds)
			continue
		}
		c.refs[j] = set
	}
	return nil
}

// checkValue applies the column's rules to a converted value. Warn rules are
// counted and passed over; the first error rule broken is returned.
func (c *Conformer) checkValue(j int, col *Column, v any) *failure {
	num, isNum := 0.0, false
	switch v := v.(type) {
	case int64:
		num, isNum = float64(v), true
	case float64:
		num, isNum = v, true
	case decimal128.Num:
		num, isNum = v.ToFloat64(int32(col.scale)), true
	}
	keys := &c.cols[j].keys
	broke := func(rule, vi, en string) *failure {
		c.stats.Checked[keys.of(col.Name, rule)]++
		if col.Warn(rule) {
			c.stats.Warned[keys.of(col.Name, rule)]++
			return nil
		}
		return &failure{column: col.Name, rule: rule, vi: vi, en: en}
	}
	if isNum && col.Min != nil {
		if num < *col.Min {
			if f := broke("min", fmt.Sprintf("Cột %s (%s): giá trị nhỏ hơn mức tối thiểu %v", col.Name, col.Label, *col.Min),
				fmt.Sprintf("column %s: the value is below the minimum %v", col.Name, *col.Min)); f != nil {
				return f
			}
		} else {
			c.count(j, slotMin)
		}
	}
	if isNum && col.Max != nil {
		if num > *col.Max {
			if f := broke("max", fmt.Sprintf("Cột %s (%s): giá trị lớn hơn mức tối đa %v", col.Name, col.Label, *col.Max),
				fmt.Sprintf("column %s: the value is above the maximum %v", col.Name, *col.Max)); f != nil {
				return f
			}
		} else {
			c.count(j, slotMax)
		}
	}
	text := trimText(v)
	if col.re != nil {
		if !col.re.MatchString(text) {
			if f := broke("pattern", fmt.Sprintf("Cột %s (%s): giá trị không đúng mẫu %s", col.Name, col.Label, col.Pattern),
				fmt.Sprintf("column %s: the value does not match %s", col.Name, col.Pattern)); f != nil {
				return f
			}
		} else {
			c.count(j, slotPattern)
		}
	}
	if len(col.Values) > 0 {
		found := false
		for _, a := range col.Values {
			if a == text {
				found = true
				break
			}
		}
		if !found {
			if f := broke("values", fmt.Sprintf("Cột %s (%s): giá trị không thuộc danh mục %s", col.Name, col.Label, strings.Join(col.Values, ", ")),
				fmt.Sprintf("column %s: the value is not one of %s", col.Name, strings.Join(col.Values, ", "))); f != nil {
				return f
			}
		} else {
			c.count(j, slotValues)
		}
	}
	if set, ok := c.refs[j]; ok {
		if !set[text] {
			if f := broke("references", fmt.Sprintf("Cột %s (%s): giá trị không có trong %s", col.Name, col.Label, col.References),
				fmt.Sprintf("column %s: the value is not in %s", col.Name, col.References)); f != nil {
				return f
			}
		} else {
			c.count(j, slotReferences)
		}
	}
	return nil
}

// checkRow applies the dataset's row checks.
func (c *Conformer) checkRow(vals []any) *failure {
	if len(c.ds.Checks) == 0 {
		return nil
	}
	env := func(name string) any {
		j, ok := c.byName[name]
		if !ok {
			return nil
		}
		switch v := vals[j].(type) {
		case decimal128.Num:
			return v.ToFloat64(int32(c.cols[j].col.scale))
		default:
			return v
		}
	}
	for i := range c.ds.Checks {
		ck := &c.ds.Checks[i]
		key := ck.key()
		c.countCheck(i)
		if ck.expr.Holds(env) {
			continue
		}
		if ck.Severity == SeverityWarn {
			c.stats.Warned[key]++
			continue
		}
		vi, en := ck.Message, ck.MessageEN
		if vi == "" {
			vi = "Vi phạm quy tắc " + ck.Name
		}
		if en == "" {
			en = "check " + ck.Name + " failed"
		}
		// The values go to raw_value, never into the reason; a personal
		// value not even there (the source record keeps it).
		cols := ck.expr.Columns()
		var parts []string
		column := ""
		for _, name := range cols {
			if sc, ok := c.ds.Column(name); ok && sc.PII != "" {
				continue
			}
			if column == "" {
				column = name
			}
			parts = append(parts, name+"="+valueText(env(name)))
		}
		if column == "" && len(cols) > 0 {
			column = cols[0]
		}
		return &failure{column: column, rule: ck.Name, key: key, raw: strings.Join(parts, ", "),
			vi: fmt.Sprintf("%s (%s)", vi, ck.Assert),
			en: fmt.Sprintf("%s: %s is false", en, ck.Assert)}
	}
	return nil
}

func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 {
			return v.Format("2006-01-02")
		}
		return v.Format(time.RFC3339)
	}
	return rawText(v)
}

// checkUnique finds a key, or a unique column value, already seen in this run.
func (c *Conformer) checkUnique(vals []any) *failure {
	var keyFP fingerprint
	if len(c.keyIdx) > 0 {
		k := c.keyOf(vals)
		key := c.keyName
		c.stats.Checked[c.keyRule]++
		keyFP = c.fp.of(k)
		if c.seen == nil {
			c.seen = newKeySet(c.bound, c.spill)
		}
		if c.seen.has(keyFP) {
			return &failure{column: key, rule: "unique", raw: k,
				vi: fmt.Sprintf("Trùng khóa %s trong cùng lần nạp", key),
				en: fmt.Sprintf("duplicate key %s in this load", key)}
		}
	}
	c.fresh = c.fresh[:0]
	for j := range c.cols {
		col := c.cols[j].col
		if !col.Unique || vals[j] == nil || (len(c.keyIdx) == 1 && c.keyIdx[0] == j) {
			continue
		}
		c.stats.Checked[c.cols[j].keys.unique]++
		set := c.uniq[j]
		if set == nil {
			set = newKeySet(c.bound, c.spill)
			c.uniq[j] = set
		}
		v := rawText(vals[j])
		fp := c.fp.of(v)
		if set.has(fp) {
			if col.Warn("unique") {
				c.stats.Warned[c.cols[j].keys.unique]++
				continue
			}
			return &failure{column: col.Name, rule: "unique", raw: v,
				vi: fmt.Sprintf("Cột %s (%s): giá trị bị trùng trong cùng lần nạp", col.Name, col.Label), en: fmt.Sprintf("column %s: duplicate value in this load", col.Name)}
		}
		c.fresh = append(c.fresh, freshValue{j, fp})
	}
	// Only a row that passes every check marks its values as seen (a value
	// a warning found seen is not added again).
	if len(c.keyIdx) > 0 {
		c.seen.add(keyFP)
	}
	for _, v := range c.fresh {
		c.uniq[v.col].add(v.fp)
	}
	return nil
}

// freshValue is a unique column's value not seen before in the run.
type freshValue struct {
	col int
	fp  fingerprint
}

// uniqueErr is the first error of the disk of the run's uniqueness sets.
func (c *Conformer) uniqueErr() error {
	if c.seen != nil && c.seen.err != nil {
		return c.seen.err
	}
	for _, s := range c.uniq {
		if s.err != nil {
			return s.err
		}
	}
	return nil
}

// Close removes the files of the run's uniqueness sets (see
// ConformOptions.KeyBound). The Conformer is not used after. A nil
// Conformer does nothing.
func (c *Conformer) Close() {
	if c == nil {
		return
	}
	if c.seen != nil {
		c.seen.close()
		c.seen = nil
	}
	for j, s := range c.uniq {
		s.close()
		delete(c.uniq, j)
	}
}

// RuleInfo describes one rule of a dataset, for the data dictionary and the
// quality report.
type RuleInfo struct {
	Key      string // as in Stats: "column:rule" or "check:name"
	Column   string
	Rule     string
	Severity string
	Text     string // the rule in words (English)
}

// Rules lists every rule of the dataset, in column order, then the checks.
func (d *Dataset) Rules() []RuleInfo {
	var out []RuleInfo
	add := func(col *Column, rule, text string) {
		sev := SeverityError
		if col.Warn(rule) && !(rule == "required" && d.IsKey(col.Name)) {
			sev = SeverityWarn
		}
		out = append(out, RuleInfo{Key: ruleKey(col.Name, rule), Column: col.Name, Rule: rule, Severity: sev, Text: text})
	}
	for i := range d.Columns {
		col := &d.Columns[i]
		if col.Required || d.IsKey(col.Name) {
			add(col, "required", "a value is required")
		}
		if col.kind == KindAdminUnit {
			add(col, "admin_unit", fmt.Sprintf("a %s code or name valid at the row's date", col.AdminUnit.Level))
		} else if col.kind != KindString {
			add(col, "type", "a value of type "+col.Type)
		}
		if col.Min != nil {
			add(col, "min", fmt.Sprintf(">= %v", *col.Min))
		}
		if col.Max != nil {
			add(col, "max", fmt.Sprintf("<= %v", *col.Max))
		}
		if col.Pattern != "" {
			add(col, "pattern", "matches "+col.Pattern)
		}
		if len(col.Values) > 0 {
			add(col, "values", "one of "+strings.Join(col.Values, ", "))
		}
		if col.References != "" {
			add(col, "references", "a value of "+col.References)
		}
		if col.Unique && !(len(d.Key) == 1 && d.Key[0] == col.Name) {
			add(col, "unique", "unique")
		}
	}
	if len(d.Key) > 0 {
		out = append(out, RuleInfo{Key: ruleKey(strings.Join(d.Key, ","), "unique"), Column: strings.Join(d.Key, ","),
			Rule: "unique", Severity: SeverityError, Text: "the key is unique"})
	}
	for i := range d.Checks {
		ck := &d.Checks[i]
		out = append(out, RuleInfo{Key: "check:" + ck.Name, Rule: ck.Name, Severity: ck.Severity, Text: ck.Assert})
	}
	return out
}
