package pages_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// login signs the tab in with the leader's token.
func (b *tab) login() {
	b.t.Helper()
	b.do(chromedp.Navigate(env.srv.URL + "/login"))
	b.do(chromedp.SendKeys(chromedp.ID("token"), leaderToken))
	b.load(chromedp.Click(chromedp.ID("login-submit")))
	require.Equal(b.t, "/", b.path())
}

// chartTextJS measures every text of every chart on the page: its font size
// as drawn (the computed size times the chart's scale on the screen).
const chartTextJS = `(() => { const out = []; for (const svg of document.querySelectorAll('svg.chart')) {
	if (!svg.getClientRects().length) continue;
	const scale = svg.getScreenCTM().a;
	for (const t of svg.querySelectorAll('text')) {
		out.push({Chart: svg.id, Text: t.textContent, Px: parseFloat(getComputedStyle(t).fontSize) * scale});
	} } return out; })()`

type drawnText struct {
	Chart, Text string
	Px          float64
}

// labelsOnTarget lists the bar charts' value labels whose drawn box crosses
// their chart's target line, and counts the labels checked.
const labelsOnTargetJS = `(() => { const bad = []; let n = 0; for (const svg of document.querySelectorAll('svg.chart.bars')) {
	const line = svg.querySelector('.targetline'); if (!line || !svg.getClientRects().length) continue;
	const l = line.getBoundingClientRect();
	for (const t of svg.querySelectorAll('.bval')) { n++; const r = t.getBoundingClientRect();
		if (r.left < l.right && r.right > l.left) bad.push(svg.id + ': ' + t.textContent + ' [' + r.left.toFixed(1) + ', ' + r.right.toFixed(1) + '] on [' + l.left.toFixed(1) + ', ' + l.right.toFixed(1) + ']'); } }
	return {Bad: bad, Checked: n}; })()`

type labelCheck struct {
	Bad     []string
	Checked int
}

// TestPhoneLayout opens the dashboard and the portal at 390 px wide (a
// phone): the page does not scroll sideways, the filters are folded and
// open on a tap, every chart label is drawn at 11 px or more, and no bar's
// value label sits on the target line (measured on the drawn boxes, on the
// phone and on the desktop, for every indicator's charts). Screenshots of
// both widths go to $KHO_SCREENSHOT_DIR.
func TestPhoneLayout(t *testing.T) {
	b := newTab(t)
	b.login()
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
	b.do(chromedp.Navigate(env.srv.URL + "/"))
	b.until(`document.readyState === 'complete'`)
	require.Equal(t, 390, js[int](b, `window.innerWidth`))
	require.LessOrEqual(t, js[int](b, `document.documentElement.scrollWidth`), 390, "the page scrolls sideways")

	// The filters fold away, and open on a tap.
	require.False(t, js[bool](b, `document.getElementById('filters-fold').open`), "filters folded on a phone")
	require.False(t, js[bool](b, `document.getElementById('filters').checkVisibility()`), "the filters are hidden")
	require.Greater(t, js[int](b, `document.querySelector('#filters-fold summary').offsetHeight`), 0)
	b.do(chromedp.Click(chromedp.CSS(`#filters-fold summary`)))
	b.until(`document.getElementById('filters').checkVisibility() && document.getElementById('f-kpi').getBoundingClientRect().height > 0`)
	b.screenshot("dashboard-phone-filters-vi.png")
	b.do(chromedp.Click(chromedp.CSS(`#filters-fold summary`)))

	texts := js[[]drawnText](b, chartTextJS)
	require.Greater(t, len(texts), 100, "the charts' labels")
	small := 0
	minPx := 100.0
	for _, x := range texts {
		minPx = min(minPx, x.Px)
		if x.Px < 11-1e-6 {
			small++
			if small <= 5 {
				t.Errorf("%s: %q drawn at %.1f px", x.Chart, x.Text, x.Px)
			}
		}
	}
	require.Zero(t, small, "chart labels under 11 px at 390 px wide")
	t.Logf("phone: %d chart labels, the smallest drawn at %.1f px", len(texts), minPx)
	b.screenshot("dashboard-phone-vi.png")

	checkLabels := func(where string) {
		for _, kpi := range []string{"digitised", "reuse", "on_time", "online"} {
			b.do(chromedp.Navigate(env.srv.URL + "/?kpi=" + kpi))
			b.until(`document.readyState === 'complete'`)
			c := js[labelCheck](b, labelsOnTargetJS)
			assert.Empty(t, c.Bad, "%s, %s: value labels on the target line", where, kpi)
			assert.Greater(t, c.Checked, 75, "%s, %s: the agencies' and communes' labels", where, kpi)
		}
	}
	checkLabels("phone")

	b.do(chromedp.Navigate(env.srv.URL + "/open"))
	b.until(`document.readyState === 'complete'`)
	require.LessOrEqual(t, js[int](b, `document.documentElement.scrollWidth`), 390, "the portal scrolls sideways")
	b.screenshot("portal-phone-vi.png")

	// The desktop: filters open, labels off the target line.
	b.do(chromedp.EmulateViewport(1366, 900))
	checkLabels("desktop")
	b.do(chromedp.Navigate(env.srv.URL + "/"))
	b.until(`document.readyState === 'complete'`)
	require.True(t, js[bool](b, `document.getElementById('filters-fold').open`), "filters open on the desktop")
	require.True(t, js[bool](b, `document.getElementById('filters').checkVisibility()`))
}

