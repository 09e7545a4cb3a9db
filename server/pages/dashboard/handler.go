package dashboard

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/sonla-data/kho/server/pages/chart"
	"github.com/sonla-data/kho/server/pages/site"
)

//go:embed templates/*.html
var templates embed.FS

var (
	dashTmpl      = site.Page(templates, "templates/dashboard.html")
	martTmpl      = site.Page(templates, "templates/mart.html")
	martIndexTmpl = site.Page(templates, "templates/marts.html")
)

// Handler serves GET / (the dashboard), GET /marts/ and GET /marts/{name}.
// It does not check who reads: mount it behind site.RequireRole.
type Handler struct {
	deps *site.Deps
	mux  *http.ServeMux
}

// New returns the dashboard's handler.
func New(deps *site.Deps) *Handler {
	h := &Handler{deps: deps, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /{$}", h.dashboard)
	h.mux.HandleFunc("GET /marts/{$}", h.martIndex)
	h.mux.HandleFunc("GET /marts/{name}", h.martPage)
	h.mux.HandleFunc("GET /marts/{name}/xlsx", h.martXLSX)
	h.mux.HandleFunc("GET /xlsx/{table}", h.xlsxTable)
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// rows reads a query through the serving engine as the page's reader.
func (h *Handler) rows(ctx context.Context, max int, query string, args ...any) (*table, error) {
	return readAll(ctx, h.deps.Query, max, query, args...)
}

type monthOpt struct{ Value, Label string }

type kpiOpt struct{ Key, Label string }

// card is one indicator against its target, over the period.
type card struct {
	Key, Label   string
	Value        float64 // the rate (NaN: none)
	Rate, Target string
	HasTarget    bool
	Met          bool
	Num, Den     string
	Bar, Mark    float64 // widths in percent for the gauge
	Mart         string
	LatestMonth  string
	Latest       string // the last month's rate
	// The figures' ids and exact values (see figures.go).
	Fig, RateData         string
	TargetFig, TargetData string
	LatestFig, LatestData string
}

// block is a chart with its table view and the mart behind it.
type block struct {
	ID, Title, Mart, Note string
	Sortable              bool // agencies and communes: best or worst first
	SVG                   template.HTML
	Table                 shownTable
}

type dashPage struct {
	*site.View
	F                  Filters
	FromS, ToS         string
	Months             []monthOpt
	Agencies, Communes []option
	AgencyGroups       []optGroup
	KPIs               []kpiOpt
	Scope, Period      string
	ScopeMart          string
	Cards              []card
	Monthly            *block
	ByAgency           *block
	ByCommune          *block
	Index              *martPanel
	Sectors            []martPanel
	Fresh              []freshRow
	Drill              []crumb // province › agency or commune
	BestURL, WorstURL  string
	Failed             int
	Errors             []string
	NoData             bool
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	site.Render(w, dashTmpl, h.build(w, r))
}

// build reads everything the dashboard shows for a request: the panels
// (from the page cache when they were drawn for the same reader scope,
// language and filters on the snapshots served now), then the freshness
// table, always read anew.
func (h *Handler) build(w http.ResponseWriter, r *http.Request) *dashPage {
	ctx := r.Context()
	v := site.NewView(w, r, h.deps.Clock())
	v.Title, v.Section = v.T("dash_title"), "dashboard"
	p := h.cachedPanels(ctx, v, parseFilters(r.URL.Query()))
	fail := func(what string, err error) { p.Errors = append(p.Errors, fmt.Sprintf("%s: %v", what, err)) }
	var err error
	if p.Fresh, p.Failed, err = h.freshness(ctx); err != nil {
		fail("freshness", err)
	}
	return p
}

// table reads what the lake says of a table while drawing panels; an error
// keeps the panels drawn from the page cache.
func (h *Handler) table(ctx context.Context, name string) (site.TableInfo, error) {
	info, err := h.deps.Tables.Table(ctx, name)
	if err != nil {
		site.Unkept(ctx)
	}
	return info, err
}

// panels draws the cards, the charts and the sector panels.
func (h *Handler) panels(ctx context.Context, v *site.View, f Filters) *dashPage {
	p := &dashPage{View: v, F: f}
	for _, k := range kpis {
		p.KPIs = append(p.KPIs, kpiOpt{Key: k.Key, Label: v.T("kpi_" + k.Key)})
	}
	fail := func(what string, err error) { p.Errors = append(p.Errors, fmt.Sprintf("%s: %v", what, err)) }

	if info, err := h.table(ctx, "marts."+martProvince); err != nil || !info.Exists {
		p.NoData = true
	} else if months, err := readMonths(ctx, h.rows); err != nil {
		fail(martProvince, err)
	} else if len(months) == 0 {
		p.NoData = true
	} else {
		p.F.settle(months)
		for _, m := range months {
			p.Months = append(p.Months, monthOpt{Value: m.Format("2006-01"), Label: v.Month(m)})
		}
		p.FromS, p.ToS = p.F.From.Format("2006-01"), p.F.To.Format("2006-01")
		p.Period = PeriodLabel(v.Lang, p.F.From, p.F.To)
		if p.Agencies, p.AgencyGroups, err = h.agencyOptions(ctx, v); err != nil {
			fail(martAgency, err)
		}
		if p.Communes, err = h.options(ctx, `SELECT commune_code, any_value(commune_name) AS n FROM marts.dossier_kpi_commune_monthly GROUP BY commune_code ORDER BY n, commune_code`); err != nil {
			fail(martCommune, err)
		}
		h.kpiPanels(ctx, p, fail)
	}

	sectors, index := sectorMarts(h.deps.Marts)
	if index != nil {
		ip := h.loadPanel(ctx, v, index, p.F, true)
		p.Index = &ip
	}
	for _, m := range sectors {
		p.Sectors = append(p.Sectors, h.loadPanel(ctx, v, m, p.F, false))
	}
	return p
}

// kpiPanels fills the cards and the three KPI charts.
func (h *Handler) kpiPanels(ctx context.Context, p *dashPage, fail func(string, error)) {
	v := p.View
	sc := scopeOf(p.F)
	p.ScopeMart = sc.Mart
	p.Scope = v.T("scope_province")
	p.Drill = []crumb{{Label: p.Scope, URL: filterURL(p, "", "")}}
	worst, best := *p, *p
	worst.F.Worst, best.F.Worst = true, false
	keep := func(q *dashPage) string {
		switch sc.Mart {
		case martAgency:
			return filterURL(q, "agency", p.F.Agency)
		case martCommune:
			return filterURL(q, "commune", p.F.Commune)
		}
		return filterURL(q, "", "")
	}
	p.WorstURL, p.BestURL = keep(&worst), keep(&best)
	for _, o := range p.Agencies {
		if sc.Mart == martAgency && o.Code == p.F.Agency {
			p.Scope = o.Name
			p.Drill = append(p.Drill, crumb{Label: o.Name, URL: filterURL(p, "agency", o.Code)})
		}
	}
	for _, o := range p.Communes {
		if sc.Mart == martCommune && o.Code == p.F.Commune {
			p.Scope = o.Name
			p.Drill = append(p.Drill, crumb{Label: o.Name, URL: filterURL(p, "commune", o.Code)})
		}
	}
	targets, err := readTargets(ctx, h.rows)
	if err != nil {
		fail(martTargets, err)
	}
	rows, err := series(ctx, h.rows, sc, p.F)
	if err != nil {
		fail(sc.Mart, err)
		return
	}
	sel := kpiByKey(p.F.KPI)
	// Cards: each indicator over the period against the target of the
	// period's last year, judged as `kho summary` judges it.
	for _, vd := range judge(rows, targets, p.F.To) {
		k := kpiByKey(vd.Key)
		c := card{Key: k.Key, Label: v.T("kpi_" + k.Key), Value: vd.Rate, Rate: v.Pct(vd.Rate), Mart: sc.Mart,
			Num: v.Lang.Num(vd.Num, 2), Den: v.Lang.Num(vd.Den, 2), Bar: clamp100(vd.Rate * 100),
			Fig: "card." + k.Key, RateData: ratio(vd.Num, vd.Den)}
		if vd.HasTarget {
			c.HasTarget, c.Target, c.Met, c.Mark = true, v.Pct(vd.Target), vd.Met, clamp100(vd.Target*100)
			c.TargetFig, c.TargetData = targetFig(k, p.F.To), exact(vd.Target)
		}
		if len(rows) > 0 {
			last := rows[len(rows)-1]
			c.LatestMonth, c.Latest = v.Month(last.Month), v.Pct(last.Rate[k.Key])
			c.LatestFig, c.LatestData = monthFig(last.Month, k.Key), ratio(last.Num[k.Key], last.Den[k.Key])
		}
		p.Cards = append(p.Cards, c)
	}

	// Month by month: every indicator, and the chosen one's target.
	mb := &block{ID: "monthly", Title: v.T("monthly_title") + " — " + p.Scope, Mart: sc.Mart}
	var periods []string
	for _, r := range rows {
		periods = append(periods, v.Month(r.Month))
	}
	var series []chart.Series
	for _, k := range kpis {
		s := chart.Series{Name: v.T("kpi_" + k.Key), Class: k.Class}
		for _, r := range rows {
			tip := fmt.Sprintf("%s — %s: %s (%s/%s)", v.Month(r.Month), s.Name, v.Pct(r.Rate[k.Key]),
				v.Lang.Num(r.Num[k.Key], 2), v.Lang.Num(r.Den[k.Key], 2))
			s.Points = append(s.Points, chart.Point{Value: r.Rate[k.Key], Tip: tip,
				Figure: monthFig(r.Month, k.Key), Datum: ratio(r.Num[k.Key], r.Den[k.Key])})
		}
		series = append(series, s)
	}
	ts := chart.Series{Name: v.T("target") + " — " + v.T("kpi_"+sel.Key), Class: sel.Class, Dashed: true, Figure: "target." + sel.Key + ".monthly"}
	var tds []string
	for _, r := range rows {
		tg := targetAt(targets, sel, r.Month)
		ts.Points = append(ts.Points, chart.Point{Value: tg})
		tds = append(tds, exact(tg))
	}
	ts.Datum = strings.Join(tds, " ")
	series = append(series, ts)
	mb.SVG = chart.Line{ID: "chart-monthly", Title: mb.Title, Periods: periods, Series: series}.SVG()
	mb.Table.Cols = []string{v.T("month"), v.T("received")}
	for _, k := range kpis {
		mb.Table.Cols = append(mb.Table.Cols, v.T("kpi_"+k.Key))
	}
	for _, r := range rows {
		row := []tcell{{Text: v.Month(r.Month)}, {Text: v.Lang.Num(r.Received, 2), Figure: monthFig(r.Month, "received"), Value: exact(r.Received)}}
		for _, k := range kpis {
			row = append(row, tcell{Text: v.Pct(r.Rate[k.Key]), Figure: monthFig(r.Month, k.Key), Value: ratio(r.Num[k.Key], r.Den[k.Key])})
		}
		mb.Table.Rows = append(mb.Table.Rows, row)
	}
	p.Monthly = mb

	// By agency and by commune: the chosen indicator over the period.
	withLevels := true
	if info, err := h.table(ctx, "reference.agencies"); err != nil || !info.Exists {
		withLevels = false
	}
	if us, err := h.byAgency(ctx, p.F, withLevels); err != nil {
		fail(martAgency, err)
	} else {
		p.ByAgency = h.unitBlock(v, p, "by-agency", v.T("by_agency"), martAgency, "agency", us, sel, targets)
	}
	if us, err := h.byCommune(ctx, p.F); err != nil {
		fail(martCommune, err)
	} else {
		p.ByCommune = h.unitBlock(v, p, "by-commune", v.T("by_commune"), martCommune, "commune", us, sel, targets)
		p.ByCommune.Note = v.Pick("Tỷ lệ cả kỳ của một xã: tổng số hồ sơ đạt của các tháng trên tổng số hồ sơ của các tháng.",
			"A commune's rate over the period: the months' dossiers that meet it over the months' dossiers.")
	}
}

// unitBlock draws a bar per agency or commune, sorted by the indicator.
func (h *Handler) unitBlock(v *site.View, p *dashPage, id, title, mart, param string, us []unitRow, k *kpi, targets map[string]map[int]float64) *block {
	sortByRate(us, k.Key, p.F.Worst)
	b := &block{ID: id, Title: title + " — " + v.T("kpi_"+k.Key) + ", " + p.Period, Mart: mart, Sortable: true}
	tg := targetAt(targets, k, p.F.To)
	// verdict judges a unit's rate against the target as the cards do.
	verdict := func(rate float64) (class, text, value string) {
		if math.IsNaN(tg) || math.IsNaN(rate) {
			return "", "", ""
		}
		if rate >= tg {
			return "met", v.T("met"), "met"
		}
		return "unmet", v.T("not_met"), "not_met"
	}
	var bars []chart.Bar
	for _, u := range us {
		rate := u.rate(k.Key)
		if math.IsNaN(rate) {
			continue
		}
		tip := fmt.Sprintf("%s — %s %s: %s (%s/%s)", u.Name, v.T("kpi_"+k.Key), p.Period, v.Pct(rate),
			v.Lang.Num(u.Num[k.Key], 2), v.Lang.Num(u.Den[k.Key], 2))
		cls, vtext, _ := verdict(rate)
		if vtext != "" {
			tip += " — " + vtext
		}
		bars = append(bars, chart.Bar{Label: u.Name, Value: rate, Text: v.Pct(rate), Tip: tip, Href: filterURL(p, param, u.Code), Class: cls,
			Figure: unitFig(param, u.Code, k.Key), Datum: ratio(u.Num[k.Key], u.Den[k.Key])})
	}
	c := chart.Bars{ID: "chart-" + id, Title: b.Title, Bars: bars}
	if !math.IsNaN(tg) {
		c.Target, c.TargetTip = tg, v.T("target")+": "+v.Pct(tg)
		c.TargetFigure, c.TargetDatum = targetFig(k, p.F.To), exact(tg)
	}
	b.SVG = c.SVG()
	b.Table.Cols = []string{v.T(param), v.T("received")}
	for _, kk := range kpis {
		b.Table.Cols = append(b.Table.Cols, v.T("kpi_"+kk.Key))
	}
	b.Table.Cols = append(b.Table.Cols, v.T("verdict")+" — "+v.T("kpi_"+k.Key))
	b.Table.CodeCol = v.T(param + "_code")
	for _, u := range us {
		row := []tcell{{Text: u.Name}, {Text: v.Lang.Num(u.Received, 2), Figure: unitFig(param, u.Code, "received"), Value: exact(u.Received)}}
		for _, kk := range kpis {
			row = append(row, tcell{Text: v.Pct(u.rate(kk.Key)), Figure: unitFig(param, u.Code, kk.Key), Value: ratio(u.Num[kk.Key], u.Den[kk.Key])})
		}
		cls, vtext, value := verdict(u.rate(k.Key))
		vc := tcell{Text: vtext, Class: "verdict-" + cls}
		if value != "" {
			vc.Figure, vc.Value = unitFig(param, u.Code, k.Key)+".verdict", value
		}
		row = append(row, vc)
		b.Table.Rows = append(b.Table.Rows, row)
		b.Table.Codes = append(b.Table.Codes, u.Code)
	}
	return b
}

// crumb is one level of the drill-down: the province, an agency, a commune.
type crumb struct{ Label, URL string }

// filterURL is the dashboard filtered to one agency or commune, keeping the
// period and the indicator.
func filterURL(p *dashPage, param, code string) string {
	q := url.Values{}
	q.Set("from", p.FromS)
	q.Set("to", p.ToS)
	q.Set("kpi", p.F.KPI)
	if p.F.Worst {
		q.Set("order", "worst")
	}
	if param != "" {
		q.Set(param, code)
	}
	return "/?" + q.Encode()
}

func clamp100(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return math.Min(x, 100)
}
