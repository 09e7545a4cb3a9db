package pages_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/schemas/units"
)

// This file recomputes in Go, from the sample province's dossier files (not
// from the lake or the marts), every dossier figure the dashboard shows —
// the cards, their verdicts, the month-by-month chart and table, the charts
// and tables by agency and by commune — for the province, every agency and
// every one of today's 75 communes, and compares each with the exact value
// the page gives it (data-value). Every element of the page that carries a
// figure (data-figure) must be one the test computed: a new figure the
// test does not cover fails it.

// fdossier is one dossier the warehouse keeps, as the KPIs count it.
type fdossier struct {
	agency                               string
	month                                time.Time
	received                             time.Time
	completed, onTime, online, digitised bool
	reused                               bool
}

// fcounts are a group's KPI counts.
type fcounts struct{ received, completed, onTime, online, digitised, reused float64 }

func (c *fcounts) add(d fdossier, w float64) {
	c.received += w
	for _, f := range []struct {
		b bool
		p *float64
	}{{d.completed, &c.completed}, {d.onTime, &c.onTime}, {d.online, &c.online}, {d.digitised, &c.digitised}, {d.reused, &c.reused}} {
		if f.b {
			*f.p += w
		}
	}
}

// nd is an indicator's numerator and denominator.
func (c fcounts) nd(kpi string) (float64, float64) {
	switch kpi {
	case "digitised":
		return c.digitised, c.received
	case "reuse":
		return c.reused, c.received
	case "on_time":
		return c.onTime, c.completed
	}
	return c.online, c.received
}

var fkpis = []string{"digitised", "reuse", "on_time", "online"}

// The plan's targets (Kế hoạch 210/KH-UBND): digitised 80 % in 2025 and 4
// points more a year up to 100 %, reuse 80 %, on time 95 %, online 80 %.
func planTarget(kpi string, year int) float64 {
	switch kpi {
	case "digitised":
		return math.Min(1, 0.80+0.04*float64(year-2025))
	case "on_time":
		return 0.95
	}
	return 0.80
}

