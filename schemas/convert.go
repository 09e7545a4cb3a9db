package schemas

import (
	"errors"
	"fmt"
	"strings"
	"time"

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

// normalize applies the column's text rules to s, counting the repairs.
func (c *Conformer) normalize(col *Column, s string) string {
	out, did := vntext.Normalize(s, textOptions(col))
	for _, r := range did {
		c.stats.Repaired[ruleKey(col.Name, r)]++
	}
	return out
}

// convert reads, casts and checks column j of row r into vals[j]. It returns
// the failure of an error rule; warn rules are counted and the row kept.
func (c *Conformer) convert(j int, get []getter, r int, vals []any) *failure {
	p := c.cols[j]
	col := p.col
	var raw any
	ok := false
	if p.src >= 0 {
		raw, ok = get[p.src](r)
	}
	orig := raw
	if s, isStr := raw.(string); ok && isStr {
		s = c.normalize(col, s)
		if s == "" {
			ok = false
		}
		raw = s
	}
	if !ok {
		if col.Required || c.ds.IsKey(col.Name) {
			c.stats.Checked[ruleKey(col.Name, "required")]++
			f := &failure{column: col.Name, rule: "required", vi: fmt.Sprintf("Thiếu giá trị bắt buộc ở cột %s (%s)", col.Name, col.Label),
				en: fmt.Sprintf("column %s is required", col.Name)}
			if col.Warn("required") && !c.ds.IsKey(col.Name) {
				c.stats.Warned[ruleKey(col.Name, "required")]++
				return nil
			}
			return f
		}
		return nil
	}
	if col.Required || c.ds.IsKey(col.Name) {
		c.stats.Checked[ruleKey(col.Name, "required")]++
	}
	rule := "type"
	if col.kind == KindAdminUnit {
		rule = "admin_unit"
	}
	if col.kind != KindString {
		c.stats.Checked[ruleKey(col.Name, rule)]++
	}
	v, err := c.cast(col, raw, vals)
	if err != nil {
		var me *units.MatchError
		vi := fmt.Sprintf("Cột %s (%s): giá trị %q không hợp lệ: %v", col.Name, col.Label, rawText(orig), err)
		if errors.As(err, &me) {
			vi = fmt.Sprintf("Cột %s (%s): %s", col.Name, col.Label, me.ReasonVI())
		}
		return &failure{column: col.Name, rule: rule, raw: rawText(orig), vi: vi, en: fmt.Sprintf("column %s: %v", col.Name, err)}
	}
	if f := c.checkValue(j, col, v); f != nil {
		f.raw = rawText(orig)
		return f
	}
	if s, isStr := v.(string); isStr && col.kind == KindString && col.PII == "" && !col.NoPII && c.pii.Wants(col.Name) {
		c.pii.Add(col.Name, s)
	}
	vals[j] = v
	return nil
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
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(keyText(v))
}
