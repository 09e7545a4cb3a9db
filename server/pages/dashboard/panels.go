package dashboard

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sonla-data/kho/server/pages/chart"
	"github.com/sonla-data/kho/server/pages/site"
	"github.com/sonla-data/kho/warehouse/marts"
)

// martPanel is a panel drawn from a mart found by its metadata: a sector
// summary (marts.sector_*) or the data-development index.
type martPanel struct {
	Mart    *marts.Mart
	Label   string
	Desc    string
	Error   string
	Period  string   // the latest period shown
	Figures []figure // the latest period's totals
	Chart   template.HTML
	Table   *shownTable // the rows behind the chart or the figures
}

type figure struct{ Label, Value string }

// shownTable is a table formatted for the page.
type shownTable struct {
	Cols []string
	Rows [][]string
}

// sectorMarts are the marts.sector_* marts, sorted; indexMart is the
// data-development index (a mart whose name holds "index"), if any.
func sectorMarts(ms []*marts.Mart) (sectors []*marts.Mart, index *marts.Mart) {
	for _, m := range ms {
		switch {
		case strings.HasPrefix(m.Name, "sector_"):
			sectors = append(sectors, m)
		case index == nil && strings.Contains(m.Name, "index"):
			index = m
		}
	}
	sort.Slice(sectors, func(i, j int) bool { return sectors[i].Name < sectors[j].Name })
	return sectors, index
}

// shape is what a mart's columns are for.
type shape struct {
	period   int   // -1: none
	label    int   // -1: none
	measures []int // numeric columns
}

var periodNames = []string{"month", "period", "report_month", "quarter", "year", "school_year", "date"}

// shapeOf finds a mart's period column (a known name, else a key column
// naming a time, else the first DATE), its label column and its measures.
func shapeOf(t *table, key []string) shape {
	s := shape{period: -1, label: -1}
	for _, name := range periodNames {
		for i, c := range t.Cols {
			if c == name && s.period < 0 {
				s.period = i
			}
		}
	}
	for _, k := range key {
		for i, c := range t.Cols {
			if s.period < 0 && c == k && (strings.Contains(c, "year") || strings.Contains(c, "month") || strings.Contains(c, "quarter") || strings.Contains(c, "period")) {
				s.period = i
			}
		}
	}
	if s.period < 0 {
		for i, ty := range t.Types {
			if ty == "DATE" {
				s.period = i
				break
			}
		}
	}
	for i, c := range t.Cols {
		if strings.HasSuffix(c, "_name") && s.label < 0 {
			s.label = i
		}
	}
	for i, ty := range t.Types {
		if s.label < 0 && ty == "VARCHAR" {
			s.label = i
		}
		if i == s.period || t.Cols[i] == "year" {
			continue
		}
		switch {
		case ty == "BIGINT", ty == "INTEGER", ty == "HUGEINT", ty == "SMALLINT", ty == "DOUBLE", ty == "FLOAT",
			strings.HasPrefix(ty, "DECIMAL"), ty == "UBIGINT", ty == "UINTEGER":
			s.measures = append(s.measures, i)
		}
	}
	return s
}

// isRatio says whether a column holds a rate or score rather than a count,
// which must not be summed.
func isRatio(col string) bool {
	for _, s := range []string{"_rate", "_ratio", "_share", "_pct", "index", "score", "_avg", "average"} {
		if strings.Contains(col, s) {
			return true
		}
	}
	return false
}

// periodKey orders and shows a period value.
func periodKey(v any) (key, shown string) {
	if t, ok := asTime(v); ok {
		return t.Format("2006-01-02"), t.Format("01/2006")
	}
	f := num(v)
	if !math.IsNaN(f) {
		return fmt.Sprintf("%012.0f", f), fmt.Sprintf("%.0f", f)
	}
	s := str(v)
	return s, s
}

