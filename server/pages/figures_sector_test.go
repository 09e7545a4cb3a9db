package pages_test

import (
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/schemas/units"
)

// The sector panels' figures, recomputed in Go from the rows of the
// conformed datasets the sector marts read (each row as the pipeline wrote
// it, never an aggregate and never a mart): each fact goes to the commune of
// today its commune is or became part of (schemas/units, at the fact's
// date), is added up by commune and period as exact decimals, and each
// figure is the sum, or the ratio of two sums, over the page's communes.
// The index panel's figures are recomputed from the lake's metadata and the
// freshness table's row counts from the datasets.

// fsource is one kind of fact: a query of raw rows giving the commune code,
// the fact's day (NULL: a current list, on its commune code as it is), the
// period as the page shows it, and the values it adds to cols.
type fsource struct {
	sql  string
	cols []string
}

type fmart struct {
	name    string
	kind    string // month | year | text: how the page filters and orders periods
	periods string // the grid's periods (as shown)
	facts   []fsource
	// fix turns a cell's exact sum into the value the mart stores where it
	// divides (a mean over twelve months, VND to million VND).
	fix map[string]func(*big.Rat) *big.Rat
	// figures: column -> "" for a sum, "num/den" for a ratio.
	figures map[string]string
	order   []string
}

const shownMonth = `strftime(CAST(date_trunc('month', %s) AS DATE), '%%m/%%Y')`

func month(col string) string { return fmt.Sprintf(shownMonth, col) }

