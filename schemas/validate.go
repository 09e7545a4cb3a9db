package schemas

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sonla-data/kho/internal/yamlpos"
	"github.com/sonla-data/kho/schemas/expr"
	"github.com/sonla-data/kho/schemas/vntext"
)

var identRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

var refRe = regexp.MustCompile(`^([a-z_]+)\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$`)

// severityRules are the rules whose severity a column may set.
var severityRules = []string{"required", "unique", "min", "max", "pattern", "values", "references"}

func (d *Dataset) validate(l yamlpos.Doc) error {
	var errs []error
	bad := func(where string, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, a...)))
	}
	ns, tbl, ok := strings.Cut(d.Name, ".")
	if !ok || !slices.Contains(Domains, ns) || !identRe.MatchString(tbl) {
		bad(l.At("dataset"), "dataset %q must be <domain>.<name> with a domain of %s", d.Name, strings.Join(Domains, ", "))
	}
	if d.Label == "" {
		bad(l.At("label"), "label (Vietnamese) is required")
	}
	if d.Owner == "" {
		bad(l.At("owner"), "owner (the agency) is required")
	}
	if d.Frequency != "" && !slices.Contains(Frequencies, d.Frequency) {
		bad(l.At("frequency"), "frequency %q must be one of %s", d.Frequency, strings.Join(Frequencies, ", "))
	}
	switch d.Classification {
	case Open, Shared, Restricted:
	default:
		bad(l.At("classification"), "classification %q must be open, shared or restricted", d.Classification)
	}
	if len(d.Columns) == 0 {
		bad(l.At("columns"), "a dataset needs columns")
	}
	seen := map[string]bool{}
	for i := range d.Columns {
		c := &d.Columns[i]
		at := func(key string) string { return l.At("columns", i, key) }
		if !identRe.MatchString(c.Name) {
			bad(l.At("columns", i), "column name %q must be English snake_case", c.Name)
		}
		if seen[c.Name] {
			bad(l.At("columns", i), "column %q is declared twice", c.Name)
		}
		seen[c.Name] = true
		if c.Label == "" {
			bad(l.At("columns", i), "column %q needs a Vietnamese label", c.Name)
		}
		k, p, s, err := parseKind(c.Type)
		if err != nil {
			bad(at("type"), "column %q: %v", c.Name, err)
		}
		c.kind, c.precision, c.scale = k, p, s
		if c.Pattern != "" {
			re, err := regexp.Compile(c.Pattern)
			if err != nil {
				bad(at("pattern"), "column %q: pattern: %v", c.Name, err)
			}
			c.re = re
		}
		if c.PII != "" && !slices.Contains(PIITags, c.PII) {
			bad(at("pii"), "column %q: pii %q must be one of %s", c.Name, c.PII, strings.Join(PIITags, ", "))
		}
		if c.PII != "" && c.NoPII {
			bad(at("no_pii"), "column %q: a column tagged pii %q cannot also be no_pii", c.Name, c.PII)
		}
		if k == KindString && c.Tones != "keep" {
			for _, v := range c.Values {
				if n := vntext.NewTones(v); n != v {
					bad(at("values"), "column %q: value %q must be written with the new tone placement, %q (values are compared after normalisation)", c.Name, v, n)
				}
			}
		}
		switch c.Case {
		case "", "upper", "lower", "title":
		default:
			bad(at("case"), "column %q: case %q must be upper, lower or title", c.Name, c.Case)
		}
		switch c.Whitespace {
		case "", "keep", "trim", "collapse":
		default:
			bad(at("whitespace"), "column %q: whitespace %q must be keep, trim or collapse", c.Name, c.Whitespace)
		}
		if c.Tones != "" && c.Tones != "new" && c.Tones != "keep" {
			bad(at("tones"), "column %q: tones %q must be new or keep", c.Name, c.Tones)
		}
		if c.Legacy != "" && c.Legacy != "repair" && c.Legacy != "keep" {
			bad(at("legacy"), "column %q: legacy %q must be repair or keep", c.Name, c.Legacy)
		}
		for rule, sev := range c.Severity {
			if !slices.Contains(severityRules, rule) {
				bad(at("severity"), "column %q: severity of %q: the rules are %s", c.Name, rule, strings.Join(severityRules, ", "))
			}
			if sev != SeverityError && sev != SeverityWarn {
				bad(at("severity"), "column %q: severity %q of %s must be error or warn", c.Name, sev, rule)
			}
		}
		if c.References != "" {
			m := refRe.FindStringSubmatch(c.References)
			if m == nil || !slices.Contains(Domains, m[1]) {
				bad(at("references"), "column %q: references %q must be <domain>.<dataset>.<column>", c.Name, c.References)
			} else {
				c.refDS, c.refCol = m[1]+"."+m[2], m[3]
			}
		}
		if k == KindAdminUnit {
			if c.AdminUnit == nil {
				c.AdminUnit = &UnitRef{}
			}
			if c.AdminUnit.Level == "" {
				c.AdminUnit.Level = "commune"
			}
			if c.AdminUnit.Level != "commune" && c.AdminUnit.Level != "district" && c.AdminUnit.Level != "province" {
				bad(at("admin_unit"), "column %q: admin_unit.level %q must be commune, district or province", c.Name, c.AdminUnit.Level)
			}
		} else if c.AdminUnit != nil {
			bad(at("admin_unit"), "column %q: admin_unit is only for columns of type admin_unit", c.Name)
		}
	}
	for i := range d.Columns {
		c := &d.Columns[i]
		if c.AdminUnit != nil && c.AdminUnit.DistrictColumn != "" {
			if dc, ok := d.Column(c.AdminUnit.DistrictColumn); !ok || dc.kind != KindString {
				bad(l.At("columns", i, "admin_unit"), "column %q: admin_unit.district_column %q must be a string column of the dataset", c.Name, c.AdminUnit.DistrictColumn)
			}
		}
		if c.AdminUnit != nil && c.AdminUnit.DateColumn != "" {
			dc, ok := d.Column(c.AdminUnit.DateColumn)
			if !ok || (dc.kind != KindDate && dc.kind != KindTimestamp) {
				bad(l.At("columns", i, "admin_unit"), "column %q: admin_unit.date_column %q must be a date or timestamp column of the dataset", c.Name, c.AdminUnit.DateColumn)
			}
		}
	}
	for i, k := range d.Key {
		if !seen[k] {
			bad(l.At("key", i), "key column %q is not a column", k)
		}
	}
	if p := d.Partition; p != nil {
		if p.Transform == "" {
			p.Transform = "month"
		}
		c, ok := d.Column(p.Column)
		switch {
		case !ok:
			bad(l.At("partition", "column"), "partition column %q is not a column", p.Column)
		case p.Transform != "identity" && c.kind != KindDate && c.kind != KindTimestamp:
			bad(l.At("partition", "column"), "partition column %q must be a date or timestamp for transform %s", p.Column, p.Transform)
		}
		if !slices.Contains([]string{"year", "month", "day", "identity"}, p.Transform) {
			bad(l.At("partition", "transform"), "partition transform %q must be year, month, day or identity", p.Transform)
		}
	}
	names := map[string]bool{}
	for i := range d.Checks {
		ck := &d.Checks[i]
		if ck.Name == "" {
			bad(l.At("checks", i), "a check needs a name")
		} else if names[ck.Name] {
			bad(l.At("checks", i, "name"), "check %q is declared twice", ck.Name)
		}
		names[ck.Name] = true
		e, err := expr.Parse(ck.Assert)
		if err != nil {
			bad(l.At("checks", i, "assert"), "check %q: %v", ck.Name, err)
			continue
		}
		ck.expr = e
		ck.statKey = "check:" + ck.Name
		for _, col := range e.Columns() {
			if !seen[col] {
				bad(l.At("checks", i, "assert"), "check %q: %q is not a column", ck.Name, col)
			}
		}
		if ck.Severity == "" {
			ck.Severity = SeverityError
		}
		if ck.Severity != SeverityError && ck.Severity != SeverityWarn {
			bad(l.At("checks", i, "severity"), "check %q: severity must be error or warn", ck.Name)
		}
	}
	for i := range d.DatasetChecks {
		dc := &d.DatasetChecks[i]
		at := func(key string) string { return l.At("dataset_checks", i, key) }
		if dc.Name == "" {
			dc.Name = dc.Type
		}
		if dc.Severity == "" {
			dc.Severity = SeverityError
		}
		if dc.Severity != SeverityError && dc.Severity != SeverityWarn {
			bad(at("severity"), "dataset check %q: severity must be error or warn", dc.Name)
		}
		switch dc.Type {
		case CheckRowCountChange:
			if dc.MaxDrop == nil && dc.MaxGrowth == nil {
				bad(l.At("dataset_checks", i), "dataset check %q: row_count_change needs max_drop or max_growth", dc.Name)
			}
			if dc.MaxDrop != nil && (*dc.MaxDrop < 0 || *dc.MaxDrop > 1) {
				bad(at("max_drop"), "dataset check %q: max_drop is a fraction 0..1", dc.Name)
			}
			if dc.MaxGrowth != nil && *dc.MaxGrowth < 0 {
				bad(at("max_growth"), "dataset check %q: max_growth must not be negative", dc.Name)
			}
		case CheckKeyUnique:
			if len(d.Key) == 0 {
				bad(l.At("dataset_checks", i), "dataset check %q: key_unique needs the dataset's key", dc.Name)
			}
		case CheckMinRows:
			if dc.Min == nil || *dc.Min < 0 {
				bad(l.At("dataset_checks", i), "dataset check %q: min_rows needs min >= 0", dc.Name)
			}
		default:
			bad(at("type"), "dataset check %q: type %q must be row_count_change, key_unique or min_rows", dc.Name, dc.Type)
		}
	}
	return errors.Join(errs...)
}