// loadPanel reads a mart whole (summaries are small) and lays it out.
// The dashboard's filters apply where the mart has the column: a commune
// (commune_code), an agency (agency_code), and the period (a month column
// within it, a year column within its years).
func (h *Handler) loadPanel(ctx context.Context, v *site.View, m *marts.Mart, f Filters, asIndex bool) martPanel {
	p := martPanel{Mart: m, Label: v.Pick(m.Label, m.LabelEN), Desc: m.Description}
	info, err := h.deps.Tables.Table(ctx, m.Table())
	if err == nil && !info.Exists {
		p.Error = v.T("mart_not_in_lake")
		return p
	}
	t, err := readAll(ctx, h.deps.Query, 20000, "SELECT * FROM marts."+quoteIdent(m.Name))
	if err != nil {
		p.Error = err.Error()
		return p
	}
	sh := shapeOf(t, m.Key)
	if asIndex { // the index is as of its build, not of the dossiers' period
		f.From, f.To = time.Time{}, time.Time{}
	}
	t.Rows = filterRows(t, sh, f)
	latest := t.Rows
	if sh.period >= 0 {
		best := ""
		for _, r := range t.Rows {
			if k, s := periodKey(r[sh.period]); k > best {
				best, p.Period = k, s
			}
		}
		latest = nil
		for _, r := range t.Rows {
			if k, _ := periodKey(r[sh.period]); k == best {
				latest = append(latest, r)
			}
		}
	}
	if asIndex {
		h.indexChart(v, &p, t, sh, latest)
	} else {
		h.sectorFigures(v, &p, t, sh, latest)
	}
	if p.Table != nil {
		return p
	}
	p.Table = &shownTable{Cols: t.Cols}
	for i, r := range latest {
		if i == 200 {
			break
		}
		row := make([]string, len(r))
		for j, c := range r {
			row[j] = cell(v.Lang, c, t.Cols[j])
		}
		p.Table.Rows = append(p.Table.Rows, row)
	}
	return p
}

// sectorFigures: the latest period's totals of the count columns (and the
// ratios when the period has one row), and a line of the first count over
// the periods.
func (h *Handler) sectorFigures(v *site.View, p *martPanel, t *table, sh shape, latest [][]any) {
	for _, i := range sh.measures {
		col := t.Cols[i]
		if isRatio(col) {
			if len(latest) == 1 {
				p.Figures = append(p.Figures, figure{Label: humanize(col), Value: cell(v.Lang, latest[0][i], col)})
			}
			continue
		}
		var sum float64
		for _, r := range latest {
			if x := num(r[i]); !math.IsNaN(x) {
				sum += x
			}
		}
		p.Figures = append(p.Figures, figure{Label: humanize(col), Value: v.Lang.Num(sum, 2)})
		if len(p.Figures) >= 6 {
			break
		}
	}
	if sh.period < 0 {
		return
	}
	first := -1
	for _, i := range sh.measures {
		if !isRatio(t.Cols[i]) {
			first = i
			break
		}
	}
	if first < 0 {
		return
	}
	// The chart's table: each period's totals of the count columns.
	var counts []int
	for _, i := range sh.measures {
		if !isRatio(t.Cols[i]) {
			counts = append(counts, i)
		}
	}
	sums := map[string]float64{}
	all := map[string][]float64{}
	shown := map[string]string{}
	for _, r := range t.Rows {
		k, s := periodKey(r[sh.period])
		if x := num(r[first]); !math.IsNaN(x) {
			sums[k] += x
		}
		if all[k] == nil {
			all[k] = make([]float64, len(counts))
		}
		for j, i := range counts {
			if x := num(r[i]); !math.IsNaN(x) {
				all[k][j] += x
			}
		}
		shown[k] = s
	}
	keys := make([]string, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) < 2 {
		return
	}
	max := 0.0
	for _, k := range keys {
		max = math.Max(max, sums[k])
	}
	name := humanize(t.Cols[first])
	s := chart.Series{Name: name, Class: "s1"}
	var periods []string
	for _, k := range keys {
		periods = append(periods, shown[k])
		s.Points = append(s.Points, chart.Point{Value: sums[k], Tip: shown[k] + " — " + name + ": " + v.Lang.Num(sums[k], 2)})
	}
	p.Chart = chart.Line{ID: "chart-" + p.Mart.Name, Title: p.Label, Periods: periods, Series: []chart.Series{s},
		Max: niceMax(max), Tick: func(x float64) string { return v.Lang.Num(x, 0) }}.SVG()
	p.Table = &shownTable{Cols: []string{t.Cols[sh.period]}}
	for _, i := range counts {
		p.Table.Cols = append(p.Table.Cols, t.Cols[i])
	}
	for _, k := range keys {
		row := []string{shown[k]}
		for _, x := range all[k] {
			row = append(row, v.Lang.Num(x, 2))
		}
		p.Table.Rows = append(p.Table.Rows, row)
	}
}

