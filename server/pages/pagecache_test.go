package pages_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/pages"
	"github.com/sonla-data/kho/server/pages/site"
	"github.com/sonla-data/kho/warehouse/marts"
)

// The page cache's readers: two dashboard tokens without the PII grant, one
// with it, and an analyst.
const (
	maskedToken  = "tk_cache_masked_1"
	masked2Token = "tk_cache_masked_2"
	piiToken     = "tk_cache_pii"
	analystToken = "tk_cache_analyst"
)

var cacheTokens = func() tokens {
	ts := tokens{}
	add := func(secret string, p auth.Principal) {
		ts[sha256.Sum256([]byte(secret))] = site.Principal{Name: p.Name, Role: string(p.Role), Auth: p}
	}
	add(maskedToken, auth.Principal{TokenID: "tk1", Name: "lanh-dao-1", Role: auth.Dashboard})
	add(masked2Token, auth.Principal{TokenID: "tk2", Name: "lanh-dao-2", Role: auth.Dashboard})
	add(piiToken, auth.Principal{TokenID: "tk3", Name: "lanh-dao-pii", Role: auth.Dashboard, PII: true})
	add(analystToken, auth.Principal{TokenID: "tk4", Name: "phan-tich", Role: auth.Analyst})
	return ts
}()

// cacheIndexMart is an "index" mart whose bars are labelled by a column
// named like a PII column of what it reads (health.visits' citizen_id), so
// masked as it: the dashboard shows a reader with the PII grant the
// citizens' ids and one without it the token's own keyed pseudonyms. times
// scales its figures (a new build of it is a new snapshot with other
// figures).
func cacheIndexMart(t *testing.T, times int) *marts.Mart {
	t.Helper()
	m, err := marts.Parse("marts/test_cache_index.sql", fmt.Sprintf(`-- mart: test_cache_index
-- label: Chỉ số thử bộ nhớ đệm
-- label_en: Cache test index
-- key: citizen_id
-- figure: visit_index = sum
-- column: visit_index = Chỉ số lượt khám | Visit index
SELECT citizen_id, CAST(count(*) * %d AS DOUBLE) AS visit_index FROM health.visits WHERE citizen_id IS NOT NULL
GROUP BY 1 ORDER BY 1 LIMIT 40`, times))
	require.NoError(t, err)
	return m
}

