package pages_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

const chromiumPath = "/usr/bin/chromium"

// browser is a headless Chromium tab of a test.
type tab struct {
	t   *testing.T
	ctx context.Context
}

// newTab starts Debian's Chromium with a fresh profile.
func newTab(t *testing.T) *tab {
	t.Helper()
	_, err := os.Stat(chromiumPath)
	needTool(t, err == nil, "Chromium is not installed at "+chromiumPath+" (apt-get install chromium; .ci/run does)")
	profile, err := os.MkdirTemp("", "kho-chromium-")
	require.NoError(t, err)
	t.Cleanup(func() {
		for range 50 { // Chromium's children may still write for a moment after it stops
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1366, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return &tab{t: t, ctx: ctx}
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(b.ctx, steps...))
}

// js evaluates an expression and decodes its value.
func js[T any](b *tab, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, opts...))
	require.NoError(b.t, err, expr)
	return v
}

// hover points the mouse at an element (a JS expression) and returns the
// tooltip it shows. It scrolls the element into view first and lets the
// scroll settle (scrolling hides the tooltip), and tries again a few times.
func (b *tab) hover(el string) string {
	b.t.Helper()
	for try := 0; try < 5; try++ {
		pt := js[[]float64](b, `new Promise(r => { const e = `+el+`; e.scrollIntoView({block: 'center'});
			requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
				const b = e.getBoundingClientRect(); r([b.x + b.width / 2, b.y + b.height / 2]); }, 100))); })`, chromedp.EvalAwaitPromise)
		b.do(chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, pt[0], pt[1]))
		_, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](`document.getElementById('tip') && !document.getElementById('tip').hidden`,
			chromedp.WithPollingTimeout(2*time.Second)))
		if err == nil {
			return js[string](b, `document.getElementById('tip').textContent`)
		}
		at := js[string](b, fmt.Sprintf(`(e => e ? e.outerHTML.slice(0, 120) : 'nothing')(document.elementFromPoint(%f, %f))`, pt[0], pt[1]))
		b.t.Logf("hover try %d: no tooltip; at (%.0f, %.0f) is %s", try+1, pt[0], pt[1], at)
	}
	b.t.Fatalf("no tooltip on %s", el)
	return ""
}

// until waits for an expression to be truthy.
func (b *tab) until(expr string) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(20*time.Second)))
	require.NoError(b.t, err, "waiting for %s", expr)
}

// load runs an action that makes the page navigate, and waits for the new page.
func (b *tab) load(trigger chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, trigger))
	require.NoError(b.t, err)
}

func (b *tab) path() string { return js[string](b, `location.pathname + location.search`) }

// screenshot saves the whole page as PNG under $KHO_SCREENSHOT_DIR (or a
// temporary folder) and checks that it is not blank.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	require.NoError(b.t, err)
	requireNotBlank(b.t, name, buf)
	dir := screenshotDir(b.t)
	p := filepath.Join(dir, name)
	require.NoError(b.t, os.WriteFile(p, buf, 0o644))
	b.t.Logf("screenshot %s", p)
}

func screenshotDir(t *testing.T) string {
	if d := os.Getenv("KHO_SCREENSHOT_DIR"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

// requireNotBlank decodes a PNG and wants a real page on it: many colours,
// and no single colour covering nearly everything.
func requireNotBlank(t *testing.T, name string, b []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err, name)
	bounds := img.Bounds()
	require.Greater(t, bounds.Dx(), 300, name)
	require.Greater(t, bounds.Dy(), 500, name)
	counts := map[uint32]int{}
	total := 0
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			counts[(r>>8)<<16|(g>>8)<<8|bl>>8]++
			total++
		}
	}
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	require.Greater(t, len(counts), 200, "%s: %d distinct colours, the page looks blank", name, len(counts))
	require.Less(t, float64(top)/float64(total), 0.9, "%s: one colour covers %.0f%% of the page", name, 100*float64(top)/float64(total))
}

