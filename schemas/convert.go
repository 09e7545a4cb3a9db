package schemas

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/schemas/vntext"
)

// textOptions are the normalisation options of a column.
func textOptions(col *Column) vntext.Options {
	o := vntext.Options{Whitespace: col.Whitespace, KeepTones: col.Tones == "keep", KeepLegacy: col.Legacy == "keep"}
	if o.Whitespace == "" {
		o.Whitespace = vntext.Trim
	}
	switch col.kind {
	case KindString:
		o.Case = col.Case
	case KindAdminUnit:
		// the matcher reads names in every form: only legacy text is repaired
		o.KeepTones, o.Whitespace = true, vntext.Collapse
	default:
		// numbers and dates: spaces and encodings only
		o.KeepTones = true
	}
	return o
}

// normalize applies the column's text rules to s (a value of column j),
// counting the repairs. A column's recent values and their normal forms are
// remembered (see textCache).
func (c *Conformer) normalize(j int, col *Column, s string) string {
	if c.texts == nil {
		c.texts = make([]textCache, len(c.cols))
	}
	pl := &c.cols[j]
	if plainASCII(s) {
		// a few byte checks (vntext's ASCII path): cheaper than the cache's
		// lookup, and the cache is left to the text that needs it
		out, did := vntext.Normalize(s, pl.topts)
		for _, r := range did {
			c.stats.Repaired[pl.keys.repair(col.Name, r)]++
		}
		return out
	}
	tc := &c.texts[j]
	if n, ok := tc.get(s); ok {
		for _, k := range n.repairs {
			c.stats.Repaired[k]++
		}
		return n.out
	}
	out, did := vntext.Normalize(s, pl.topts)
	var keys []string
	for _, r := range did {
		k := pl.keys.repair(col.Name, r)
		keys = append(keys, k)
		c.stats.Repaired[k]++
	}
	tc.put(s, out, keys)
	return out
}

// textCacheSize bounds a textCache; textCacheTrial is the number of lookups
// after which a column whose values rarely repeat stops being cached.
const (
	textCacheSize  = 4096
	textCacheTrial = 2048
)

// textCache remembers the normal forms of a text column's values. The text of
// a column repeats (agency, procedure, field, village and commune names) and
// vntext.Normalize is a pure function of the value and the column's options,
// which are fixed: a repeated value costs one map lookup instead of the NFC,
// legacy and tone checks. At most textCacheSize values are held (the map is
// emptied when full); a column whose values rarely repeat (ids, people's
// names) is no longer cached after textCacheTrial lookups.
type textCache struct {
	m            map[string]normalized
	hits, misses int
	off          bool
}

type normalized struct {
	out     string
	repairs []string // rule keys of the repairs made
}

func (tc *textCache) get(s string) (normalized, bool) {
	if tc.off {
		return normalized{}, false
	}
	n, ok := tc.m[s]
	if ok {
		tc.hits++
	} else {
		tc.misses++
	}
	if tc.hits+tc.misses == textCacheTrial && tc.hits < tc.misses {
		tc.off, tc.m = true, nil
	}
	return n, ok
}

// put remembers s. Both strings are copied: a batch's strings share its
// buffers, which the cache must not keep alive.
func (tc *textCache) put(s, out string, repairs []string) {
	if tc.off {
		return
	}
	if tc.m == nil || len(tc.m) >= textCacheSize {
		tc.m = make(map[string]normalized, 64)
	}
	tc.m[strings.Clone(s)] = normalized{out: strings.Clone(out), repairs: repairs}
}

// ruleKeys are the keys in Stats of a column's rules, made once per column:
// the counts are bumped for every value, and a key made per value
// ("column" + ":" + "rule") was an allocation each time.
type ruleKeys struct {
	required, typ, adminUnit, numberFormat, min, max, pattern, values, references, unique string
	whitespace, caseRule, nfc, tones                                                      string // repairs
}

// repair is the key of a repair in Stats.
func (k *ruleKeys) repair(column, r string) string {
	switch r {
	case vntext.RepairWhitespace:
		return k.whitespace
	case vntext.RepairCase:
		return k.caseRule
	case vntext.RepairNFC:
		return k.nfc
	case vntext.RepairTones:
		return k.tones
	}
	return ruleKey(column, r)
}

// The rules a Prepare counts in Conformer.checked, a slot a column.
const (
	slotRequired = iota
	slotType
	slotAdminUnit
	slotNumberFormat
	slotMin
	slotMax
	slotPattern
	slotValues
	slotReferences
	nSlots
)

