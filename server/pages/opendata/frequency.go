package opendata

import (
	"strings"
)

// Frequency is how often a dataset is updated, from the schedules of the
// pipelines that feed it.
type Frequency string

// The frequencies, named as in the EU frequency vocabulary that DCAT-AP uses.
const (
	Continuous Frequency = "CONT"
	Hourly     Frequency = "HOURLY"
	Daily      Frequency = "DAILY"
	Weekly     Frequency = "WEEKLY"
	Monthly    Frequency = "MONTHLY"
	Quarterly  Frequency = "QUARTERLY"
	Annual     Frequency = "ANNUAL"
	Irregular  Frequency = "IRREG"
)

var freqOrder = []Frequency{Continuous, Hourly, Daily, Weekly, Monthly, Quarterly, Annual, Irregular}

// URI is the frequency's DCAT-AP (EU authority table) IRI.
func (f Frequency) URI() string {
	return "http://publications.europa.eu/resource/authority/frequency/" + string(f)
}

// MessageKey is the site message naming the frequency.
func (f Frequency) MessageKey() string {
	switch f {
	case Continuous:
		return "freq_continuous"
	case Hourly:
		return "freq_hourly"
	case Daily:
		return "freq_daily"
	case Weekly:
		return "freq_weekly"
	case Monthly:
		return "freq_monthly"
	case Quarterly:
		return "freq_quarterly"
	case Annual:
		return "freq_annual"
	}
	return "freq_irregular"
}

// FromCron reads a cron schedule (5 fields, or @hourly/@daily/…); empty or
// unreadable: Irregular.
func FromCron(spec string) Frequency {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		if _, rest, ok := strings.Cut(spec, " "); ok {
			spec = strings.TrimSpace(rest)
		}
	}
	switch spec {
	case "@hourly":
		return Hourly
	case "@daily", "@midnight":
		return Daily
	case "@weekly":
		return Weekly
	case "@monthly":
		return Monthly
	case "@yearly", "@annually":
		return Annual
	}
	if strings.HasPrefix(spec, "@every") {
		return Continuous
	}
	f := strings.Fields(spec)
	if len(f) != 5 {
		return Irregular
	}
	fixed := func(s string) bool { return s != "" && !strings.ContainsAny(s, "*/,-") }
	min, hour, dom, month, dow := f[0], f[1], f[2], f[3], f[4]
	switch {
	case !fixed(min):
		return Continuous
	case !fixed(hour):
		return Hourly
	case dom == "*" && month == "*" && dow == "*":
		return Daily
	case dom == "*" && month == "*":
		return Weekly
	case fixed(dom) && month == "*":
		return Monthly
	case fixed(dom) && fixed(month):
		return Annual
	case fixed(dom):
		return Quarterly // several months a year
	}
	return Irregular
}

// mostFrequent is the most frequent of the schedules.
func mostFrequent(specs []string) Frequency {
	best := Irregular
	rank := func(f Frequency) int {
		for i, g := range freqOrder {
			if g == f {
				return i
			}
		}
		return len(freqOrder)
	}
	for _, s := range specs {
		if f := FromCron(s); rank(f) < rank(best) {
			best = f
		}
	}
	return best
}