// viPct formats a ratio as the Vietnamese page shows it: 72,3%, 80%.
func viPct(x float64) string {
	s := strconv.FormatFloat(math.Round(x*1000)/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return strings.Replace(s, ".", ",", 1) + "%"
}

// viInt formats a count as the Vietnamese page shows it: 9.852.
func viInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	return string(out)
}

type shownCard struct {
	ID, Value, Ratio, Target string
}

func cards(b *tab) map[string]shownCard {
	b.t.Helper()
	list := js[[]shownCard](b, `[...document.querySelectorAll('#kpi-cards .kpi')].map(c => ({
		ID: c.id, Value: c.querySelector('.value').textContent.trim(),
		Ratio: (c.querySelector('.ratio') || {}).textContent || '', Target: (c.querySelector('.target') || {}).textContent || ''}))`)
	out := map[string]shownCard{}
	for _, c := range list {
		out[strings.TrimPrefix(c.ID, "card-")] = c
	}
	return out
}

// period is the dashboard's default period: the year to date of the mart's
// latest month.
func defaultPeriod(t *testing.T) (from, to time.Time) {
	require.NoError(t, env.wh.Engine.DB().QueryRowContext(t.Context(),
		`SELECT min(month), max(month) FROM marts.dossier_kpi_province_monthly`).Scan(&from, &to))
	if f := time.Date(to.Year(), time.January, 1, 0, 0, 0, 0, to.Location()); f.After(from) {
		from = f
	}
	return from, to
}

// kpiSums reads a scope's numerators and denominators over a period from a
// mart, as the test's own SQL.
func kpiSums(t *testing.T, mart, where string, args ...any) map[string][2]int64 {
	q := `SELECT sum(digitised), sum(received), sum(reused), sum(received), sum(on_time), sum(completed), sum(online), sum(received)
		FROM marts.` + mart + ` WHERE month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)` + where
	var v [8]int64
	require.NoError(t, env.wh.Engine.DB().QueryRowContext(t.Context(), q, args...).Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]))
	return map[string][2]int64{"digitised": {v[0], v[1]}, "reuse": {v[2], v[3]}, "on_time": {v[4], v[5]}, "online": {v[6], v[7]}}
}

func checkCards(t *testing.T, shown map[string]shownCard, want map[string][2]int64, scope string) {
	t.Helper()
	require.Len(t, shown, 4, scope)
	for k, nd := range want {
		c, ok := shown[k]
		require.True(t, ok, "%s: no card %s", scope, k)
		require.Equal(t, viPct(float64(nd[0])/float64(nd[1])), c.Value, "%s: card %s", scope, k)
		require.Equal(t, viInt(nd[0])+"/"+viInt(nd[1]), c.Ratio, "%s: card %s", scope, k)
	}
}

func day(t time.Time) string { return t.Format("2006-01-02") }

