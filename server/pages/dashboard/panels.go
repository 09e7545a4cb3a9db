package dashboard

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"math/big"
	"sort"
	"strconv"
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

// figure is a panel's figure: its label, its text, its id and exact value.
type figure struct{ Label, Value, Figure, Datum string }

// shownTable is a table formatted for the page.
type shownTable struct {
	Cols []string
	Rows [][]tcell
	// Codes are the rows' codes (an agency's, a commune's), exported
	// beside the names under CodeCol.
	Codes   []string
	CodeCol string
}

// tcell is a table cell: its text and, where it shows a figure, the
// figure's id and exact value (data-figure, data-value).
type tcell struct{ Text, Figure, Value, Class string }

// texts makes cells of texts that are not figures (labels, previews).
func texts(ss ...string) []tcell {
	out := make([]tcell, len(ss))
	for i, s := range ss {
		out[i] = tcell{Text: s}
	}
	return out
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
	info, err := h.table(ctx, m.Table())
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
	p.Table = &shownTable{}
	for _, c := range t.Cols {
		p.Table.Cols = append(p.Table.Cols, colLabel(v, m, c))
	}
	for i, r := range latest {
		if i == 200 {
			break
		}
		row := make([]string, len(r))
		for j, c := range r {
			row[j] = cell(v.Lang, c, t.Cols[j])
		}
		p.Table.Rows = append(p.Table.Rows, texts(row...))
	}
	return p
}

// sectorFigures: the figures the mart's header declares (a sum, or a
// ratio of two sums; never a sum of ratios), added up over the latest
// period's rows; a line of the first over the periods; and a table of every
// figure by period. Sums are exact: each value is read as the decimal it
// is, so the totals do not depend on the rows' order.
func (h *Handler) sectorFigures(v *site.View, p *martPanel, t *table, sh shape, latest [][]any) {
	col := map[string]int{}
	for i, c := range t.Cols {
		col[c] = i
	}
	var figs []marts.Figure
	for _, f := range p.Mart.Figures {
		if f.Kind == marts.FigureNone {
			continue
		}
		_, ok1 := col[f.Column]
		_, ok2 := col[f.Num]
		_, ok3 := col[f.Den]
		if ok1 && (f.Kind == marts.FigureSum || ok2 && ok3) {
			figs = append(figs, f)
		}
	}
	if len(figs) == 0 {
		p.Error = v.Pick("Mart chưa khai báo chỉ tiêu nào (dòng \"-- figure:\").", "The mart declares no figure (\"-- figure:\" lines).")
		return
	}
	// total adds a figure up over rows: its value, its text and its exact datum.
	total := func(f marts.Figure, rows [][]any) (float64, string, string) {
		if f.Kind == marts.FigureSum {
			s := sumExact(rows, col[f.Column])
			x, _ := s.Float64()
			return x, v.Lang.Num(x, 2), ratText(s)
		}
		n, d := sumExact(rows, col[f.Num]), sumExact(rows, col[f.Den])
		if d.Sign() == 0 {
			return math.NaN(), v.Lang.Num(math.NaN(), 2), ""
		}
		x, _ := new(big.Rat).Quo(n, d).Float64()
		text := v.Lang.Num(x, 2)
		if isPercent(f.Column) {
			text = v.Lang.Pct(x)
		}
		return x, text, ratText(n) + "/" + ratText(d)
	}
	for _, f := range figs {
		_, text, datum := total(f, latest)
		p.Figures = append(p.Figures, figure{Label: colLabel(v, p.Mart, f.Column), Value: text, Figure: "sector." + p.Mart.Name + "." + f.Column, Datum: datum})
	}
	// Each period's rows.
	byPeriod := map[string][][]any{}
	shown := map[string]string{}
	if sh.period < 0 {
		byPeriod[""], shown[""] = t.Rows, p.Period
	} else {
		for _, r := range t.Rows {
			k, s := periodKey(r[sh.period])
			byPeriod[k] = append(byPeriod[k], r)
			shown[k] = s
		}
	}
	keys := make([]string, 0, len(byPeriod))
	for k := range byPeriod {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	periodCol := v.T("latest_period")
	if sh.period >= 0 {
		periodCol = colLabel(v, p.Mart, t.Cols[sh.period])
	}
	p.Table = &shownTable{Cols: []string{periodCol}}
	for _, f := range figs {
		p.Table.Cols = append(p.Table.Cols, colLabel(v, p.Mart, f.Column))
	}
	first := figs[0]
	name := colLabel(v, p.Mart, first.Column)
	s := chart.Series{Name: name, Class: "s1"}
	var periods []string
	max := 0.0
	for _, k := range keys {
		row := []tcell{{Text: shown[k]}}
		for i, f := range figs {
			x, text, datum := total(f, byPeriod[k])
			id := "sector." + p.Mart.Name + "." + shown[k] + "." + f.Column
			row = append(row, tcell{Text: text, Figure: id, Value: datum})
			if i == 0 {
				periods = append(periods, shown[k])
				s.Points = append(s.Points, chart.Point{Value: x, Tip: shown[k] + " — " + name + ": " + text, Figure: id, Datum: datum})
				if !math.IsNaN(x) {
					max = math.Max(max, x)
				}
			}
		}
		p.Table.Rows = append(p.Table.Rows, row)
	}
	if len(keys) < 2 {
		return
	}
	line := chart.Line{ID: "chart-" + p.Mart.Name, Title: p.Label, Periods: periods, Series: []chart.Series{s},
		Max: niceMax(max), Tick: func(x float64) string { return v.Lang.Num(x, 0) }}
	if first.Kind == marts.FigureRatio && isPercent(first.Column) {
		line.Max, line.Tick = 1, nil
	}
	p.Chart = line.SVG()
}

// isPercent says whether a ratio is shown as a percentage.
func isPercent(col string) bool {
	for _, s := range []string{"_rate", "_share", "_pct", "coverage"} {
		if strings.HasSuffix(col, s) {
			return true
		}
	}
	return false
}

// sumExact adds a column up over rows as exact decimals: a double is read
// as its shortest decimal form (the marts cast exact decimal sums to
// DOUBLE), integers and decimals as they are. NULLs add nothing.
func sumExact(rows [][]any, i int) *big.Rat {
	sum := new(big.Rat)
	for _, r := range rows {
		if x, ok := exactRat(r[i]); ok {
			sum.Add(sum, x)
		}
	}
	return sum
}

func exactRat(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 { // most cells are counts
			return new(big.Rat).SetInt64(int64(x)), true
		}
		return new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	case float32:
		return new(big.Rat).SetString(strconv.FormatFloat(float64(x), 'g', -1, 32))
	case *big.Int:
		return new(big.Rat).SetInt(x), true
	case interface { // a DECIMAL (duckdb.Decimal): its exact text
		String() string
		Float64() float64
	}:
		return new(big.Rat).SetString(x.String())
	}
	f := num(v)
	if math.IsNaN(f) {
		return nil, false
	}
	return new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
}