var fmarts = []fmart{
	{name: "sector_agriculture", kind: "year",
		periods: `SELECT CAST(year AS VARCHAR) FROM agriculture.crop_reports UNION SELECT CAST(year(report_date) AS VARCHAR) FROM agriculture.aquaculture
			UNION SELECT CAST(year AS VARCHAR) FROM agriculture.land_use WHERE land_type LIKE 'Đất rừng%' UNION SELECT CAST(year(report_date) AS VARCHAR) FROM agriculture.livestock_reports`,
		facts: []fsource{
			{`SELECT commune_code, report_date, CAST(year AS VARCHAR), CAST(area_ha AS VARCHAR), CAST(output_tonnes AS VARCHAR) FROM agriculture.crop_reports`, []string{"crop_area_ha", "crop_output_tonnes"}},
			{`SELECT commune_code, report_date, CAST(year(report_date) AS VARCHAR), CAST(output_tonnes AS VARCHAR) FROM agriculture.aquaculture`, []string{"aquaculture_tonnes"}},
			{`SELECT commune_code, report_date, CAST(year AS VARCHAR), CAST(area_ha AS VARCHAR) FROM agriculture.land_use WHERE land_type LIKE 'Đất rừng%'`, []string{"forest_land_ha"}},
			{`SELECT commune_code, report_date, CAST(year(report_date) AS VARCHAR), CAST(head_count AS VARCHAR) FROM agriculture.livestock_reports`, []string{"livestock_heads"}},
		},
		fix:     map[string]func(*big.Rat) *big.Rat{"livestock_heads": divFloat(12)},
		figures: map[string]string{"crop_area_ha": "", "crop_output_tonnes": "", "crop_yield_t_per_ha": "crop_output_tonnes/crop_area_ha", "aquaculture_tonnes": "", "forest_land_ha": "", "livestock_heads": ""},
		order:   []string{"crop_area_ha", "crop_output_tonnes", "crop_yield_t_per_ha", "aquaculture_tonnes", "forest_land_ha", "livestock_heads"}},
	{name: "sector_construction", kind: "month",
		periods: `SELECT ` + month("issued_on") + ` FROM construction.housing UNION SELECT ` + month("approved_on") + ` FROM construction.planning`,
		facts: []fsource{
			{`SELECT commune_code, issued_on, ` + month("issued_on") + `, '1', CASE WHEN building_type LIKE 'Nhà ở%' THEN '1' ELSE '0' END, CAST(floor_area_m2 AS VARCHAR), CAST(est_cost_mvnd AS VARCHAR) FROM construction.housing`,
				[]string{"permits", "housing_permits", "floor_area_m2", "est_cost_mvnd"}},
			{`SELECT commune_code, approved_on, ` + month("approved_on") + `, '1', CAST(area_ha AS VARCHAR) FROM construction.planning`, []string{"plans_approved", "planned_ha"}},
		},
		figures: map[string]string{"permits": "", "housing_permits": "", "floor_area_m2": "", "est_cost_mvnd": "", "plans_approved": "", "planned_ha": ""},
		order:   []string{"permits", "housing_permits", "floor_area_m2", "est_cost_mvnd", "plans_approved", "planned_ha"}},
	{name: "sector_culture_tourism", kind: "year",
		periods: `SELECT CAST(year(report_month) AS VARCHAR) FROM culture_tourism.tourist_arrivals`,
		facts: []fsource{
			{`SELECT commune_code, report_month, CAST(year(report_month) AS VARCHAR), CAST(domestic_visitors + international_visitors AS VARCHAR), CAST(international_visitors AS VARCHAR), CAST(overnight_stays AS VARCHAR), CAST(revenue_mvnd AS VARCHAR) FROM culture_tourism.tourist_arrivals`,
				[]string{"visitors", "international_visitors", "overnight_stays", "revenue_mvnd"}},
			{`SELECT commune_code, NULL, NULL, '1', CASE WHEN rank IN ('Quốc gia', 'Quốc gia đặc biệt') THEN '1' ELSE '0' END FROM culture_tourism.heritage_sites`, []string{"heritage_sites", "national_sites"}},
			{`SELECT commune_code, NULL, NULL, '1', CAST(books AS VARCHAR) FROM culture_tourism.libraries`, []string{"libraries", "library_books"}},
		},
		figures: map[string]string{"visitors": "", "international_visitors": "", "overnight_stays": "", "revenue_mvnd": "", "heritage_sites": "", "national_sites": "", "libraries": "", "library_books": ""},
		order:   []string{"visitors", "international_visitors", "overnight_stays", "revenue_mvnd", "heritage_sites", "national_sites", "libraries", "library_books"}},
	{name: "sector_education", kind: "text",
		periods: `SELECT DISTINCT school_year FROM education.learners`,
		facts: []fsource{
			// schools count on their commune when it is one of today's, in every school year of the learners
			{`SELECT s.commune_code, DATE '2100-01-01', y.school_year, '1', CASE WHEN s.national_standard THEN '1' ELSE '0' END
				FROM education.schools s CROSS JOIN (SELECT DISTINCT school_year FROM education.learners) y`, []string{"schools", "standard_schools"}},
			{`SELECT s.commune_code, DATE '2100-01-01', l.school_year, CAST(l.learners AS VARCHAR), CAST(l.girls AS VARCHAR), CAST(l.ethnic_minority AS VARCHAR)
				FROM education.learners l JOIN education.schools s USING (school_id)`, []string{"learners", "girls", "ethnic_minority"}},
			{`SELECT s.commune_code, DATE '2100-01-01', t.school_year, CAST(t.available_qty AS VARCHAR), CAST(t.required_qty AS VARCHAR)
				FROM education.teaching_materials t JOIN education.schools s USING (school_id) WHERE t.material = 'Sách giáo khoa'`, []string{"textbooks", "textbooks_needed"}},
		},
		figures: map[string]string{"schools": "", "standard_schools": "", "learners": "", "girls": "", "ethnic_minority": "", "textbooks": "", "textbooks_needed": "", "textbook_coverage": "textbooks/textbooks_needed"},
		order:   []string{"schools", "standard_schools", "learners", "girls", "ethnic_minority", "textbooks", "textbooks_needed", "textbook_coverage"}},
	{name: "sector_environment", kind: "month",
		periods: `SELECT ` + month("detected_on") + ` FROM environment.pollution_hotspots UNION SELECT ` + month("measured_on") + ` FROM environment.emission_monitoring`,
		facts: []fsource{
			{`SELECT commune_code, detected_on, ` + month("detected_on") + `, '1', CASE WHEN status = 'Đã xử lý' THEN '1' ELSE '0' END, CASE WHEN severity = 'Nghiêm trọng' THEN '1' ELSE '0' END FROM environment.pollution_hotspots`,
				[]string{"hotspots_found", "hotspots_resolved", "serious_hotspots"}},
			{`SELECT commune_code, measured_on, ` + month("measured_on") + `, '1', CASE WHEN limit_value IS NOT NULL AND value > limit_value THEN '1' ELSE '0' END FROM environment.emission_monitoring`,
				[]string{"measurements", "exceedances"}},
		},
		figures: map[string]string{"hotspots_found": "", "hotspots_resolved": "", "serious_hotspots": "", "measurements": "", "exceedances": "", "exceedance_rate": "exceedances/measurements"},
		order:   []string{"hotspots_found", "hotspots_resolved", "serious_hotspots", "measurements", "exceedances", "exceedance_rate"}},
	{name: "sector_health", kind: "month",
		periods: `SELECT ` + month("visit_date") + ` FROM health.visits`,
		facts: []fsource{
			{`SELECT residence_commune, visit_date, ` + month("visit_date") + `, '1', CASE WHEN insured THEN '1' ELSE '0' END, CAST(cost_vnd AS VARCHAR) FROM health.visits`,
				[]string{"visits", "insured_visits", "cost_mvnd"}},
			{`SELECT commune_code, NULL, NULL, '1', CAST(beds AS VARCHAR) FROM health.clinics`, []string{"facilities", "beds"}},
			{`SELECT k.commune_code, NULL, NULL, CAST(s.doctors AS VARCHAR) FROM health.clinics k
				JOIN (SELECT clinic_id, doctors FROM health.staff QUALIFY year = max(year) OVER (PARTITION BY clinic_id)) s USING (clinic_id)`, []string{"doctors"}},
			{`SELECT k.commune_code, NULL, NULL, CAST(e.working AS VARCHAR) FROM health.clinics k JOIN health.equipment e USING (clinic_id)`, []string{"equipment_working"}},
			{`SELECT commune_code, NULL, NULL, '1' FROM health.pharmacies`, []string{"pharmacies"}},
		},
		fix:     map[string]func(*big.Rat) *big.Rat{"cost_mvnd": divFloat(1e6)},
		figures: map[string]string{"visits": "", "insured_visits": "", "insured_rate": "insured_visits/visits", "cost_mvnd": "", "facilities": "", "beds": "", "doctors": "", "equipment_working": "", "pharmacies": ""},
		order:   []string{"visits", "insured_visits", "insured_rate", "cost_mvnd", "facilities", "beds", "doctors", "equipment_working", "pharmacies"}},
	{name: "sector_industry_trade", kind: "month",
		periods: `SELECT ` + month("report_month") + ` FROM industry_trade.electricity UNION SELECT ` + month("report_month") + ` FROM industry_trade.industrial_output WHERE commune_code IS NOT NULL`,
		facts: []fsource{
			{`SELECT commune_code, report_month, ` + month("report_month") + `, CAST(households AS VARCHAR), CAST(households_powered AS VARCHAR), CAST(sold_mwh AS VARCHAR) FROM industry_trade.electricity`,
				[]string{"households", "households_powered", "sold_mwh"}},
			{`SELECT commune_code, report_month, ` + month("report_month") + `, CAST(value_bn_vnd AS VARCHAR) FROM industry_trade.industrial_output WHERE commune_code IS NOT NULL`, []string{"industrial_value_bn_vnd"}},
			{`SELECT commune_code, NULL, NULL, '1', CAST(stalls AS VARCHAR) FROM industry_trade.markets`, []string{"markets", "market_stalls"}},
			{`SELECT commune_code, NULL, NULL, '1', CAST(capacity_tonnes AS VARCHAR) FROM industry_trade.logistics_facilities`, []string{"logistics_facilities", "storage_tonnes"}},
		},
		figures: map[string]string{"households": "", "households_powered": "", "electrification_rate": "households_powered/households", "sold_mwh": "", "industrial_value_bn_vnd": "", "markets": "", "market_stalls": "", "logistics_facilities": "", "storage_tonnes": ""},
		order:   []string{"households", "households_powered", "electrification_rate", "sold_mwh", "industrial_value_bn_vnd", "markets", "market_stalls", "logistics_facilities", "storage_tonnes"}},
	{name: "sector_labour", kind: "month",
		periods: `SELECT ` + month("report_month") + ` FROM labour.job_reports UNION SELECT ` + month("report_month") + ` FROM labour.workers
			UNION SELECT ` + month("registered_on") + ` FROM labour.job_seekers UNION SELECT ` + month("posted_on") + ` FROM labour.vacancies`,
		facts: []fsource{
			{`SELECT commune_code, report_month, ` + month("report_month") + `, CAST(job_seekers AS VARCHAR), CAST(vacancies AS VARCHAR), CAST(new_jobs AS VARCHAR) FROM labour.job_reports`,
				[]string{"job_seekers", "vacancies", "new_jobs"}},
			{`SELECT commune_code, report_month, ` + month("report_month") + `, CAST(workers AS VARCHAR), CAST(female_workers AS VARCHAR), CAST(insured_workers AS VARCHAR) FROM labour.workers`,
				[]string{"workers", "women_workers", "insured_workers"}},
			{`SELECT commune_code, registered_on, ` + month("registered_on") + `, '1' FROM labour.job_seekers`, []string{"registered_seekers"}},
			{`SELECT commune_code, posted_on, ` + month("posted_on") + `, CAST(positions AS VARCHAR) FROM labour.vacancies`, []string{"positions_posted"}},
		},
		figures: map[string]string{"job_seekers": "", "vacancies": "", "new_jobs": "", "workers": "", "women_workers": "", "insured_workers": "", "insured_rate": "insured_workers/workers", "registered_seekers": "", "positions_posted": ""},
		order:   []string{"job_seekers", "vacancies", "new_jobs", "workers", "women_workers", "insured_workers", "insured_rate", "registered_seekers", "positions_posted"}},
	{name: "sector_transport", kind: "month",
		periods: `SELECT ` + month("registered_on") + ` FROM transport.vehicles`,
		facts: []fsource{
			{`SELECT commune_code, registered_on, ` + month("registered_on") + `, '1', CASE WHEN vehicle_type LIKE 'Ô tô%' THEN '1' ELSE '0' END,
				CASE WHEN vehicle_type IN ('Mô tô', 'Xe máy điện') THEN '1' ELSE '0' END, CASE WHEN fuel = 'Điện' THEN '1' ELSE '0' END FROM transport.vehicles`,
				[]string{"vehicles", "cars_and_trucks", "motorbikes", "electric"}},
			{`SELECT commune_code, NULL, NULL, '1', CAST(daily_departures AS VARCHAR) FROM transport.depots`, []string{"depots", "daily_departures"}},
		},
		figures: map[string]string{"vehicles": "", "cars_and_trucks": "", "motorbikes": "", "electric": "", "depots": "", "daily_departures": ""},
		order:   []string{"vehicles", "cars_and_trucks", "motorbikes", "electric", "depots", "daily_departures"}},
}