func fexact(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func fratio(n, d float64) string {
	if d == 0 {
		return ""
	}
	return fexact(n) + "/" + fexact(d)
}

// readDossiers reads the dossiers of the sample's JSON files that the
// pipeline keeps: a key of agency-date-number, a calendar timestamp of
// receipt, a due date not before it (the planted bad rows fail these).
func readDossiers(t *testing.T, sample string) []fdossier {
	files, err := filepath.Glob(filepath.Join(sample, "dossiers", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	type doc struct{ IsDeleted, DuocTaiSuDung, DuocLayTuKhoDMQG any }
	type dossier struct {
		MaHoSo, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy string
		KenhThucHien, TrangThaiHoSo, HoSoCoThanhPhanSoHoa any
		TaiLieuNop                                        []doc
	}
	str := func(v any) string {
		switch v := v.(type) {
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		case string:
			return v
		case bool:
			if v {
				return "1"
			}
			return "0"
		}
		return ""
	}
	var out []fdossier
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var req struct{ Data []dossier }
		require.NoError(t, json.Unmarshal(b, &req))
		for _, d := range req.Data {
			parts := strings.Split(d.MaHoSo, "-")
			rec, err := time.Parse("20060102150405", d.NgayTiepNhan)
			if d.MaHoSo == "" || len(parts) < 3 || err != nil || (d.NgayHenTra != "" && d.NgayHenTra < d.NgayTiepNhan) {
				continue
			}
			status := str(d.TrangThaiHoSo)
			x := fdossier{
				agency:    strings.Join(parts[:len(parts)-2], "-"),
				month:     time.Date(rec.Year(), rec.Month(), 1, 0, 0, 0, 0, time.UTC),
				received:  time.Date(rec.Year(), rec.Month(), rec.Day(), 0, 0, 0, 0, time.UTC),
				completed: (status == "9" || status == "10") && d.NgayKetThucXuLy != "",
				online:    str(d.KenhThucHien) == "2",
				digitised: str(d.HoSoCoThanhPhanSoHoa) == "1",
			}
			x.onTime = x.completed && d.NgayKetThucXuLy <= d.NgayHenTra
			for _, doc := range d.TaiLieuNop {
				if str(doc.IsDeleted) != "1" && (str(doc.DuocTaiSuDung) == "1" || str(doc.DuocLayTuKhoDMQG) == "1") {
					x.reused = true
					break
				}
			}
			out = append(out, x)
		}
	}
	return out
}

// fagency is a row of the sample's reference/co_quan.csv.
type fagency struct {
	level, commune string
	validTo        time.Time // zero: still valid
}

func readAgencies(t *testing.T, sample string) map[string]fagency {
	f, err := os.Open(filepath.Join(sample, "reference", "co_quan.csv"))
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	out := map[string]fagency{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		a := fagency{level: rec[col["cap"]], commune: rec[col["ma_xa"]]}
		if s := rec[col["hieu_luc_den"]]; s != "" {
			a.validTo, err = time.Parse("2006-01-02", s)
			require.NoError(t, err)
		}
		out[rec[col["ma_co_quan"]]] = a
	}
	return out
}

// dossierTruth holds the figures computed from the files.
type dossierTruth struct {
	months    []time.Time
	province  map[time.Time]*fcounts
	agency    map[string]map[time.Time]*fcounts
	commune   map[string]map[time.Time]*fcounts
	today     []string // today's 75 communes
	provinces []string // the provincial agencies
}

func computeDossierTruth(t *testing.T, sample string) *dossierTruth {
	ds := readDossiers(t, sample)
	ags := readAgencies(t, sample)
	set := units.MustLoad()
	tr := &dossierTruth{province: map[time.Time]*fcounts{}, agency: map[string]map[time.Time]*fcounts{}, commune: map[string]map[time.Time]*fcounts{}}
	now := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, u := range set.CommunesAt(now) {
		tr.today = append(tr.today, u.Code)
		tr.commune[u.Code] = map[time.Time]*fcounts{}
	}
	require.Len(t, tr.today, 75)
	for code, a := range ags {
		if a.level == "tỉnh" {
			tr.provinces = append(tr.provinces, code)
		}
	}
	seen := map[time.Time]bool{}
	at := func(m map[time.Time]*fcounts, month time.Time) *fcounts {
		if m[month] == nil {
			m[month] = &fcounts{}
		}
		return m[month]
	}
	for _, d := range ds {
		a, ok := ags[d.agency]
		require.True(t, ok, "agency %s of a dossier is in co_quan.csv", d.agency)
		seen[d.month] = true
		at(tr.province, d.month).add(d, 1)
		if tr.agency[d.agency] == nil {
			tr.agency[d.agency] = map[time.Time]*fcounts{}
		}
		at(tr.agency[d.agency], d.month).add(d, 1)
		if a.level != "xã" {
			continue
		}
		// A commune agency's dossier counts for the commune of today its
		// commune is or became part of, read on a day of the agency's validity.
		day := d.received
		if !a.validTo.IsZero() && !day.Before(a.validTo) {
			day = a.validTo.AddDate(0, 0, -1)
		}
		shares := set.TodayOf(a.commune, day)
		require.NotEmpty(t, shares, "commune %s of agency %s on %s", a.commune, d.agency, day)
		for _, s := range shares {
			at(tr.commune[s.Code], d.month).add(d, s.Share)
		}
	}
	for m := range seen {
		tr.months = append(tr.months, m)
	}
	sort.Slice(tr.months, func(i, j int) bool { return tr.months[i].Before(tr.months[j]) })
	return tr
}

// expectDossierPage is every dossier figure of one page of the default
// period (from..to): the scope's cards and months, and the blocks by agency
// and by commune for the chosen indicator kpi.
func (tr *dossierTruth) expectDossierPage(scope map[time.Time]*fcounts, everyMonth bool, from, to time.Time, kpi string) map[string]string {
	want := map[string]string{}
	var total fcounts
	for _, m := range tr.months {
		if m.Before(from) || m.After(to) {
			continue
		}
		c := scope[m]
		if c == nil {
			if !everyMonth {
				continue // the agency mart has a row only where there were dossiers
			}
			c = &fcounts{}
		}
		total.received += c.received
		total.completed += c.completed
		total.onTime += c.onTime
		total.online += c.online
		total.digitised += c.digitised
		total.reused += c.reused
		key := "monthly." + m.Format("2006-01") + "."
		want[key+"received"] = fexact(c.received)
		for _, k := range fkpis {
			want[key+k] = fratio(c.nd(k))
		}
	}
	var targets []string
	for _, m := range tr.months {
		if (everyMonth || scope[m] != nil) && !m.Before(from) && !m.After(to) {
			targets = append(targets, fexact(planTarget(kpi, m.Year())))
		}
	}
	want["target."+kpi+".monthly"] = strings.Join(targets, " ")
	for _, k := range fkpis {
		n, d := total.nd(k)
		tg := planTarget(k, to.Year())
		want["card."+k] = fratio(n, d)
		want["target."+k+"."+strconv.Itoa(to.Year())] = fexact(tg)
		verdict := "not_met"
		if d > 0 && n/d >= tg {
			verdict = "met"
		}
		want["card."+k+".verdict"] = verdict
	}
	units := func(kind string, codes []string, by map[string]map[time.Time]*fcounts) {
		for _, code := range codes {
			var u fcounts
			any := false
			for m, c := range by[code] {
				if m.Before(from) || m.After(to) {
					continue
				}
				any = true
				u.received += c.received
				u.completed += c.completed
				u.onTime += c.onTime
				u.online += c.online
				u.digitised += c.digitised
				u.reused += c.reused
			}
			if !any && kind == "agency" {
				continue
			}
			want[kind+"."+code+".received"] = fexact(u.received)
			for _, k := range fkpis {
				want[kind+"."+code+"."+k] = fratio(u.nd(k))
			}
			// The chosen indicator's verdict against the target of the
			// period's last year, as a card's.
			if n, d := u.nd(kpi); d > 0 {
				verdict := "not_met"
				if n/d >= planTarget(kpi, to.Year()) {
					verdict = "met"
				}
				want[kind+"."+code+"."+kpi+".verdict"] = verdict
			}
		}
	}
	units("agency", tr.provinces, tr.agency)
	units("commune", tr.today, tr.commune)
	return want
}

var figureAttr = regexp.MustCompile(`data-figure="([^"]*)" data-value="([^"]*)"`)

// pageFigures reads every figure of a page: id -> value. An id shown twice
// (a bar and its table cell) must show the same value.
func pageFigures(t *testing.T, page, what string) map[string]string {
	t.Helper()
	require.Equal(t, strings.Count(page, "data-value="), strings.Count(page, "data-figure="), "%s: a value without a figure id", what)
	out := map[string]string{}
	for _, m := range figureAttr.FindAllStringSubmatch(page, -1) {
		id, v := html.UnescapeString(m[1]), html.UnescapeString(m[2])
		if prev, ok := out[id]; ok {
			require.Equal(t, prev, v, "%s: figure %s shown twice with two values", what, id)
		}
		out[id] = v
	}
	require.Equal(t, strings.Count(page, "data-figure="), len(figureAttr.FindAllString(page, -1)), "%s: a data-figure without its data-value", what)
	return out
}

// checkPage compares a page's figures with the expected ones: every figure
// shown must be expected (else the test does not cover it), and every
// expected one shown with its exact value. It reports the first few
// differences of a page.
func checkPage(t *testing.T, got, want map[string]string, what string) {
	t.Helper()
	var bad []string
	for id, v := range got {
		w, ok := want[id]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("figure %s (%q) is not covered by the test", id, v))
		case w != v:
			bad = append(bad, fmt.Sprintf("figure %s: page %q, from the sources %q", id, v, w))
		}
	}
	for id := range want {
		if _, ok := got[id]; !ok {
			bad = append(bad, fmt.Sprintf("figure %s is not on the page", id))
		}
	}
	sort.Strings(bad)
	if len(bad) > 10 {
		bad = append(bad[:10], fmt.Sprintf("and %d more", len(bad)-10))
	}
	if len(bad) > 0 {
		t.Errorf("%s:\n%s", what, strings.Join(bad, "\n"))
	}
}