// ratText is an exact decimal's shortest text (a sum of decimals always has
// a finite expansion).
func ratText(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	s := r.FloatString(20)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// indexChart: the index of each agency at the latest period, as bars, with
// the table of the same figures.
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
	p.Table = &shownTable{Cols: []string{colLabel(v, p.Mart, t.Cols[sh.label]), colLabel(v, p.Mart, t.Cols[col])}}
	for _, r := range latest {
		x := num(r[col])
		if math.IsNaN(x) {
			continue
		}
		max = math.Max(max, x)
		label := str(r[sh.label])
		text := cell(v.Lang, r[col], t.Cols[col])
		id := "index." + label
		bars = append(bars, chart.Bar{Label: label, Value: x, Text: text, Tip: label + " — " + colLabel(v, p.Mart, t.Cols[col]) + " " + p.Period + ": " + text,
			Figure: id, Datum: exact(x)})
	}
	sort.SliceStable(bars, func(i, j int) bool {
		if bars[i].Value != bars[j].Value {
			return bars[i].Value > bars[j].Value
		}
		return bars[i].Label < bars[j].Label
	})
	for _, b := range bars {
		p.Table.Rows = append(p.Table.Rows, []tcell{{Text: b.Label}, {Text: b.Text, Figure: b.Figure, Value: b.Datum}})
	}
	top := 1.0
	tick := func(x float64) string { return v.Lang.Pct(x) }
	if max > 1 {
		top = niceMax(max)
		tick = func(x float64) string { return v.Lang.Num(x, 0) }
	}
	p.Figures = append(p.Figures, figure{Label: v.T("agency"), Value: v.Lang.Int(int64(len(bars))), Figure: "index.agencies", Datum: strconv.Itoa(len(bars))})
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

// colLabel is a mart column's label in the page's language: the mart's
// "-- column:" label, a period column's name, else the column's name made
// into words (the marts label what the dashboard shows; TestMartsLabelled).
func colLabel(v *site.View, m *marts.Mart, col string) string {
	if c, ok := m.ColumnLabel(col); ok {
		return v.Pick(c.Label, c.LabelEN)
	}
	if k := "col_" + col; v.T(k) != k {
		return v.T(k)
	}
	return humanize(col)
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