// divFloat divides a cell's exact sum as the mart does: as a DOUBLE.
func divFloat(by float64) func(*big.Rat) *big.Rat {
	return func(r *big.Rat) *big.Rat {
		x, _ := r.Float64()
		return roundTrip(x / by)
	}
}

// roundTrip is a DOUBLE as the page reads it: its shortest decimal form.
func roundTrip(x float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	return r
}

func ratStr(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	return strings.TrimSuffix(strings.TrimRight(r.FloatString(20), "0"), ".")
}

// cells are a mart's exact sums: commune -> period -> column -> sum.
type cells map[string]map[string]map[string]*big.Rat

// sectorCells adds up a mart's facts by today's commune and period.
func sectorCells(t *testing.T, db *sql.DB, set *units.Set, today map[string]bool, m fmart) (cells, []string) {
	ctx := t.Context()
	var periods []string
	rows, err := db.QueryContext(ctx, m.periods)
	require.NoError(t, err, m.name)
	for rows.Next() {
		var p sql.NullString
		require.NoError(t, rows.Scan(&p))
		if p.Valid {
			periods = append(periods, p.String)
		}
	}
	require.NoError(t, rows.Err())
	rows.Close()
	sort.Strings(periods)
	periods = dedupe(periods)
	c := cells{}
	add := func(code, period, col string, v *big.Rat) {
		if c[code] == nil {
			c[code] = map[string]map[string]*big.Rat{}
		}
		if c[code][period] == nil {
			c[code][period] = map[string]*big.Rat{}
		}
		if c[code][period][col] == nil {
			c[code][period][col] = new(big.Rat)
		}
		c[code][period][col].Add(c[code][period][col], v)
	}
	for _, f := range m.facts {
		rows, err := db.QueryContext(ctx, f.sql)
		require.NoError(t, err, f.sql)
		for rows.Next() {
			var code, period sql.NullString
			var day sql.NullTime
			vals := make([]sql.NullString, len(f.cols))
			ptrs := []any{&code, &day, &period}
			for i := range vals {
				ptrs = append(ptrs, &vals[i])
			}
			require.NoError(t, rows.Scan(ptrs...))
			type target struct {
				code  string
				share *big.Rat
			}
			var to []target
			switch {
			case !day.Valid: // a current list: on its own code, when it is one of today's
				if today[code.String] {
					to = append(to, target{code.String, big.NewRat(1, 1)})
				}
			default:
				for _, s := range set.TodayOf(code.String, day.Time) {
					to = append(to, target{s.Code, new(big.Rat).SetFloat64(s.Share)})
				}
			}
			for _, tg := range to {
				ps := []string{period.String}
				if !day.Valid {
					ps = periods
				}
				for i, col := range f.cols {
					if !vals[i].Valid {
						continue
					}
					v, ok := new(big.Rat).SetString(vals[i].String)
					require.True(t, ok, "%s: %q", m.name, vals[i].String)
					v.Mul(v, tg.share)
					for _, p := range ps {
						add(tg.code, p, col, v)
					}
				}
			}
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
	// What the mart stores: each cell once as a DOUBLE.
	for _, byPeriod := range c {
		for _, byCol := range byPeriod {
			for col, v := range byCol {
				if fix, ok := m.fix[col]; ok {
					byCol[col] = fix(v)
				} else {
					x, _ := v.Float64()
					byCol[col] = roundTrip(x)
				}
			}
		}
	}
	return c, periods
}

func dedupe(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// periodOrder is how the page orders a mart's periods.
func periodOrder(kind, p string) string {
	switch kind {
	case "month":
		t, _ := time.Parse("01/2006", p)
		return t.Format("2006-01-02")
	case "year":
		y, _ := strconv.Atoi(p)
		return fmt.Sprintf("%012d", y)
	}
	return p
}

// inPeriod says whether the dashboard's period keeps a mart period.
func inPeriod(kind, p string, from, to time.Time) bool {
	switch kind {
	case "month":
		t, _ := time.Parse("01/2006", p)
		return !t.Before(from) && !t.After(to)
	case "year":
		y, _ := strconv.Atoi(p)
		return y >= from.Year() && y <= to.Year()
	}
	return true
}

// otherFigures computes every figure of the dashboard other than the
// dossier KPIs, for the province (commune "") or one commune.
func otherFigures(t *testing.T, sample string, from, to time.Time) func(commune string) map[string]string {
	db := env.wh.Engine.DB()
	set := units.MustLoad()
	today := map[string]bool{}
	for _, u := range set.CommunesAt(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)) {
		today[u.Code] = true
	}
	type computed struct {
		m       fmart
		c       cells
		periods []string
	}
	var all []computed
	for _, m := range fmarts {
		c, ps := sectorCells(t, db, set, today, m)
		all = append(all, computed{m, c, ps})
	}
	// Every mart the dashboard shows a panel for is recomputed here.
	var declared []string
	for _, m := range env.wh.Marts {
		if strings.HasPrefix(m.Name, "sector_") {
			declared = append(declared, m.Name)
		}
	}
	var covered []string
	for _, m := range fmarts {
		covered = append(covered, m.name)
	}
	require.ElementsMatch(t, declared, covered, "a sector mart whose figures the test does not recompute")

	common := map[string]string{}
	for k, v := range freshnessFigures(t) {
		common[k] = v
	}
	for k, v := range indexFigures(t) {
		common[k] = v
	}
	return func(commune string) map[string]string {
		want := map[string]string{}
		for k, v := range common {
			want[k] = v
		}
		for _, x := range all {
			var shown []string
			for _, p := range x.periods {
				if inPeriod(x.m.kind, p, from, to) {
					shown = append(shown, p)
				}
			}
			sort.Slice(shown, func(i, j int) bool { return periodOrder(x.m.kind, shown[i]) < periodOrder(x.m.kind, shown[j]) })
			communes := []string{commune}
			if commune == "" {
				communes = nil
				for c := range today {
					communes = append(communes, c)
				}
			}
			sum := func(col, p string) *big.Rat {
				s := new(big.Rat)
				for _, c := range communes {
					if v := x.c[c][p][col]; v != nil {
						s.Add(s, v)
					}
				}
				return s
			}
			for i, p := range shown {
				for _, col := range x.m.order {
					var v string
					if r := x.m.figures[col]; r == "" {
						v = ratStr(sum(col, p))
					} else {
						num, den, _ := strings.Cut(r, "/")
						if d := sum(den, p); d.Sign() != 0 {
							v = ratStr(sum(num, p)) + "/" + ratStr(d)
						}
					}
					want["sector."+x.m.name+"."+p+"."+col] = v
					if i == len(shown)-1 {
						want["sector."+x.m.name+"."+col] = v
					}
				}
			}
		}
		return want
	}
}

// freshnessFigures: each pipeline's dataset rows, counted in the lake, and
// the one failed pipeline of the test lake.
func freshnessFigures(t *testing.T) map[string]string {
	out := map[string]string{"fresh.failed": "1"}
	for _, p := range env.wh.Pipelines {
		ns, name, _ := strings.Cut(p.Target.Dataset, ".")
		var n int64
		require.NoError(t, env.wh.Engine.DB().QueryRowContext(t.Context(), `SELECT count(*) FROM "`+ns+`"."`+name+`"`).Scan(&n))
		out["fresh."+p.Name+".rows"] = strconv.FormatInt(n, 10)
	}
	return out
}

// indexFigures: the data-development index of each owner agency, from the
// lake's metadata (kho.tables, kho.snapshots) by the formula of its mart's
// description: 100 × the mean of the rates that apply (delivery, freshness,
// quality, open publication), to one decimal.
func indexFigures(t *testing.T) map[string]string {
	db := env.wh.Engine.DB()
	type owner struct{ expected, delivered, fresh, openExp, openPub, written, quarantined float64 }
	by := map[string]*owner{}
	rows, err := db.QueryContext(t.Context(), `SELECT t.dataset, coalesce(t.owner, '(không rõ / unknown)'), t.classification = 'open',
			t.in_lake AND coalesce(t."rows", 0) > 0,
			t.in_lake AND coalesce(t."rows", 0) > 0 AND (t.fresh_within_hours IS NULL OR t.last_write_at >= now() - t.fresh_within_hours * INTERVAL 1 HOUR)
		FROM kho.tables t WHERE t.kind = 'dataset' AND t.declared`)
	require.NoError(t, err)
	owners := map[string]string{}
	for rows.Next() {
		var ds, o string
		var open, delivered, fresh bool
		require.NoError(t, rows.Scan(&ds, &o, &open, &delivered, &fresh))
		if by[o] == nil {
			by[o] = &owner{}
		}
		b := func(x bool) float64 {
			if x {
				return 1
			}
			return 0
		}
		w := by[o]
		w.expected++
		w.delivered += b(delivered)
		w.fresh += b(fresh)
		w.openExp += b(open)
		w.openPub += b(open && delivered)
		owners[ds] = o
	}
	require.NoError(t, rows.Err())
	rows.Close()
	rows, err = db.QueryContext(t.Context(), `SELECT dataset, rows_written, rows_quarantined FROM kho.snapshots WHERE in_history AND rows_written IS NOT NULL`)
	require.NoError(t, err)
	for rows.Next() {
		var ds string
		var w, q sql.NullInt64
		require.NoError(t, rows.Scan(&ds, &w, &q))
		if o, ok := owners[ds]; ok {
			by[o].written += float64(w.Int64)
			by[o].quarantined += float64(q.Int64)
		}
	}
	require.NoError(t, rows.Err())
	rows.Close()
	out := map[string]string{"index.agencies": strconv.Itoa(len(by))}
	for name, o := range by {
		sum, n := o.delivered/o.expected+o.fresh/o.expected, 2.0
		if o.written+o.quarantined > 0 {
			sum += o.written / (o.written + o.quarantined)
			n++
		}
		if o.openExp > 0 {
			sum += o.openPub / o.openExp
			n++
		}
		out["index."+name] = strconv.FormatFloat(math.Round(100*sum/n*10)/10, 'g', -1, 64)
	}
	return out
}