// slotKey is the key in Stats of a slot of column j.
func (c *Conformer) slotKey(j, slot int) string {
	k := &c.cols[j].keys
	return [nSlots]string{k.required, k.typ, k.adminUnit, k.numberFormat, k.min, k.max, k.pattern, k.values, k.references}[slot]
}

// count counts a value of column j checked by a rule (a slot). Prepare
// counts in a slice and adds the counts to Stats.Checked once a batch: a map
// update for every rule of every value was ~3% of a load.
func (c *Conformer) count(j, slot int) { c.checked[j*nSlots+slot]++ }

// countCheck counts a row checked by row check i.
func (c *Conformer) countCheck(i int) { c.checked[len(c.cols)*nSlots+i]++ }

// flushCounts adds the counts of count and countCheck to Stats.Checked.
func (c *Conformer) flushCounts() {
	for i, n := range c.checked {
		if n == 0 {
			continue
		}
		if j := i / nSlots; j < len(c.cols) {
			c.stats.Checked[c.slotKey(j, i%nSlots)] += n
		} else {
			c.stats.Checked[c.ds.Checks[i-len(c.cols)*nSlots].key()] += n
		}
		c.checked[i] = 0
	}
}

// plainASCII reports whether s has only ASCII bytes.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func newRuleKeys(column string) ruleKeys {
	return ruleKeys{required: ruleKey(column, "required"), typ: ruleKey(column, "type"), adminUnit: ruleKey(column, "admin_unit"),
		numberFormat: ruleKey(column, "number_format"), min: ruleKey(column, "min"), max: ruleKey(column, "max"),
		pattern: ruleKey(column, "pattern"), values: ruleKey(column, "values"), references: ruleKey(column, "references"),
		unique: ruleKey(column, "unique"), whitespace: ruleKey(column, vntext.RepairWhitespace),
		caseRule: ruleKey(column, vntext.RepairCase), nfc: ruleKey(column, vntext.RepairNFC), tones: ruleKey(column, vntext.RepairTones)}
}

// of is the key of rule.
func (k *ruleKeys) of(column, rule string) string {
	switch rule {
	case "required":
		return k.required
	case "type":
		return k.typ
	case "admin_unit":
		return k.adminUnit
	case "number_format":
		return k.numberFormat
	case "min":
		return k.min
	case "max":
		return k.max
	case "pattern":
		return k.pattern
	case "values":
		return k.values
	case "references":
		return k.references
	case "unique":
		return k.unique
	}
	return ruleKey(column, rule)
}

// convert reads, casts and checks column j of row r into vals[j]. It returns
// the failure of an error rule; warn rules are counted and the row kept.
//
// A text input (every file source's, most databases' strings) is read from
// its Arrow array as a string and stays one through normalisation, number
// reading and the cast: the value is boxed once, into vals.
func (c *Conformer) convert(j int, p *Prepared, r int, vals []any) *failure {
	pl := &c.cols[j]
	col := pl.col
	var (
		raw   any
		s     string // the text, when the input is text
		isStr bool
		ok    bool
	)
	if pl.src >= 0 {
		if sa := p.strs[pl.src]; sa != nil {
			ok, isStr = sa.IsValid(r), true
			s = sa.Value(r)
		} else {
			raw, ok = p.get[pl.src](r)
			s, isStr = raw.(string)
		}
	}
	orig := s // the text as read (for the quarantine), when isStr
	if ok && isStr {
		s = c.normalize(j, col, s)
		if s == "" {
			ok = false
		}
	}
	origText := func() string {
		if isStr {
			return orig
		}
		return rawText(raw)
	}
	if !ok {
		if pl.mustHave {
			c.count(j, slotRequired)
			f := &failure{column: col.Name, rule: "required", vi: fmt.Sprintf("Thiếu giá trị bắt buộc ở cột %s (%s)", col.Name, col.Label),
				en: fmt.Sprintf("column %s is required", col.Name)}
			if col.Warn("required") && !pl.isKey && !c.mergeKey[col.Name] {
				c.stats.Warned[pl.keys.required]++
				return nil
			}
			return f
		}
		if c.mergeKey[col.Name] {
			c.stats.Checked[ruleKey(col.Name, "key_required")]++
			return &failure{column: col.Name, rule: "key_required",
				vi: fmt.Sprintf("Thiếu giá trị ở cột %s (%s), cột khóa để gộp (merge): không gộp được bản ghi không có khóa", col.Name, col.Label),
				en: fmt.Sprintf("column %s is part of the merge key: a row without a key cannot be merged", col.Name)}
		}
		return nil
	}
	if pl.mustHave {
		c.count(j, slotRequired)
	} else if c.mergeKey[col.Name] {
		c.stats.Checked[ruleKey(col.Name, "key_required")]++
	}
	rule, slot := "type", slotType
	if col.kind == KindAdminUnit {
		rule, slot = "admin_unit", slotAdminUnit
	}
	if col.kind != KindString {
		c.count(j, slot)
	}
	var (
		v   any
		err error
		// the value given to the cast, as text, for castReason
		castText string
	)
	switch {
	case isStr && (col.kind == KindInt || col.kind == KindFloat || col.kind == KindDecimal):
		n, f := c.number(j, col, c.fileOf(p, r), s)
		if f != nil {
			f.raw = origText()
			return f
		}
		castText = string(n)
		switch col.kind {
		case KindInt:
			var x int64
			if x, err = intOfGo(string(n)); err == nil {
				v = x
			}
		case KindFloat:
			var x float64
			if x, err = floatOfGo(string(n)); err == nil {
				v = x
			}
		default:
			var x decimal128.Num
			if x, err = decimalOfGo(string(n), col.precision, col.scale); err == nil {
				v = x
			}
		}
	case isStr:
		castText = s
		v, err = c.castText(pl, s, vals)
	default:
		castText = rawText(raw)
		v, err = c.cast(col, raw, vals)
	}
	if err != nil {
		vi, en := castReason(col, err, origText(), castText)
		return &failure{column: col.Name, rule: rule, raw: origText(), vi: vi, en: en}
	}
	if f := c.checkValue(j, col, v); f != nil {
		f.raw = origText()
		return f
	}
	// the personal-data detectors sample vals in Finish (samplePII)
	vals[j] = v
	return nil
}