// indexChart: the index of each agency at the latest period, as bars.
func (h *Handler) indexChart(v *site.View, p *martPanel, t *table, sh shape, latest [][]any) {
	col := -1
	for _, i := range sh.measures {
		if strings.Contains(t.Cols[i], "index") || strings.Contains(t.Cols[i], "score") {
			col = i
			break
		}
	}
	if col < 0 && len(sh.measures) > 0 {
		col = sh.measures[0]
	}
	if col < 0 || sh.label < 0 {
		return
	}
	max := 0.0
	var bars []chart.Bar
	for _, r := range latest {
		x := num(r[col])
		if math.IsNaN(x) {
			continue
		}
		max = math.Max(max, x)
		label := str(r[sh.label])
		text := cell(v.Lang, r[col], t.Cols[col])
		bars = append(bars, chart.Bar{Label: label, Value: x, Text: text, Tip: label + " — " + humanize(t.Cols[col]) + " " + p.Period + ": " + text})
	}
	sort.SliceStable(bars, func(i, j int) bool { return bars[i].Value > bars[j].Value })
	top := 1.0
	tick := func(x float64) string { return v.Lang.Pct(x) }
	if max > 1 {
		top = niceMax(max)
		tick = func(x float64) string { return v.Lang.Num(x, 0) }
	}
	if len(bars) > 0 {
		sum := 0.0
		for _, b := range bars {
			sum += b.Value
		}
		p.Figures = append(p.Figures,
			figure{Label: v.T("agency"), Value: v.Lang.Int(int64(len(bars)))},
			figure{Label: humanize(t.Cols[col]) + " — " + v.T("average"), Value: v.Lang.Num(sum/float64(len(bars)), 1)})
	}
	p.Chart = chart.Bars{ID: "chart-" + p.Mart.Name, Title: p.Label, Bars: bars, Max: top, Tick: tick}.SVG()
}

// niceMax rounds a chart's top up to 1, 2 or 5 times a power of ten.
func niceMax(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if x <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// humanize turns a column name into words: on_time_rate -> On time rate.
func humanize(col string) string {
	s := strings.ReplaceAll(col, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// cell formats a value for a table.
func cell(l site.Lang, v any, col string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 {
			return x.Format("2006-01-02")
		}
		return l.DateTime(x)
	case bool:
		if x {
			return l.T("met")
		}
		return l.T("not_met")
	case string:
		return x
	}
	f := num(v)
	if math.IsNaN(f) {
		return fmt.Sprint(v)
	}
	if strings.HasSuffix(col, "_rate") || strings.HasSuffix(col, "_target") || strings.HasSuffix(col, "_share") {
		return l.Pct(f)
	}
	return l.Num(f, 2)
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// filterRows keeps the rows of the dashboard's commune, agency and period,
// where the mart has the columns.
func filterRows(t *table, sh shape, f Filters) [][]any {
	col := func(name string) int {
		for i, c := range t.Cols {
			if c == name {
				return i
			}
		}
		return -1
	}
	commune, agency := col("commune_code"), col("agency_code")
	var out [][]any
	for _, r := range t.Rows {
		if f.Commune != "" && commune >= 0 && str(r[commune]) != f.Commune {
			continue
		}
		if f.Agency != "" && agency >= 0 && str(r[agency]) != f.Agency {
			continue
		}
		if sh.period >= 0 && !f.From.IsZero() && !f.To.IsZero() {
			switch p := r[sh.period].(type) {
			case time.Time:
				if p.Before(f.From) || p.After(f.To.AddDate(0, 1, -1)) {
					continue
				}
			default:
				if y := num(p); t.Cols[sh.period] == "year" && !math.IsNaN(y) && (int(y) < f.From.Year() || int(y) > f.To.Year()) {
					continue
				}
			}
		}
		out = append(out, r)
	}
	return out
}
