package pages_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type shownBar struct {
	Value, Class, Href, Fill string
}

const barsJS = `id => [...document.querySelectorAll('#' + id + ' rect.bar')].map(r => ({Value: r.dataset.value,
	Class: r.getAttribute('class'), Href: r.parentElement.getAttribute('href') || '', Fill: getComputedStyle(r).fill}))`

// ratioOf reads a figure's exact "n/d".
func ratioOf(t *testing.T, s string) float64 {
	n, d, ok := strings.Cut(s, "/")
	require.True(t, ok, s)
	x, err := strconv.ParseFloat(n, 64)
	require.NoError(t, err)
	y, err := strconv.ParseFloat(d, 64)
	require.NoError(t, err)
	return x / y
}

// TestWorstFirstAndDrillDown orders the agencies and the communes worst
// first against the target, checks each bar's and row's verdict and its
// colour, then drills down from the province to the worst agency and from
// there to the worst commune by the charts' links, the period, indicator
// and order kept, each level's cards checked against the marts, and back
// up by the breadcrumb.
func TestWorstFirstAndDrillDown(t *testing.T) {
	b := newTab(t)
	b.login()
	from, to := defaultPeriod(t)
	var target float64
	require.NoError(t, env.wh.Engine.DB().QueryRowContext(t.Context(), `SELECT target FROM marts.plan_targets WHERE kpi = 'reuse_rate' AND year = ?`, to.Year()).Scan(&target))

	b.do(chromedp.Navigate(env.srv.URL + "/?kpi=reuse"))
	b.load(chromedp.Click(chromedp.CSS(`#sort-by-agency a[data-order="worst"]`)))
	require.Contains(t, b.path(), "order=worst")
	require.Contains(t, b.path(), "kpi=reuse")
	red, green := js[string](b, `getComputedStyle(document.body).getPropertyValue('--bad')`), js[string](b, `getComputedStyle(document.body).getPropertyValue('--ok')`)
	require.NotEqual(t, red, green)
	checkOrder := func(id string, worst bool) []shownBar {
		bars := js[[]shownBar](b, `(`+barsJS+`)(`+strconv.Quote(id)+`)`)
		require.NotEmpty(t, bars, id)
		met := 0
		for i, bar := range bars {
			r := ratioOf(t, bar.Value)
			if i > 0 {
				prev := ratioOf(t, bars[i-1].Value)
				if worst {
					assert.LessOrEqual(t, prev, r, "%s: bar %d is worse than the one before it", id, i)
				} else {
					assert.GreaterOrEqual(t, prev, r, "%s: bar %d is better than the one before it", id, i)
				}
			}
			want := "bar unmet"
			if r >= target {
				want = "bar met"
				met++
			}
			assert.Equal(t, want, bar.Class, "%s: bar %d (%s) against the target %v", id, i, bar.Value, target)
		}
		t.Logf("%s: %d of %d meet the target %v", id, met, len(bars), target)
		return bars
	}
	agencies := checkOrder("chart-by-agency", true)
	communes := checkOrder("chart-by-commune", true)
	// The verdict's colours, on the bars and in the table.
	fills := map[string]string{}
	for _, bar := range append(agencies, communes...) {
		fills[bar.Class] = bar.Fill
	}
	for class, fill := range fills {
		assert.NotEqual(t, fills["bar met"], fills["bar unmet"], "met and unmet bars share a colour")
		assert.NotEmpty(t, fill, class)
	}
	verdicts := js[[][]string](b, `[...document.querySelectorAll('#table-by-commune tbody tr')].map(r => { const c = r.lastElementChild; return [c.textContent, c.className, getComputedStyle(c).color]; })`)
	require.Len(t, verdicts, len(communes))
	for i, v := range verdicts {
		if ratioOf(t, communes[i].Value) >= target {
			assert.Equal(t, []string{"Đạt", "verdict-met"}, v[:2], "commune row %d", i)
		} else {
			assert.Equal(t, []string{"Chưa đạt", "verdict-unmet"}, v[:2], "commune row %d", i)
		}
	}
	// Best first, back.
	b.load(chromedp.Click(chromedp.CSS(`#sort-by-commune a[data-order="best"]`)))
	require.NotContains(t, b.path(), "order=worst")
	checkOrder("chart-by-agency", false)
	checkOrder("chart-by-commune", false)
	b.load(chromedp.Click(chromedp.CSS(`#sort-by-commune a[data-order="worst"]`)))

	// Province → the worst agency.
	require.Equal(t, []string{"Toàn tỉnh"}, js[[]string](b, `[...document.querySelectorAll('#drill a')].map(a => a.textContent)`))
	agency := strings.TrimPrefix(js[string](b, `document.querySelector('#chart-by-agency a').getAttribute('href')`), "/?")
	b.load(chromedp.Click(chromedp.CSS(`#chart-by-agency a rect.bar`)))
	for _, kept := range []string{"order=worst", "kpi=reuse", "from=" + from.Format("2006-01"), "to=" + to.Format("2006-01"), "agency="} {
		require.Contains(t, b.path(), kept)
	}
	require.Equal(t, "/?"+agency, b.path())
	code := b.path()[strings.Index(b.path(), "agency=")+len("agency="):]
	code, _, _ = strings.Cut(code, "&")
	var name string
	require.NoError(t, env.wh.Engine.DB().QueryRowContext(t.Context(), `SELECT any_value(agency_name) FROM marts.dossier_kpi_monthly WHERE agency_code = ?`, code).Scan(&name))
	require.Equal(t, []string{"Toàn tỉnh", name}, js[[]string](b, `[...document.querySelectorAll('#drill a')].map(a => a.textContent)`))
	checkCards(t, cards(b), kpiSums(t, "dossier_kpi_monthly", " AND agency_code = ?", day(from), day(to), code), name)

	// → the worst commune.
	b.load(chromedp.Click(chromedp.CSS(`#chart-by-commune a rect.bar`)))
	require.Contains(t, b.path(), "commune=")
	require.Contains(t, b.path(), "order=worst")
	require.NotContains(t, b.path(), "agency=")
	commune := b.path()[strings.Index(b.path(), "commune=")+len("commune="):]
	commune, _, _ = strings.Cut(commune, "&")
	require.NoError(t, env.wh.Engine.DB().QueryRowContext(t.Context(), `SELECT any_value(commune_name) FROM marts.dossier_kpi_commune_monthly WHERE commune_code = ?`, commune).Scan(&name))
	require.Equal(t, []string{"Toàn tỉnh", name}, js[[]string](b, `[...document.querySelectorAll('#drill a')].map(a => a.textContent)`))
	shown := cards(b)
	var reused, received float64 // the commune mart's counts are decimals (shares of split communes)
	require.NoError(t, env.wh.Engine.DB().QueryRowContext(t.Context(), `SELECT sum(reused), sum(received) FROM marts.dossier_kpi_commune_monthly
		WHERE commune_code = ? AND month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)`, commune, day(from), day(to)).Scan(&reused, &received))
	require.Equal(t, viPct(reused/received), shown["reuse"].Value, "commune %s", commune)

	// Back up to the province, the order kept.
	b.load(chromedp.Click(chromedp.CSS(`#drill a:first-child`)))
	require.NotContains(t, b.path(), "commune=")
	require.Contains(t, b.path(), "order=worst")
	require.Equal(t, "Toàn tỉnh", js[string](b, `document.getElementById('scope').textContent`))
}