// TestDashboardInBrowser logs in, reads the KPI cards, hovers a chart, filters
// by agency, opens a chart's table view, switches to English, follows a figure
// to its mart, filters by commune and measures the page: every figure shown is
// checked against the marts.
func TestDashboardInBrowser(t *testing.T) {
	b := newTab(t)
	db := env.wh.Engine.DB()
	ctx := t.Context()

	// The dashboard asks for a token.
	b.do(chromedp.Navigate(env.srv.URL + "/"))
	require.True(t, strings.HasPrefix(b.path(), "/login"), b.path())
	b.do(chromedp.SendKeys(chromedp.ID("token"), "not-a-token"))
	b.load(chromedp.Click(chromedp.ID("login-submit")))
	require.Contains(t, js[string](b, `document.querySelector('[role=alert]').textContent`), "không đúng")
	b.do(chromedp.SendKeys(chromedp.ID("token"), leaderToken))
	b.load(chromedp.Click(chromedp.ID("login-submit")))
	require.Equal(t, "/", b.path())

	// The cards: the default period's rates against the plan's targets.
	from, to := defaultPeriod(t)
	require.Equal(t, fmt.Sprintf("năm %d, đến hết tháng %d", to.Year(), int(to.Month())), js[string](b, `document.getElementById('period').textContent`))
	shown := cards(b)
	checkCards(t, shown, kpiSums(t, "dossier_kpi_province_monthly", "", day(from), day(to)), "province")
	for kpi, card := range shown {
		var target float64
		require.NoError(t, db.QueryRowContext(ctx, `SELECT target FROM marts.plan_targets WHERE kpi = ? AND year = ?`, kpi+"_rate", to.Year()).Scan(&target))
		require.Equal(t, viPct(target), card.Target, "target of %s", kpi)
	}
	b.screenshot("dashboard-vi.png")

	// A chart's tooltip: the figure and its period.
	var lastRate float64
	require.NoError(t, db.QueryRowContext(ctx, `SELECT digitised_rate FROM marts.dossier_kpi_province_monthly WHERE month = CAST(? AS DATE)`, day(to)).Scan(&lastRate))
	tip := b.hover(`[...document.querySelectorAll('#chart-monthly circle.pt.s1')].pop()`)
	require.Contains(t, tip, to.Format("01/2006"))
	require.Contains(t, tip, viPct(lastRate))

	// The agency filter groups the agencies as the reform left them.
	var provincial int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(DISTINCT agency_code) FROM marts.dossier_kpi_monthly
		WHERE agency_code IN (SELECT agency_code FROM reference.agencies WHERE level = 'tỉnh')`).Scan(&provincial))
	require.Equal(t, "Cấp tỉnh", js[string](b, `document.querySelector('#f-agency optgroup').label`))
	require.Equal(t, provincial, js[int](b, `document.querySelector('#f-agency optgroup').children.length`))

	// Filter by a provincial agency: the URL keeps it, the figures are its own.
	var agency, agencyName string
	require.NoError(t, db.QueryRowContext(ctx, `SELECT agency_code, agency_name FROM reference.agencies WHERE agency_name = 'Sở Y tế'`).Scan(&agency, &agencyName))
	b.load(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('f-agency'); s.value = ` + strconv.Quote(agency) + `;
		s.dispatchEvent(new Event('change', {bubbles: true})); })()`))
	require.Contains(t, b.path(), "agency="+agency)
	require.Equal(t, agencyName, js[string](b, `document.getElementById('scope').textContent`))
	checkCards(t, cards(b), kpiSums(t, "dossier_kpi_monthly", " AND agency_code = ?", day(from), day(to), agency), agencyName)

	// Narrow the period to the last quarter: the URL keeps agency and period.
	qFrom := to.AddDate(0, -2, 0)
	b.load(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('f-from'); s.value = ` + strconv.Quote(qFrom.Format("2006-01")) + `;
		s.dispatchEvent(new Event('change', {bubbles: true})); })()`))
	require.Contains(t, b.path(), "from="+qFrom.Format("2006-01"))
	require.Contains(t, b.path(), "agency="+agency)
	require.Equal(t, "từ "+qFrom.Format("01/2006")+" đến "+to.Format("01/2006"), js[string](b, `document.getElementById('period').textContent`))
	checkCards(t, cards(b), kpiSums(t, "dossier_kpi_monthly", " AND agency_code = ?", day(qFrom), day(to), agency), agencyName+", last quarter")

	// The month-by-month chart's table view, against the mart.
	require.False(t, js[bool](b, `document.getElementById('table-monthly').open`))
	b.do(chromedp.Click(chromedp.CSS("#table-monthly summary")))
	b.until(`document.querySelector('#table-monthly table').offsetHeight > 0`)
	table := js[[][]string](b, `[...document.querySelectorAll('#table-monthly tbody tr')].map(r => [...r.children].map(c => c.textContent))`)
	rows, err := db.QueryContext(ctx, `SELECT month, received, digitised_rate, reuse_rate FROM marts.dossier_kpi_monthly
		WHERE agency_code = ? AND month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) ORDER BY month`, agency, day(qFrom), day(to))
	require.NoError(t, err)
	n := 0
	for ; rows.Next(); n++ {
		var m time.Time
		var received int64
		var dig, reuse float64
		require.NoError(t, rows.Scan(&m, &received, &dig, &reuse))
		require.Less(t, n, len(table))
		require.Equal(t, []string{m.Format("01/2006"), viInt(received), viPct(dig), viPct(reuse)}, table[n][:4], "table row %d", n)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	require.Equal(t, n, len(table), "table rows")
	b.screenshot("dashboard-agency-table.png")

	// English, with the filters kept.
	b.load(chromedp.Click(chromedp.ID("lang-switch")))
	require.Equal(t, "en", js[string](b, `document.documentElement.lang`))
	require.Equal(t, "Sơn La data dashboard", js[string](b, `document.querySelector('h1').textContent`))
	require.Contains(t, b.path(), "agency="+agency)
	en := cards(b)["digitised"].Value
	require.Equal(t, strings.Replace(cards(b)["digitised"].Value, ",", ".", 1), en)
	require.NotContains(t, en, ",")
	b.screenshot("dashboard-en.png")

	// A figure leads to its mart and the SQL behind it.
	b.load(chromedp.Click(chromedp.ID("card-digitised")))
	require.Equal(t, "/marts/dossier_kpi_monthly", b.path())
	require.Contains(t, js[string](b, `document.getElementById('mart-sql').textContent`), "FROM admin_procedures.dossiers")

	// Freshness: the failed pipeline first, with its error.
	b.do(chromedp.Navigate(env.srv.URL + "/?lang=vi"))
	failed := js[[]string](b, `[...document.querySelectorAll('#fresh-table tr.st-failed')].map(r => r.dataset.pipeline)`)
	require.Equal(t, []string{"labour_job_reports_broken_drop"}, failed)
	require.Equal(t, "labour_job_reports_broken_drop", js[string](b, `document.querySelector('#fresh-table tbody tr').dataset.pipeline`))
	require.True(t, strings.HasPrefix(js[string](b, `document.getElementById('failed-count').textContent`), "1 "))

	// A commune of today: its on-time rate is its dossiers completed on time
	// over its dossiers completed (not the months' rates weighted by dossiers
	// received).
	var commune string
	var onTime, completed float64
	require.NoError(t, db.QueryRowContext(ctx, `SELECT commune_code, sum(on_time), sum(completed) FROM marts.dossier_kpi_commune_monthly
		WHERE month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) GROUP BY commune_code ORDER BY sum(received) DESC, commune_code LIMIT 1`, day(from), day(to)).Scan(&commune, &onTime, &completed))
	b.do(chromedp.Navigate(env.srv.URL + "/?commune=" + commune))
	require.Equal(t, viPct(onTime/completed), cards(b)["on_time"].Value, "commune %s", commune)
	require.Equal(t, viInt(int64(onTime))+"/"+viInt(int64(completed)), cards(b)["on_time"].Ratio, "commune %s: the counts are the mart's", commune)
	require.Equal(t, 75, js[int](b, `document.querySelectorAll('#f-commune option').length - 1`), "today's 75 communes")

	measure(t, b)
}

// pageMetrics is what the Performance API says of a page load.
type pageMetrics struct {
	HTML      int64   `json:"html_bytes"`     // transferred (gzip)
	HTMLBody  int64   `json:"html_decoded"`   // decoded
	Resources int64   `json:"resource_bytes"` // transferred
	Requests  int     `json:"requests"`
	Load      float64 `json:"load_ms"`
	DCL       float64 `json:"dom_content_loaded_ms"`
	TTFB      float64 `json:"html_first_byte_ms"` // request to first byte: the server's work
	Download  float64 `json:"html_download_ms"`   // first to last byte: the link's
}

const metricsJS = `(() => { const n = performance.getEntriesByType('navigation')[0]; const rs = performance.getEntriesByType('resource');
	return {html_bytes: n.transferSize, html_decoded: n.decodedBodySize, resource_bytes: rs.reduce((a, r) => a + r.transferSize, 0),
		requests: 1 + rs.length, load_ms: n.loadEventEnd - n.startTime, dom_content_loaded_ms: n.domContentLoadedEventEnd - n.startTime,
		html_first_byte_ms: n.responseStart - n.requestStart, html_download_ms: n.responseEnd - n.responseStart}; })()`

// measure loads the dashboard cold (no cache) on loopback, then on an
// emulated slow link, and warm, and logs bytes and times.
func measure(t *testing.T, b *tab) {
	load := func() pageMetrics {
		b.do(chromedp.Navigate(env.srv.URL + "/"))
		b.until(`performance.getEntriesByType('navigation')[0].loadEventEnd > 0`)
		return js[pageMetrics](b, metricsJS)
	}
	require.NoError(t, chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		return setCache(ctx, tg, true)
	})))
	cold := load()
	require.NoError(t, chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		return throttle(ctx, tg, 150, 128*1024) // 1 Mbit/s, 150 ms: a slow provincial link
	})))
	slow := load()
	require.NoError(t, chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		return setCache(ctx, tg, false)
	})))
	load() // fill the cache
	warmSlow := load()
	total := cold.HTML + cold.Resources
	t.Logf("dashboard, cold: %d requests, %d bytes transferred (HTML %d gzip of %d), load %.0f ms on loopback (server %.0f ms)", cold.Requests, total, cold.HTML, cold.HTMLBody, cold.Load, cold.TTFB)
	t.Logf("dashboard on 1 Mbit/s with 150 ms latency: cold load %.0f ms (server %.0f ms, HTML download %.0f ms, DOMContentLoaded %.0f ms); with cached assets %.0f ms, %d bytes",
		slow.Load, slow.TTFB, slow.Download, slow.DCL, warmSlow.Load, warmSlow.HTML+warmSlow.Resources)
	require.Less(t, total, int64(100_000), "the dashboard's page weight")
	out, _ := json.MarshalIndent(map[string]pageMetrics{"cold_loopback": cold, "cold_1mbit_150ms": slow, "warm_1mbit_150ms": warmSlow}, "", "  ")
	p := filepath.Join(screenshotDir(t), "dashboard-metrics.json")
	require.NoError(t, os.WriteFile(p, out, 0o644))
	t.Logf("metrics %s", p)
}

func setCache(ctx context.Context, tg *chromedp.Target, disabled bool) error {
	_, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: disabled})
	return err
}

// emulateNetworkConditions is DevTools' network throttling
// (Network.emulateNetworkConditions: deprecated in the protocol for
// emulateNetworkConditionsByRule, but the one Chromium applies to a page's
// own requests to loopback).
var emulateNetworkConditions = cdp.Command[emulateParams, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

type emulateParams struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`
	DownloadThroughput float64 `json:"downloadThroughput"`
	UploadThroughput   float64 `json:"uploadThroughput"`
}