// TestDashboardFiguresFromSources: see the top of the file.
func TestDashboardFiguresFromSources(t *testing.T) {
	sample := filepath.Join(env.wh.Dir, "sample")
	tr := computeDossierTruth(t, sample)
	require.Len(t, tr.months, 12, "a year of dossiers")
	to := tr.months[len(tr.months)-1]
	from := time.Date(to.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	others := otherFigures(t, sample, from, to)

	fetch := func(query string) string { // from several goroutines: no t.Fatal here
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, env.srv.URL+"/"+query, nil)
		if err != nil {
			return err.Error()
		}
		req.Header.Set("Authorization", "Bearer "+leaderToken)
		resp, err := env.srv.Client().Do(req)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			return resp.Status + ": " + string(b)
		}
		return string(b)
	}
	merge := func(ms ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	type job struct {
		query      string
		scope      map[time.Time]*fcounts
		everyMonth bool
		commune    string
	}
	jobs := []job{{"", tr.province, true, ""}}
	// Every agency of the filter (the agencies with dossiers) and every
	// commune of today.
	var agencies []string
	for code := range tr.agency {
		agencies = append(agencies, code)
	}
	sort.Strings(agencies)
	for _, code := range agencies {
		jobs = append(jobs, job{"?agency=" + url.QueryEscape(code), tr.agency[code], false, ""})
	}
	for _, code := range tr.today {
		jobs = append(jobs, job{"?commune=" + url.QueryEscape(code), tr.commune[code], true, code})
	}
	// Pages are fetched four at a time, as readers would; each is checked
	// whole.
	start := time.Now()
	pages := make([]string, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				pages[i] = fetch(jobs[i].query)
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	fetched := time.Since(start)
	cached := map[string]map[string]string{}
	for i, j := range jobs {
		if cached[j.commune] == nil {
			cached[j.commune] = others(j.commune)
		}
		if !strings.Contains(pages[i], "data-figure") {
			t.Errorf("%s: no figure on the page: %.300s", j.query, pages[i])
			continue
		}
		want := merge(tr.expectDossierPage(j.scope, j.everyMonth, from, to, "digitised"), cached[j.commune])
		checkPage(t, pageFigures(t, pages[i], j.query), want, j.query)
	}
	t.Logf("%d pages (the province, %d agencies, %d communes) fetched in %s, checked in %s", len(jobs), len(agencies), len(tr.today),
		fetched.Round(time.Millisecond), (time.Since(start) - fetched).Round(time.Millisecond))
}