// cachedPages serves the pages over an engine of their own (cache bound
// cacheBytes, 0: the default) and an audit log of their own, with the test
// index mart first among the marts (the dashboard's index panel).
func cachedPages(t *testing.T, cacheBytes int64) (*httptest.Server, *engine.Engine, *audit.Log) {
	t.Helper()
	ctx := t.Context()
	idx := cacheIndexMart(t, 1)
	_, err := (&marts.Builder{Lake: env.wh.Lake, Engine: env.wh.Engine, Marts: []*marts.Mart{idx}, RunID: "test-cache"}).Build(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = env.wh.Lake.Drop(t.Context(), "marts.test_cache_index") })
	log, err := audit.Open(ctx, filepath.Join(t.TempDir(), "audit.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { log.Close() })
	all := append([]*marts.Mart{idx}, env.wh.Marts...)
	e, err := env.wh.Serve(ctx, log, nil, all, engine.Options{TempDir: t.TempDir(), MaterializeRows: -1, CacheBytes: cacheBytes})
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	deps := env.wh.DepsOn(e, cacheTokens)
	deps.Marts = all
	srv := httptest.NewServer(pages.New(deps, pages.Options{}))
	t.Cleanup(srv.Close)
	return srv, e, log
}

// dashboardAs fetches a dashboard path as the token's reader.
func dashboardAs(t *testing.T, srv *httptest.Server, token, path string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %.300s", path, b)
	return string(b)
}

// indexFigures are the test index's bars: patient label → exact value.
func cacheIndexFigures(t *testing.T, page string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for id, v := range pageFigures(t, page, "dashboard") {
		if label, ok := strings.CutPrefix(id, "index."); ok && id != "index.agencies" {
			out[label] = v
		}
	}
	return out
}

// rawIndex is the test index as the lake holds it (the tests' own unmasked
// engine): citizen id → visits × times.
func rawIndex(t *testing.T) map[string]string {
	t.Helper()
	rows, err := env.wh.Engine.DB().QueryContext(t.Context(), `SELECT citizen_id, CAST(visit_index AS BIGINT) FROM marts.test_cache_index`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name string
		var n int64
		require.NoError(t, rows.Scan(&name, &n))
		out[name] = fmt.Sprint(n)
	}
	require.NoError(t, rows.Err())
	return out
}

// TestDashboardPageCache: the second request for the same dashboard is
// answered from the page cache (a hit on the engine's counters, no new
// drawing) with the same figures, and every statement the panels were drawn
// from is still audited for that reader; a new snapshot of a mart, once
// served, changes the figures shown; other filters and another language are
// other entries.
func TestDashboardPageCache(t *testing.T) {
	srv, e, log := cachedPages(t, 0)
	raw := rawIndex(t)
	require.NotEmpty(t, raw)
	lt := site.LakeTables{Lake: env.wh.Lake}
	built, err := lt.Table(t.Context(), "marts.test_cache_index")
	require.NoError(t, err)
	require.True(t, built.Exists)
	again, err := lt.Table(t.Context(), "marts.test_cache_index")
	require.NoError(t, err)
	assert.Equal(t, built, again, "the lake's view of a table, read again")

	first := dashboardAs(t, srv, piiToken, "/")
	s1 := e.CacheStats().Page
	assert.Equal(t, int64(1), s1.Misses, "the first request draws the panels")
	assert.Equal(t, int64(1), s1.Stores, "and keeps them")
	assert.Zero(t, s1.Hits)
	require.NoError(t, log.Flush(t.Context()))
	var drawn []audit.Entry
	drawn, err = log.Entries(t.Context(), audit.Filter{Limit: 10000})
	require.NoError(t, err)
	require.NotEmpty(t, drawn)

	second := dashboardAs(t, srv, piiToken, "/")
	s2 := e.CacheStats().Page
	assert.Equal(t, s1.Hits+1, s2.Hits, "the second request is answered from the page cache")
	assert.Equal(t, s1.Misses, s2.Misses)
	assert.Equal(t, pageFigures(t, first, "first"), pageFigures(t, second, "second"), "the same figures, drawn or kept")
	assert.Equal(t, raw, cacheIndexFigures(t, second), "the PII reader's index shows the ids and values of the lake")

	// Audited as run: one entry per statement the panels were drawn from,
	// for this reader, from this client.
	require.NoError(t, log.Flush(t.Context()))
	all, err := log.Entries(t.Context(), audit.Filter{Limit: 10000})
	require.NoError(t, err)
	replayed := all[:0:0]
	for _, en := range all {
		if strings.HasPrefix(en.Reason, "page_cache") {
			replayed = append(replayed, en)
		}
	}
	assert.Len(t, replayed, len(drawn), "each statement of the drawing audited again for the kept page")
	sqls := map[string]int{}
	for _, en := range drawn {
		sqls[en.SQL]++
	}
	for _, en := range replayed {
		sqls[en.SQL]--
		assert.Equal(t, "tk3", en.TokenID)
		assert.Equal(t, "lanh-dao-pii", en.Name)
		assert.Equal(t, audit.OK, en.Outcome)
		assert.Equal(t, "page", en.Action)
		assert.True(t, strings.HasPrefix(en.Remote, "127.0.0.1:"), en.Remote)
	}
	for q, n := range sqls {
		assert.Zero(t, n, "statement audited %d times more when drawn than when kept: %s", n, q)
	}

	// Other filters, another language: drawn, not another page's.
	kpi := dashboardAs(t, srv, piiToken, "/?kpi=on_time")
	en := dashboardAs(t, srv, piiToken, "/?lang=en")
	s3 := e.CacheStats().Page
	assert.Equal(t, s2.Misses+2, s3.Misses)
	assert.NotEqual(t, pageFigures(t, first, "vi"), pageFigures(t, kpi, "ontime"))
	assert.Contains(t, en, `<html lang="en">`)
	assert.Contains(t, first, `<html lang="vi">`)

	// A new snapshot of the mart: the page follows the snapshot served.
	_, err = (&marts.Builder{Lake: env.wh.Lake, Engine: env.wh.Engine, Marts: []*marts.Mart{cacheIndexMart(t, 3)}, RunID: "test-cache-2"}).Build(t.Context())
	require.NoError(t, err)
	require.NoError(t, env.wh.Engine.Refresh(t.Context()))
	tripled := rawIndex(t)
	for name, v := range raw {
		var n int64
		fmt.Sscan(v, &n)
		require.Equal(t, fmt.Sprint(3*n), tripled[name])
	}
	rebuilt, err := lt.Table(t.Context(), "marts.test_cache_index")
	require.NoError(t, err)
	tbl, err := env.wh.Lake.Load(t.Context(), "marts.test_cache_index")
	require.NoError(t, err)
	assert.Equal(t, tbl.CurrentSnapshot().SnapshotID, rebuilt.Snapshot, "the lake's view follows the new commit")
	loc, err := env.wh.Lake.MetadataLocation(t.Context(), "marts.test_cache_index")
	require.NoError(t, err)
	assert.Equal(t, tbl.MetadataLocation(), loc, "the catalog's pointer, which LakeTables keys by")
	loc, err = env.wh.Lake.MetadataLocation(t.Context(), "marts.no_such_mart")
	require.NoError(t, err)
	assert.Empty(t, loc)
	assert.NotEqual(t, built.Snapshot, rebuilt.Snapshot)
	require.NoError(t, e.Refresh(t.Context()))
	assert.Zero(t, e.CacheStats().Page.Entries, "serving a new snapshot drops the kept pages")
	after := dashboardAs(t, srv, piiToken, "/")
	assert.Equal(t, tripled, cacheIndexFigures(t, after), "the new snapshot's figures")
	assert.Equal(t, s3.Misses+1, e.CacheStats().Page.Misses)
	kept := dashboardAs(t, srv, piiToken, "/")
	assert.Equal(t, tripled, cacheIndexFigures(t, kept), "kept again, with the new figures")
	assert.Equal(t, s3.Hits+1, e.CacheStats().Page.Hits)
}

// TestDashboardPageCacheReaders: readers whose masking differs never get
// each other's kept panels, in either order: a reader without the PII grant
// sees pseudonyms even right after the PII reader's page was kept, each
// token its own (two dashboard tokens of the same profile: two pages), and
// the PII reader the ids right after the masked readers'. Each reader asking
// again gets a hit with its own figures.
func TestDashboardPageCacheReaders(t *testing.T) {
	srv, e, _ := cachedPages(t, 0)
	raw := rawIndex(t)
	check := func(token string, pii bool, what string) map[string]string {
		t.Helper()
		got := cacheIndexFigures(t, dashboardAs(t, srv, token, "/"))
		require.Len(t, got, len(raw), what)
		for label := range got {
			_, real := raw[label]
			if pii {
				assert.True(t, real, "%s: %q is not an id of the lake", what, label)
			} else {
				assert.False(t, real, "%s: an id shown to a reader without the PII grant: %q", what, label)
			}
		}
		return got
	}
	for round := range 2 {
		before := e.CacheStats().Page
		p := check(piiToken, true, fmt.Sprintf("round %d, PII reader", round))
		m := check(maskedToken, false, fmt.Sprintf("round %d, masked reader", round))
		m2 := check(masked2Token, false, fmt.Sprintf("round %d, second masked reader", round))
		a := check(analystToken, false, fmt.Sprintf("round %d, analyst", round))
		assert.Equal(t, raw, p)
		assert.NotEqual(t, m, m2, "two tokens, two sets of pseudonyms")
		assert.NotEqual(t, m, a)
		after := e.CacheStats().Page
		if round == 0 {
			assert.Equal(t, before.Misses+4, after.Misses, "four readers, four pages")
		} else {
			assert.Equal(t, before.Misses, after.Misses, "round 1: every reader's own page was kept")
			assert.Equal(t, before.Hits+4, after.Hits)
		}
	}
	// Reversed: the masked reader's page is kept first.
	require.NoError(t, e.Refresh(t.Context()))
	check(maskedToken, false, "reversed, masked reader")
	check(piiToken, true, "reversed, PII reader")
}

// TestDashboardPageCacheBound: under a small serve.cache_bytes the kept
// pages and answers stay within the bound, the least recently used are
// evicted, and a page asked again after its eviction is drawn again with
// the same figures.
func TestDashboardPageCacheBound(t *testing.T) {
	// How much one kept dashboard takes.
	srv, e, _ := cachedPages(t, 0)
	first := dashboardAs(t, srv, piiToken, "/")
	one := e.CacheStats().Page.Bytes
	require.Positive(t, one)
	t.Logf("a kept dashboard: %d bytes", one)
	srv.Close()

	bound := 10 * one // room for a few pages beside the answers (an entry is at most an eighth)
	srv, e, _ = cachedPages(t, bound)
	paths := []string{"/"}
	for _, k := range []string{"on_time", "online", "digitised"} {
		for _, order := range []string{"", "&order=worst"} {
			for _, lang := range []string{"", "&lang=en"} {
				paths = append(paths, "/?kpi="+k+order+lang)
			}
		}
	}
	for _, p := range paths {
		dashboardAs(t, srv, piiToken, p)
		st := e.CacheStats()
		require.LessOrEqual(t, st.Bytes, st.MaxBytes, "after %s", p)
		require.Equal(t, bound, st.MaxBytes)
	}
	st := e.CacheStats()
	assert.Positive(t, st.Evictions, "%d pages cannot all be kept under %d bytes", len(paths), bound)
	assert.Less(t, st.Page.Entries, len(paths)-1)
	assert.Positive(t, st.Page.Entries)
	// "/" was asked again as ?kpi=digitised (the same filters): the least
	// recently used page is the second.
	again := dashboardAs(t, srv, piiToken, "/")
	assert.Equal(t, st.Page.Hits+1, e.CacheStats().Page.Hits, "the page asked again recently is kept")
	assert.Equal(t, pageFigures(t, first, "kept"), pageFigures(t, again, "kept, again"))
	before := e.CacheStats().Page
	dashboardAs(t, srv, piiToken, paths[1])
	assert.Equal(t, before.Misses+1, e.CacheStats().Page.Misses, "%s was evicted: drawn again", paths[1])
}

// TestDashboardPageCacheInBrowser: in Chromium, a reload of the signed-in
// dashboard is served from the page cache with the same cards and index
// bars; after a new snapshot of the index mart is served, a reload shows its
// figures.
func TestDashboardPageCacheInBrowser(t *testing.T) {
	srv, e, _ := cachedPages(t, 0)
	raw := rawIndex(t)
	b := newTab(t)
	b.do(chromedp.Navigate(srv.URL + "/"))
	require.True(t, strings.HasPrefix(b.path(), "/login"), b.path())
	b.do(chromedp.SendKeys(chromedp.ID("token"), piiToken))
	b.load(chromedp.Click(chromedp.ID("login-submit")))
	require.Equal(t, "/", b.path())
	bars := func() map[string]string {
		return js[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('#chart-test_cache_index [data-figure^="index."]')]
			.map(e => [e.dataset.figure.slice(6), e.dataset.value]))`)
	}
	shown, before := cards(b), e.CacheStats().Page
	assert.Equal(t, raw, bars())
	b.load(chromedp.Reload())
	assert.Equal(t, before.Hits+1, e.CacheStats().Page.Hits, "the reload is served from the page cache")
	assert.Equal(t, shown, cards(b))
	assert.Equal(t, raw, bars())

	_, err := (&marts.Builder{Lake: env.wh.Lake, Engine: env.wh.Engine, Marts: []*marts.Mart{cacheIndexMart(t, 3)}, RunID: "test-cache-browser"}).Build(t.Context())
	require.NoError(t, err)
	require.NoError(t, env.wh.Engine.Refresh(t.Context()))
	require.NoError(t, e.Refresh(t.Context()))
	b.load(chromedp.Reload())
	assert.Equal(t, rawIndex(t), bars(), "the new snapshot's figures")
	assert.NotEqual(t, raw, bars())
	assert.Equal(t, shown, cards(b), "the dossier marts did not change")
}
