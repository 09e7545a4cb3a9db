package dashboard

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/sonla-data/kho/server/pages/site"
)

// The dossier KPI marts the leadership panels read.
const (
	martAgency   = "dossier_kpi_monthly"
	martProvince = "dossier_kpi_province_monthly"
	martCommune  = "dossier_kpi_commune_monthly"
	martTargets  = "plan_targets"
)

// kpi is one indicator of the plan.
type kpi struct {
	Key       string // URL value and message key suffix
	Rate      string // the marts' rate column
	Num, Den  string // the count columns of its ratio (agency and province marts)
	TargetKPI string // plan_targets.kpi
	Class     string // chart colour
}

var kpis = []kpi{
	{Key: "digitised", Rate: "digitised_rate", Num: "digitised", Den: "received", TargetKPI: "digitised_rate", Class: "s1"},
	{Key: "reuse", Rate: "reuse_rate", Num: "reused", Den: "received", TargetKPI: "reuse_rate", Class: "s2"},
	{Key: "on_time", Rate: "on_time_rate", Num: "on_time", Den: "completed", TargetKPI: "on_time_rate", Class: "s3"},
	{Key: "online", Rate: "online_rate", Num: "online", Den: "received", TargetKPI: "online_rate", Class: "s4"},
}

func kpiByKey(k string) *kpi {
	for i := range kpis {
		if kpis[i].Key == k {
			return &kpis[i]
		}
	}
	return nil
}

// monthRow is one month of a scope (province, agency or commune).
type monthRow struct {
	Month    time.Time
	Received float64
	Num, Den map[string]float64 // by kpi key, as the mart counts them
	Rate     map[string]float64 // as the mart gives it (NaN: none)
}

// scope says whose figures are shown.
type scope struct {
	Mart  string // the mart read
	Where string // extra condition
	Arg   string
}

func scopeOf(f Filters) scope {
	switch {
	case f.Agency != "":
		return scope{Mart: martAgency, Where: "agency_code = ?", Arg: f.Agency}
	case f.Commune != "":
		return scope{Mart: martCommune, Where: "commune_code = ?", Arg: f.Commune}
	}
	return scope{Mart: martProvince}
}

// series reads the scope's months within the period: each indicator's
// numerator and denominator as the mart counts them, and its rate.
func series(ctx context.Context, read rowsFunc, sc scope, f Filters) ([]monthRow, error) {
	cols := "month, received"
	for _, k := range kpis {
		cols += fmt.Sprintf(", %s, %s, %s", k.Rate, k.Num, k.Den)
	}
	query := fmt.Sprintf(`SELECT %s FROM marts.%s WHERE month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)`, cols, sc.Mart)
	args := []any{day(f.From), day(f.To)}
	if sc.Where != "" {
		query += " AND " + sc.Where
		args = append(args, sc.Arg)
	}
	t, err := read(ctx, 1000, query+" ORDER BY month", args...)
	if err != nil {
		return nil, fmt.Errorf("reading marts.%s: %w", sc.Mart, err)
	}
	var out []monthRow
	for _, r := range t.Rows {
		m, _ := asTime(r[0])
		row := monthRow{Month: m, Received: num(r[1]), Num: map[string]float64{}, Den: map[string]float64{}, Rate: map[string]float64{}}
		i := 2
		for _, k := range kpis {
			row.Rate[k.Key] = num(r[i])
			row.Num[k.Key], row.Den[k.Key] = num(r[i+1]), num(r[i+2])
			i += 3
		}
		out = append(out, row)
	}
	return out, nil
}

// periodRate is a kpi's rate over several months: the sum of its numerators
// over the sum of its denominators.
func periodRate(rows []monthRow, k string) (rate, n, d float64) {
	for _, r := range rows {
		n += r.Num[k]
		d += r.Den[k]
	}
	if d == 0 {
		return math.NaN(), n, d
	}
	return n / d, n, d
}

// readTargets reads the plan's targets: kpi -> year -> target.
func readTargets(ctx context.Context, read rowsFunc) (map[string]map[int]float64, error) {
	t, err := read(ctx, 1000, `SELECT kpi, year, target FROM marts.plan_targets`)
	if err != nil {
		return nil, fmt.Errorf("reading marts.plan_targets: %w", err)
	}
	out := map[string]map[int]float64{}
	for _, r := range t.Rows {
		k := str(r[0])
		if out[k] == nil {
			out[k] = map[int]float64{}
		}
		out[k][int(num(r[1]))] = num(r[2])
	}
	return out, nil
}

func targetAt(targets map[string]map[int]float64, k *kpi, m time.Time) float64 {
	if v, ok := targets[k.TargetKPI][m.Year()]; ok {
		return v
	}
	return math.NaN()
}

// unitRow is one agency or commune over the period.
type unitRow struct {
	Code, Name string
	Received   float64
	Num, Den   map[string]float64
}

func (u unitRow) rate(k string) float64 {
	if u.Den[k] == 0 {
		return math.NaN()
	}
	return u.Num[k] / u.Den[k]
}