// fileOf is the source file of row r ("" when the source has no files).
func (c *Conformer) fileOf(p *Prepared, r int) string {
	if c.fileCol < 0 {
		return ""
	}
	if sa := p.strs[c.fileCol]; sa != nil {
		if sa.IsNull(r) {
			return ""
		}
		return sa.Value(r)
	}
	v, ok := p.get[c.fileCol](r)
	if !ok {
		return ""
	}
	return rawText(v)
}

// castText is cast for a text input: the same results, without boxing the
// text on the way.
func (c *Conformer) castText(pl *plan, s string, vals []any) (any, error) {
	col := pl.col
	switch col.kind {
	case KindString:
		return s, nil
	case KindBool:
		return boolOfText(s)
	case KindDate:
		t, err := timeOfText(s, col.Format, pl.layout)
		if err != nil {
			return nil, err
		}
		return dayOf(t), nil
	case KindTimestamp:
		t, err := timeOfText(s, col.Format, pl.layout)
		if err != nil {
			return nil, err
		}
		return t.UTC(), nil
	}
	return c.cast(col, s, vals)
}

func (c *Conformer) cast(col *Column, raw any, vals []any) (any, error) {
	switch col.kind {
	case KindString:
		return rawText(raw), nil
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
			if t, ok := vals[c.byName[dc]].(time.Time); ok {
				day = dayOf(t)
			}
		}
		district := ""
		if dc := col.AdminUnit.DistrictColumn; dc != "" {
			district, _ = vals[c.byName[dc]].(string)
		}
		var s string
		if n, isInt := raw.(int64); isInt {
			s = fmt.Sprintf("%05d", n)
		} else {
			s = rawText(raw)
		}
		m := c.matcher[col.AdminUnit.Level]
		var (
			u   units.Unit
			err error
		)
		if district != "" {
			u, err = m.MatchIn(s, district, day)
		} else {
			u, err = m.Match(s, day)
		}
		if err != nil {
			return nil, err
		}
		return u.Code, nil
	}
	return nil, fmt.Errorf("unsupported column kind %d", col.kind)
}

// trimText is the text of a value for patterns, values and references.
func trimText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return strings.TrimSpace(keyText(v))
}

// castReason is the reason a value could not be read as its column's type.
// It names the column and the expected form, never the value (which goes to
// raw_value, masked like its column): a reason is read by tokens without the
// PII grant. An error text that still holds the value is replaced by the
// expected form alone.
func castReason(col *Column, err error, values ...string) (vi, en string) {
	var me *units.MatchError
	if errors.As(err, &me) {
		return fmt.Sprintf("Cột %s (%s): %s", col.Name, col.Label, me.ReasonVI()),
			fmt.Sprintf("column %s: %s", col.Name, me.Reason())
	}
	msg := err.Error()
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && strings.Contains(msg, v) {
			msg = "not a value of type " + col.Type
			if col.Format != "" {
				msg += " in the form " + col.Format
			}
			break
		}
	}
	return fmt.Sprintf("Cột %s (%s): giá trị không đọc được theo kiểu %s (%s)", col.Name, col.Label, col.Type, msg),
		fmt.Sprintf("column %s: %s", col.Name, msg)
}
