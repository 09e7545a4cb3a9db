package quality

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/schemas/pii"
)

// SummaryKey is the snapshot-summary key of a run's quality statistics.
const SummaryKey = "kho.quality"

// RuleResult is one rule of a run.
type RuleResult struct {
	Key      string `json:"key"` // "column:rule" or "check:name"
	Column   string `json:"column,omitempty"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Text     string `json:"text,omitempty"`
	Checked  int64  `json:"checked"`
	Failed   int64  `json:"failed"`
	Warned   int64  `json:"warned"`
	Skipped  string `json:"skipped,omitempty"`
}

// Repair is the values of a column one kind of repair changed.
type Repair struct {
	Column string `json:"column"`
	Kind   string `json:"kind"` // nfc, legacy_tcvn3, legacy_vni, tone_placement, whitespace, case
	Values int64  `json:"values"`
}

// Report is the quality report of one run of one pipeline.
type Report struct {
	RunID         string                        `json:"run_id,omitempty"`
	Pipeline      string                        `json:"pipeline,omitempty"`
	Dataset       string                        `json:"dataset"`
	Read          int64                         `json:"read"`
	Written       int64                         `json:"written"`
	Quarantined   int64                         `json:"quarantined"`
	Rules         []RuleResult                  `json:"rules"`
	Repairs       []Repair                      `json:"repairs,omitempty"`
	PII           []pii.Finding                 `json:"pii,omitempty"`
	DatasetChecks []schemas.DatasetCheckFailure `json:"dataset_checks,omitempty"`
}

// New builds the report of a conform step's statistics: the dataset's rules
// in the schema's order (those the run never reached show 0 checked), then
// any other rule the statistics name (an unreadable row's "read").
func New(ds *schemas.Dataset, st schemas.Stats) *Report {
	r := &Report{Dataset: ds.Name, Read: st.Read, Written: st.Written, Quarantined: st.Quarantined, PII: st.PII}
	known := map[string]bool{}
	add := func(info schemas.RuleInfo) {
		known[info.Key] = true
		r.Rules = append(r.Rules, RuleResult{Key: info.Key, Column: info.Column, Rule: info.Rule, Severity: info.Severity, Text: info.Text,
			Checked: st.Checked[info.Key], Failed: st.FailedRule[info.Key], Warned: st.Warned[info.Key], Skipped: st.Skipped[info.Key]})
	}
	for _, info := range ds.Rules() {
		add(info)
	}
	for _, k := range st.RuleKeys() {
		if !known[k] {
			col, rule := schemas.SplitRuleKey(k)
			add(schemas.RuleInfo{Key: k, Column: col, Rule: rule, Severity: schemas.SeverityError})
		}
	}
	for k, n := range st.Repaired {
		col, kind := schemas.SplitRuleKey(k)
		r.Repairs = append(r.Repairs, Repair{Column: col, Kind: kind, Values: n})
	}
	sort.Slice(r.Repairs, func(i, j int) bool {
		a, b := r.Repairs[i], r.Repairs[j]
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Kind < b.Kind
	})
	return r
}

// Failed is the number of rows the report's rules quarantined.
func (r *Report) Failed() int64 {
	var n int64
	for _, x := range r.Rules {
		n += x.Failed
	}
	return n
}

// Warnings is the number of warn-rule failures, personal-data findings and
// dataset-check warnings.
func (r *Report) Warnings() int64 {
	n := int64(len(r.PII))
	for _, x := range r.Rules {
		n += x.Warned
	}
	for _, d := range r.DatasetChecks {
		if d.Severity == schemas.SeverityWarn {
			n++
		}
	}
	return n
}

// Repaired is the number of values repaired.
func (r *Report) Repaired() int64 {
	var n int64
	for _, x := range r.Repairs {
		n += x.Values
	}
	return n
}

// Line is the report in one line, for a run's summary:
//
//	quality: 31 rules, 149 rows failed (dossier_id:required 37, received_at:type 38, …), 2 warnings, 1204 values repaired (tone_placement 980, nfc 224); PII? contact=phone
func (r *Report) Line() string {
	checked := 0
	for _, x := range r.Rules {
		if x.Checked > 0 {
			checked++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "quality: %d rules checked, %d rows failed", checked, r.Failed())
	if top := topRules(r.Rules, func(x RuleResult) int64 { return x.Failed }, 3); top != "" {
		fmt.Fprintf(&b, " (%s)", top)
	}
	fmt.Fprintf(&b, ", %d warnings", r.Warnings())
	if top := topRules(r.Rules, func(x RuleResult) int64 { return x.Warned }, 2); top != "" {
		fmt.Fprintf(&b, " (%s)", top)
	}
	fmt.Fprintf(&b, ", %d values repaired", r.Repaired())
	if r.Repaired() > 0 {
		kinds := map[string]int64{}
		for _, x := range r.Repairs {
			kinds[x.Kind] += x.Values
		}
		fmt.Fprintf(&b, " (%s)", topMap(kinds, 3))
	}
	if len(r.PII) > 0 {
		var parts []string
		for _, f := range r.PII {
			parts = append(parts, fmt.Sprintf("%s=%s", f.Column, f.Kind))
		}
		fmt.Fprintf(&b, "; untagged personal data? %s", strings.Join(parts, ", "))
	}
	return b.String()
}

func topRules(rules []RuleResult, n func(RuleResult) int64, k int) string {
	m := map[string]int64{}
	for _, x := range rules {
		if v := n(x); v > 0 {
			m[x.Key] += v
		}
	}
	return topMap(m, k)
}

func topMap(m map[string]int64, k int) string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var parts []string
	for i, key := range keys {
		if i == k {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", key, m[key]))
	}
	return strings.Join(parts, ", ")
}

// Write prints the report as tables, Vietnamese headings first.
func (r *Report) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "BÁO CÁO CHẤT LƯỢNG / QUALITY REPORT — %s", r.Dataset)
	if r.Pipeline != "" {
		fmt.Fprintf(tw, " (pipeline %s", r.Pipeline)
		if r.RunID != "" {
			fmt.Fprintf(tw, ", run %s", r.RunID)
		}
		fmt.Fprint(tw, ")")
	}
	fmt.Fprintf(tw, "\nĐọc/read %d  ghi/written %d  cách ly/quarantined %d\n\n", r.Read, r.Written, r.Quarantined)
	fmt.Fprintln(tw, "Quy tắc / rule\tMức / severity\tĐã kiểm / checked\tLỗi / failed\tCảnh báo / warned\tGhi chú / note")
	for _, x := range r.Rules {
		note := x.Text
		if x.Skipped != "" {
			note = "không kiểm / not checked: " + x.Skipped
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", x.Key, x.Severity, x.Checked, x.Failed, x.Warned, note)
	}
	if len(r.Repairs) > 0 {
		fmt.Fprintln(tw, "\nSửa dữ liệu / repairs\tLoại / kind\tGiá trị / values")
		for _, x := range r.Repairs {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", x.Column, x.Kind, x.Values)
		}
	}
	if len(r.PII) > 0 {
		fmt.Fprintln(tw, "\nCột chưa gắn nhãn có thể chứa dữ liệu cá nhân / untagged columns that look personal\tLoại / kind\tTỷ lệ / share")
		for _, f := range r.PII {
			fmt.Fprintf(tw, "%s\t%s\t%.0f%% of %d\n", f.Column, f.Kind, f.Share*100, f.Sampled)
		}
	}
	if len(r.DatasetChecks) > 0 {
		fmt.Fprintln(tw, "\nKiểm tra tập dữ liệu / dataset checks\tMức / severity\tLý do / reason")
		for _, d := range r.DatasetChecks {
			fmt.Fprintf(tw, "%s\t%s\t%s / %s\n", d.Check, d.Severity, d.ReasonVI, d.ReasonEN)
		}
	}
	return tw.Flush()
}

// stored is what a snapshot summary keeps of a run's quality.
type stored struct {
	Checked       map[string]int64              `json:"checked,omitempty"`
	Failed        map[string]int64              `json:"failed,omitempty"`
	Warned        map[string]int64              `json:"warned,omitempty"`
	Repaired      map[string]int64              `json:"repaired,omitempty"`
	Skipped       map[string]string             `json:"skipped,omitempty"`
	PII           []pii.Finding                 `json:"pii,omitempty"`
	DatasetChecks []schemas.DatasetCheckFailure `json:"dataset_checks,omitempty"`
}

// Encode is the compact JSON of a run's statistics (and the warnings of its
// dataset checks) for the snapshot summary under SummaryKey.
func Encode(st schemas.Stats, checks []schemas.DatasetCheckFailure) string {
	b, _ := json.Marshal(stored{Checked: st.Checked, Failed: st.FailedRule, Warned: st.Warned, Repaired: st.Repaired,
		Skipped: st.Skipped, PII: st.PII, DatasetChecks: checks})
	return string(b)
}

// Decode reads what Encode wrote, with the row counts of the summary.
func Decode(s string, read, written, quarantined int64) (schemas.Stats, []schemas.DatasetCheckFailure, error) {
	var x stored
	if err := json.Unmarshal([]byte(s), &x); err != nil {
		return schemas.Stats{}, nil, fmt.Errorf("reading the quality of a run: %w", err)
	}
	st := schemas.Stats{Read: read, Written: written, Quarantined: quarantined}
	st.Add(schemas.Stats{Checked: x.Checked, FailedRule: x.Failed, Warned: x.Warned, Repaired: x.Repaired, Skipped: x.Skipped, PII: x.PII})
	st.Read, st.Written, st.Quarantined = read, written, quarantined
	return st, x.DatasetChecks, nil
}