// byAgency sums the period by provincial agency (reference.agencies level
// tỉnh; every agency when the reference table is absent).
func (h *Handler) byAgency(ctx context.Context, f Filters, withLevels bool) ([]unitRow, error) {
	sums := "sum(received)"
	for _, k := range kpis {
		sums += fmt.Sprintf(", sum(%s), sum(%s)", k.Num, k.Den)
	}
	q := `SELECT k.agency_code, any_value(k.agency_name), ` + sums + ` FROM marts.dossier_kpi_monthly k`
	if withLevels {
		q += ` WHERE k.agency_code IN (SELECT agency_code FROM reference.agencies WHERE level = 'tỉnh') AND`
	} else {
		q += ` WHERE`
	}
	q += ` k.month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) GROUP BY k.agency_code`
	t, err := readAll(ctx, h.deps.Query, 5000, q, day(f.From), day(f.To))
	if err != nil {
		return nil, fmt.Errorf("reading marts.%s by agency: %w", martAgency, err)
	}
	var out []unitRow
	for _, r := range t.Rows {
		u := unitRow{Code: str(r[0]), Name: str(r[1]), Received: num(r[2]), Num: map[string]float64{}, Den: map[string]float64{}}
		for i, k := range kpis {
			u.Num[k.Key], u.Den[k.Key] = num(r[3+2*i]), num(r[4+2*i])
		}
		out = append(out, u)
	}
	return out, nil
}

// byCommune sums the period by today's commune: a commune's rate over the
// period is the sum of its numerators over the sum of its denominators.
func (h *Handler) byCommune(ctx context.Context, f Filters) ([]unitRow, error) {
	sums := "sum(received)"
	for _, k := range kpis {
		sums += fmt.Sprintf(", sum(%s), sum(%s)", k.Num, k.Den)
	}
	q := `SELECT commune_code, any_value(commune_name), ` + sums + ` FROM marts.dossier_kpi_commune_monthly WHERE month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) GROUP BY commune_code`
	t, err := readAll(ctx, h.deps.Query, 5000, q, day(f.From), day(f.To))
	if err != nil {
		return nil, fmt.Errorf("reading marts.%s by commune: %w", martCommune, err)
	}
	var out []unitRow
	for _, r := range t.Rows {
		u := unitRow{Code: str(r[0]), Name: str(r[1]), Received: num(r[2]), Num: map[string]float64{}, Den: map[string]float64{}}
		for i, k := range kpis {
			u.Num[k.Key], u.Den[k.Key] = num(r[3+2*i]), num(r[4+2*i])
		}
		out = append(out, u)
	}
	return out, nil
}

// sortByRate sorts units by a kpi's rate, highest first (worst: lowest
// first, the furthest below the target leading), units without a rate
// last, then by name.
func sortByRate(us []unitRow, k string, worst bool) {
	sort.SliceStable(us, func(i, j int) bool {
		a, b := us[i].rate(k), us[j].rate(k)
		switch {
		case math.IsNaN(a) && math.IsNaN(b):
			return us[i].Name < us[j].Name
		case math.IsNaN(a):
			return false
		case math.IsNaN(b):
			return true
		case a != b:
			return a > b != worst
		}
		return us[i].Name < us[j].Name
	})
}

// options lists the choices of a filter.
type option struct{ Code, Name string }

func (h *Handler) options(ctx context.Context, query string) ([]option, error) {
	t, err := readAll(ctx, h.deps.Query, 5000, query)
	if err != nil {
		return nil, err
	}
	out := make([]option, 0, len(t.Rows))
	for _, r := range t.Rows {
		out = append(out, option{Code: str(r[0]), Name: str(r[1])})
	}
	return out, nil
}

// optGroup is a group of a select's options.
type optGroup struct {
	Label   string
	Options []option
}

// agencyOptions lists the agencies of the KPI mart, grouped as the reform
// left them: provincial, communes of today, communes before 01/07/2025 (by
// reference.agencies when the lake has it).
func (h *Handler) agencyOptions(ctx context.Context, v *site.View) ([]option, []optGroup, error) {
	q := `SELECT agency_code, any_value(agency_name) AS n, '' AS level, false AS ended FROM marts.dossier_kpi_monthly GROUP BY agency_code ORDER BY n, agency_code`
	if info, err := h.table(ctx, "reference.agencies"); err == nil && info.Exists {
		q = `SELECT k.agency_code, any_value(k.agency_name) AS n, coalesce(any_value(a.level), '') AS level, coalesce(any_value(a.valid_to IS NOT NULL), false) AS ended
			FROM marts.dossier_kpi_monthly k LEFT JOIN reference.agencies a USING (agency_code) GROUP BY k.agency_code ORDER BY n, k.agency_code`
	}
	t, err := readAll(ctx, h.deps.Query, 5000, q)
	if err != nil {
		return nil, nil, err
	}
	labels := []string{v.T("agencies_province"), v.T("agencies_commune"), v.T("agencies_before"), v.T("agencies_other")}
	groups := make([][]option, len(labels))
	var all []option
	for _, r := range t.Rows {
		o := option{Code: str(r[0]), Name: str(r[1])}
		all = append(all, o)
		g := 3
		switch {
		case str(r[2]) == "tỉnh":
			g = 0
		case str(r[2]) == "xã" && r[3] == true:
			g = 2
		case str(r[2]) == "xã":
			g = 1
		}
		groups[g] = append(groups[g], o)
	}
	var out []optGroup
	for i, g := range groups {
		if len(g) > 0 {
			out = append(out, optGroup{Label: labels[i], Options: g})
		}
	}
	return all, out, nil
}

// readMonths lists the months of the province's dossier KPIs.
func readMonths(ctx context.Context, read rowsFunc) ([]time.Time, error) {
	t, err := read(ctx, 10000, `SELECT DISTINCT month FROM marts.dossier_kpi_province_monthly WHERE month IS NOT NULL ORDER BY month`)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	for _, r := range t.Rows {
		if m, ok := asTime(r[0]); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

func day(t time.Time) string { return t.Format("2006-01-02") }
