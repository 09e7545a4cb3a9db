package dashboard

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/sonla-data/kho/server/pages/site"
)

// One period, one verdict: the dashboard's cards and `kho summary` judge the
// plan's yearly targets on the same period, by default the year to date of
// the latest month with dossiers, and both say which period it is.

// DefaultPeriod is the year to date of the latest month: January of its
// year to that month (first days of months; zero when there is no month).
func DefaultPeriod(months []time.Time) (from, to time.Time) {
	f := Filters{}
	f.settle(months)
	return f.From, f.To
}

// PeriodLabel names a period of whole months: "năm 2025, đến hết tháng 12"
// for a year to date, "tháng 12/2025" for a single month, else its first
// and last months.
func PeriodLabel(l site.Lang, from, to time.Time) string {
	switch {
	case from.Equal(to):
		return l.Pick("tháng "+l.Month(to), l.Month(to))
	case from.Month() == time.January && from.Year() == to.Year():
		return l.Pick(fmt.Sprintf("năm %d, đến hết tháng %d", to.Year(), int(to.Month())),
			fmt.Sprintf("%d to date, through %s", to.Year(), to.Format("January")))
	}
	return l.Pick("từ "+l.Month(from)+" đến "+l.Month(to), l.Month(from)+" – "+l.Month(to))
}

// Verdict is one indicator of the plan over a period: the sum of its
// numerators over the sum of its denominators, against the target of the
// period's last year.
type Verdict struct {
	Key       string  // kpis key: digitised, reuse, on_time, online
	Num, Den  float64 // summed over the period's months, as the mart counts them
	Rate      float64 // Num/Den; NaN when Den is 0
	Target    float64 // NaN when the plan has none for the year
	HasTarget bool
	Met       bool
}

// judge gives every indicator's verdict over the rows of a period ending
// in month to.
func judge(rows []monthRow, targets map[string]map[int]float64, to time.Time) []Verdict {
	var out []Verdict
	for _, k := range kpis {
		rate, n, d := periodRate(rows, k.Key)
		v := Verdict{Key: k.Key, Num: n, Den: d, Rate: rate, Target: targetAt(targets, &k, to)}
		if !math.IsNaN(v.Target) {
			v.HasTarget = true
			v.Met = !math.IsNaN(rate) && rate >= v.Target
		}
		out = append(out, v)
	}
	return out
}

// Summary is the province's dossier KPIs over a period, as the dashboard
// shows them without filters.
type Summary struct {
	From, To            time.Time // first days of the period's first and last months
	Received, Completed float64
	PaidOnline          float64 // dossiers paid online (no target in the plan)
	Verdicts            []Verdict
}

// rowsFunc reads at most max rows of one of the dashboard's queries.
type rowsFunc func(ctx context.Context, max int, query string, args ...any) (*table, error)

// Rows runs one of the dashboard's queries and returns at most max of its
// rows: kho summary reads through the lake's DuckDB, the pages through the
// serving engine.
type Rows func(ctx context.Context, max int, query string, args ...any) ([][]any, error)

// Summarize reads the province's KPIs over from..to (zero: the default
// period, the year to date of the latest month) with the dashboard's own
// code. It returns nil when the lake has no dossier month.
func Summarize(ctx context.Context, read Rows, from, to time.Time) (*Summary, error) {
	q := func(ctx context.Context, max int, query string, args ...any) (*table, error) {
		rows, err := read(ctx, max, query, args...)
		return &table{Rows: rows}, err
	}
	months, err := readMonths(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("reading marts.%s: %w", martProvince, err)
	}
	if len(months) == 0 {
		return nil, nil
	}
	f := Filters{From: from, To: to}
	f.settle(months)
	rows, err := series(ctx, q, scope{Mart: martProvince}, f)
	if err != nil {
		return nil, err
	}
	targets, err := readTargets(ctx, q)
	if err != nil {
		return nil, err
	}
	s := &Summary{From: f.From, To: f.To, Verdicts: judge(rows, targets, f.To)}
	t, err := q(ctx, 1, `SELECT coalesce(sum(received), 0), coalesce(sum(completed), 0), coalesce(sum(paid_online), 0)
		FROM marts.dossier_kpi_province_monthly WHERE month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)`, day(f.From), day(f.To))
	if err != nil {
		return nil, fmt.Errorf("reading marts.%s: %w", martProvince, err)
	}
	if len(t.Rows) == 1 {
		s.Received, s.Completed, s.PaidOnline = num(t.Rows[0][0]), num(t.Rows[0][1]), num(t.Rows[0][2])
	}
	return s, nil
}