// throttle emulates a link of a latency (ms) and a bandwidth (bytes/s).
func throttle(ctx context.Context, tg *chromedp.Target, latency, bandwidth float64) error {
	_, err := cdp.Call(ctx, tg, emulateNetworkConditions, emulateParams{Latency: latency, DownloadThroughput: bandwidth, UploadThroughput: bandwidth})
	return err
}

// TestPortalInBrowser searches the open-data catalog, filters by domain,
// opens a dataset, checks its preview against the lake, downloads its CSV
// and switches to English, without logging in.
func TestPortalInBrowser(t *testing.T) {
	b := newTab(t)
	db := env.wh.Engine.DB()
	ctx := t.Context()
	ids := publishedIDs(t)

	b.do(chromedp.Navigate(env.srv.URL + "/open"))
	shownIDs := func() []string {
		return js[[]string](b, `[...document.querySelectorAll('article.dataset')].map(a => a.dataset.id)`)
	}
	require.Equal(t, ids, shownIDs(), "the catalog lists every open dataset of the lake")
	var clinics int64
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM health.clinics`).Scan(&clinics))
	require.Contains(t, js[string](b, `document.querySelector('article[data-id="health-clinics"]').textContent`), viInt(clinics))
	b.screenshot("portal-catalog-vi.png")

	// Search, without diacritics.
	b.do(chromedp.SendKeys(chromedp.ID("q"), "y te"))
	b.load(chromedp.Submit(chromedp.ID("q")))
	found := shownIDs()
	require.Contains(t, found, "health-clinics")
	for _, id := range found {
		require.Contains(t, js[string](b, `document.querySelector('article[data-id="`+id+`"]').textContent`), "Y tế")
	}
	require.Less(t, len(found), len(ids))

	// A domain facet.
	b.do(chromedp.Navigate(env.srv.URL + "/open"))
	b.load(chromedp.Click(chromedp.CSS(`#facet-domain a[data-domain="agriculture"]`)))
	require.Contains(t, b.path(), "domain=agriculture")
	var agri []string
	for _, id := range ids {
		if strings.HasPrefix(id, "agriculture-") {
			agri = append(agri, id)
		}
	}
	require.NotEmpty(t, agri)
	require.Equal(t, agri, shownIDs())

	// A dataset: schema and preview from the lake.
	b.do(chromedp.Navigate(env.srv.URL + "/open?q=" + "c%C6%A1+s%E1%BB%9F+kh%C3%A1m"))
	b.load(chromedp.Click(chromedp.CSS(`article[data-id="health-clinics"] h2 a`)))
	require.Equal(t, "/open/datasets/health-clinics", b.path())
	cols := js[[]string](b, `[...document.querySelectorAll('#schema tbody code')].map(c => c.textContent)`)
	require.Equal(t, []string{"clinic_id", "clinic_name", "clinic_type", "commune_code", "beds", "updated_at"}, cols)
	preview := js[[][]string](b, `[...document.querySelectorAll('#preview tbody tr')].map(r => [...r.children].map(c => c.textContent))`)
	require.Len(t, preview, int(min(20, clinics)))
	rows, err := db.QueryContext(ctx, `SELECT clinic_id, clinic_name, clinic_type FROM health.clinics ORDER BY clinic_id LIMIT 20`)
	require.NoError(t, err)
	for i := 0; rows.Next(); i++ {
		var id, name string
		var typ *string
		require.NoError(t, rows.Scan(&id, &name, &typ))
		want := []string{id, name, ""}
		if typ != nil {
			want[2] = *typ
		}
		require.Equal(t, want, preview[i][:3], "preview row %d", i)
	}
	require.NoError(t, rows.Err())
	rows.Close()

	// Download the CSV as a reader would, with the browser.
	dl, err := os.MkdirTemp("", "kho-download-")
	require.NoError(t, err)
	defer os.RemoveAll(dl)
	require.NoError(t, chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: "allow", DownloadPath: dl})
		return err
	})))
	b.do(chromedp.Click(chromedp.ID("dl-csv")))
	file := filepath.Join(dl, "health-clinics.csv")
	var body []byte
	for i := 0; i < 200; i++ {
		if body, err = os.ReadFile(file); err == nil && len(body) > 0 {
			if _, partial := os.Stat(file + ".crdownload"); partial != nil {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, err, "the CSV download did not arrive")
	require.True(t, bytes.HasPrefix(body, []byte("\ufeff")), "the CSV starts with a UTF-8 BOM for Excel")
	lines := strings.Split(strings.TrimRight(string(body[3:]), "\n"), "\n")
	require.Equal(t, strings.Join(cols, ","), lines[0])
	require.Len(t, lines, int(clinics)+1, "a header and every row")
	require.True(t, strings.HasPrefix(lines[1], preview[0][0]+","), lines[1])

	// English.
	b.load(chromedp.Click(chromedp.ID("lang-switch")))
	clinicsSchema, _ := env.wh.Schemas.Get("health.clinics")
	require.Equal(t, clinicsSchema.LabelEN, js[string](b, `document.getElementById('dataset-title').textContent`))
	require.Equal(t, "en", js[string](b, `document.documentElement.lang`))
	require.Equal(t, "Download", js[string](b, `document.querySelector('#downloads h2').textContent`))
	b.screenshot("portal-dataset-en.png")
}
