package dashboard

import (
	"math"
	"strconv"
	"time"
)

// Every element of the dashboard that shows a figure carries its id in
// data-figure and its exact value in data-value, so that a test can
// recompute each one from the sources and find any figure it does not
// cover. Ids:
//
//	card.<kpi>                      a card's rate over the period (n/d)
//	card.<kpi>.verdict              met | not_met
//	target.<kpi>.<year>             the plan's target of a year
//	target.<kpi>.monthly            the target line: each month's target
//	monthly.<yyyy-mm>.<kpi>         a month's rate of the scope (n/d)
//	monthly.<yyyy-mm>.received      a month's dossiers received
//	agency|commune.<code>.<kpi>     a unit's rate over the period (n/d)
//	agency|commune.<code>.received  a unit's dossiers over the period
//	agency|commune.<code>.<kpi>.verdict  met | not_met: the chosen indicator's
//	                                rate against the target, as a card's
//	sector.<mart>.<figure>          a sector figure of the latest period
//	sector.<mart>.<period>.<figure> a sector figure of one period
//	index.<figure>, index.<owner>   the data-development index panel
//	fresh.<pipeline>.rows, fresh.failed

// exact is a value's shortest round-trip form; "" for none.
func exact(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// ratio is a rate's exact value: "numerator/denominator", "" when the
// denominator is 0 (no rate).
func ratio(n, d float64) string {
	if d == 0 || math.IsNaN(d) || math.IsNaN(n) {
		return ""
	}
	return exact(n) + "/" + exact(d)
}

func monthFig(m time.Time, what string) string { return "monthly." + m.Format("2006-01") + "." + what }

func unitFig(kind, code, what string) string { return kind + "." + code + "." + what }

func targetFig(k *kpi, to time.Time) string { return "target." + k.Key + "." + strconv.Itoa(to.Year()) }