// A4 in CSS pixels (96 per inch) less the print style sheet's 12 mm margins.
const a4WidthPx, a4HeightPx = (210 - 24) / 25.4 * 96, (297 - 24) / 25.4 * 96

// TestPrintA4 prints the dashboard as Chromium prints it (print media, the
// page size the style sheet asks for) and checks an A4 document without the
// navigation, the filters or the table views, whose panels are never cut: each
// fits on a page and is kept whole.
func TestPrintA4(t *testing.T) {
	b := newTab(t)
	b.login()

	// The print media, laid out at the width of the A4 page.
	b.do(chromedp.EmulateViewport(703, 1032),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}))
	b.do(chromedp.Navigate(env.srv.URL + "/"))
	b.until(`document.readyState === 'complete'`)
	for _, sel := range []string{"header.top", "#filters-fold", "footer", ".table-view", ".fresh-box", "#lang-switch"} {
		require.Equal(t, "none", js[string](b, `getComputedStyle(document.querySelector('`+sel+`')).display`), sel+" is printed")
	}
	type box struct {
		ID     string
		H, W   float64
		Break  string
		Charts int
	}
	panels := js[[]box](b, `[...document.querySelectorAll('figure.panel, .cards')].map(p => ({ID: p.id, H: p.getBoundingClientRect().height,
		W: p.getBoundingClientRect().right, Break: getComputedStyle(p).breakInside, Charts: p.querySelectorAll('svg.chart').length}))`)
	require.Greater(t, len(panels), 10)
	for _, p := range panels {
		if p.ID == "kpi-cards" {
			continue
		}
		assert.Equal(t, "avoid", p.Break, "%s may be cut across pages", p.ID)
		assert.LessOrEqual(t, p.H, a4HeightPx, "%s is taller than an A4 page", p.ID)
		assert.LessOrEqual(t, p.W, a4WidthPx+1, "%s is wider than an A4 page", p.ID)
	}

	// Chromium's own print to PDF, at the page size the style sheet asks.
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}), chromedp.EmulateViewport(1366, 900))
	b.do(chromedp.Navigate(env.srv.URL + "/"))
	b.until(`document.readyState === 'complete'`)
	yes := true
	var pdf []byte
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
		pdf = res.Data
		return err
	}))
	require.True(t, bytes.HasPrefix(pdf, []byte("%PDF-")), "a PDF")
	pages := regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1)
	boxes := regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]`).FindAllSubmatch(pdf, -1)
	require.NotEmpty(t, boxes, "the PDF's page sizes")
	for _, m := range boxes {
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		require.InDelta(t, 595.3, w, 1.5, "A4 width in points")
		require.InDelta(t, 841.9, h, 1.5, "A4 height in points")
	}
	// The KPI cards and charts, the index and nine sector panels: a few pages.
	require.GreaterOrEqual(t, len(pages), 2)
	require.LessOrEqual(t, len(pages), 10, "pages printed")
	t.Logf("print: %d A4 pages, %d bytes of PDF", len(pages), len(pdf))
	if d := os.Getenv("KHO_SCREENSHOT_DIR"); d != "" {
		require.NoError(t, os.WriteFile(filepath.Join(d, "dashboard-print-a4.pdf"), pdf, 0o644))
	}
}
