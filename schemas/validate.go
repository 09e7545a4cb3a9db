package schemas

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sonla-data/kho/internal/yamlpos"
)

var identRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

var checkRe = regexp.MustCompile(`^\s*([a-z][a-z0-9_]*)\s*(>=|<=|=|!=|>|<)\s*([a-z][a-z0-9_]*)\s*$`)

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
		switch c.Case {
		case "", "upper", "lower", "title":
		default:
			bad(at("case"), "column %q: case %q must be upper, lower or title", c.Name, c.Case)
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
	for i := range d.Checks {
		ck := &d.Checks[i]
		m := checkRe.FindStringSubmatch(ck.Assert)
		if m == nil {
			bad(l.At("checks", i, "assert"), "check %q: assert %q must compare two columns, like \"due_at >= received_at\"", ck.Name, ck.Assert)
			continue
		}
		ck.left, ck.op, ck.right = m[1], m[2], m[3]
		for _, side := range []string{ck.left, ck.right} {
			if !seen[side] {
				bad(l.At("checks", i, "assert"), "check %q: %q is not a column", ck.Name, side)
			}
		}
		if ck.Name == "" {
			bad(l.At("checks", i), "a check needs a name")
		}
		if ck.Severity == "" {
			ck.Severity = "error"
		}
		if ck.Severity != "error" && ck.Severity != "warn" {
			bad(l.At("checks", i, "severity"), "check %q: severity must be error or warn", ck.Name)
		}
	}
	return errors.Join(errs...)
}
