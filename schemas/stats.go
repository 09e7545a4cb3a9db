package schemas

import (
	"maps"
	"sort"
	"strings"

	"github.com/sonla-data/kho/schemas/pii"
)

// Stats counts what a conform step did. Rule keys are "column:rule" for the
// rules of a column (rule is required, type, admin_unit, min, max, pattern,
// values, references or unique) and "check:name" for a row check.
type Stats struct {
	Read        int64
	Written     int64
	Quarantined int64
	// Checked counts the values (or rows, for required, unique and checks)
	// each rule was applied to.
	Checked map[string]int64
	// FailedRule counts the rows each error rule quarantined (a row is
	// counted under the first rule it failed).
	FailedRule map[string]int64
	// Warned counts the values or rows that broke a warn rule and were kept.
	Warned map[string]int64
	// Repaired counts the values changed by text normalisation, by
	// "column:repair" (nfc, legacy_tcvn3, legacy_vni, tone_placement,
	// whitespace, case).
	Repaired map[string]int64
	// Skipped names the rules that could not be checked, and why.
	Skipped map[string]string
	// PII lists the untagged text columns that look like they hold
	// personal data.
	PII []pii.Finding
}

func newStats() Stats {
	return Stats{Checked: map[string]int64{}, FailedRule: map[string]int64{}, Warned: map[string]int64{},
		Repaired: map[string]int64{}, Skipped: map[string]string{}}
}

func (s Stats) clone() Stats {
	out := s
	out.Checked, out.FailedRule, out.Warned = maps.Clone(s.Checked), maps.Clone(s.FailedRule), maps.Clone(s.Warned)
	out.Repaired, out.Skipped = maps.Clone(s.Repaired), maps.Clone(s.Skipped)
	out.PII = append([]pii.Finding(nil), s.PII...)
	return out
}

// Add adds the counts of o (another conform step of the same run) to s.
func (s *Stats) Add(o Stats) {
	if s.Checked == nil {
		*s = newStats()
	}
	s.Read += o.Read
	s.Written += o.Written
	s.Quarantined += o.Quarantined
	for _, p := range []struct{ dst, src map[string]int64 }{
		{s.Checked, o.Checked}, {s.FailedRule, o.FailedRule}, {s.Warned, o.Warned}, {s.Repaired, o.Repaired},
	} {
		for k, v := range p.src {
			p.dst[k] += v
		}
	}
	maps.Copy(s.Skipped, o.Skipped)
	s.PII = append(s.PII, o.PII...)
}

// RepairedTotal is the number of values repaired, all columns and repairs.
func (s Stats) RepairedTotal() int64 {
	var n int64
	for _, v := range s.Repaired {
		n += v
	}
	return n
}

// WarnedTotal is the number of warn-rule failures.
func (s Stats) WarnedTotal() int64 {
	var n int64
	for _, v := range s.Warned {
		n += v
	}
	return n
}

// RuleKeys lists every rule key of the counts, sorted.
func (s Stats) RuleKeys() []string {
	set := map[string]bool{}
	for _, m := range []map[string]int64{s.Checked, s.FailedRule, s.Warned} {
		for k := range m {
			set[k] = true
		}
	}
	for k := range s.Skipped {
		set[k] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ruleKey is the key of a rule in the counts.
func ruleKey(column, rule string) string { return column + ":" + rule }

// SplitRuleKey splits "column:rule".
func SplitRuleKey(k string) (column, rule string) {
	column, rule, _ = strings.Cut(k, ":")
	return column, rule
}
