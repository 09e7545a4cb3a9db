package dashboard

import (
	"net/url"
	"regexp"
	"time"
)

// Filters are the dashboard's filters, all in the URL: ?from=2025-01&to=2025-12
// &agency=CODE&commune=CODE&kpi=digitised&order=worst.
type Filters struct {
	From, To time.Time // first days of months; zero: the default period
	Agency   string
	Commune  string
	KPI      string // a kpis key
	// Worst orders agencies and communes worst first against the target
	// (?order=worst); else best first.
	Worst bool
}

var (
	monthRe = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)
	codeRe  = regexp.MustCompile(`^[0-9A-Za-z.\-]{1,40}$`)
)

// parseFilters reads the filters, dropping values that are not well formed.
func parseFilters(q url.Values) Filters {
	var f Filters
	month := func(s string) time.Time {
		if !monthRe.MatchString(s) {
			return time.Time{}
		}
		t, _ := time.Parse("2006-01", s)
		return t
	}
	f.From, f.To = month(q.Get("from")), month(q.Get("to"))
	if a := q.Get("agency"); codeRe.MatchString(a) {
		f.Agency = a
	}
	if c := q.Get("commune"); codeRe.MatchString(c) {
		f.Commune = c
	}
	f.Worst = q.Get("order") == "worst"
	f.KPI = "digitised"
	if k := q.Get("kpi"); kpiByKey(k) != nil {
		f.KPI = k
	}
	return f
}

// settle fits the period to the months that have data: by default the year
// to date of the latest month (the plan's targets are yearly), and from <= to.
func (f *Filters) settle(months []time.Time) {
	if len(months) == 0 {
		return
	}
	first, last := months[0], months[len(months)-1]
	if f.To.IsZero() || f.To.After(last) {
		f.To = last
	}
	if f.From.IsZero() {
		f.From = time.Date(f.To.Year(), time.January, 1, 0, 0, 0, 0, f.To.Location())
	}
	if f.From.Before(first) {
		f.From = first
	}
	if f.From.After(f.To) {
		f.From, f.To = f.To, f.From
	}
}
