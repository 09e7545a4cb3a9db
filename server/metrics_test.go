package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
)

func TestPipelineMetrics(t *testing.T) {
	h, err := pipelines.OpenHistory(t.Context(), filepath.Join(t.TempDir(), "runs.db"))
	require.NoError(t, err)
	defer h.Close()
	start := time.Date(2025, 7, 1, 2, 0, 0, 0, time.UTC)
	require.NoError(t, h.Save(t.Context(), pipelines.Run{ID: "r1", Pipeline: "health_visits", Dataset: "health.visits", TriggeredBy: "schedule",
		Started: start, Finished: start.Add(90 * time.Second), Status: pipelines.StatusOK, Read: 1000, Written: 985, Quarantined: 15}))
	require.NoError(t, h.Save(t.Context(), pipelines.Run{ID: "r2", Pipeline: "labour_jobs", Dataset: "labour.job_reports", TriggeredBy: "cli",
		Started: start, Status: pipelines.StatusFailed, Error: "boom"}))
	m := server.NewMetrics(h)
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(m.Registry(), promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`kho_pipeline_last_run_status{dataset="health.visits",pipeline="health_visits",status="ok"} 1`,
		`kho_pipeline_last_run_status{dataset="labour.job_reports",pipeline="labour_jobs",status="failed"} 1`,
		`kho_pipeline_last_run_duration_seconds{pipeline="health_visits"} 90`,
		`kho_pipeline_last_run_rows{kind="quarantined",pipeline="health_visits"} 15`,
		`kho_pipeline_last_run_timestamp_seconds{pipeline="health_visits"} 1.7513352e+09`,
	} {
		assert.Contains(t, body, want)
	}
}

// TestMetricsNeedEngineerOrAdmin: /metrics names every table, its rows and
// the pipelines' states, so it answers engineer and admin tokens only; the
// anonymous health and readiness probes name nothing (issue 12, item 6).
func TestMetricsNeedEngineerOrAdmin(t *testing.T) {
	h := newHarness(t, engine.Options{})
	for _, tc := range []struct {
		who  string
		want int
	}{
		{"", http.StatusUnauthorized},
		{testenv.Public, http.StatusForbidden},
		{testenv.Dashboard, http.StatusForbidden},
		{testenv.Analyst, http.StatusForbidden},
		{testenv.AnalystPII, http.StatusForbidden},
		{testenv.Engineer, http.StatusOK},
		{testenv.Admin, http.StatusOK},
	} {
		t.Run("as "+tc.who, func(t *testing.T) {
			r := h.do(t, "GET", "/metrics", tc.who, nil)
			body := string(readAll(t, r))
			assert.Equal(t, tc.want, r.StatusCode)
			if tc.want != http.StatusOK {
				assert.NotContains(t, body, "health.visits")
				assert.NotContains(t, body, "kho_table_rows")
				return
			}
			assert.Contains(t, body, `kho_table_rows{kind="dataset",table="health.visits"} 4`)
		})
	}
	bad := h.do(t, "GET", "/metrics", "", nil, "Authorization", "Bearer kho_not-a-token")
	assert.Equal(t, http.StatusUnauthorized, bad.StatusCode)
	assert.NotContains(t, string(readAll(t, bad)), "health.visits")
	for _, path := range []string{"/healthz", "/readyz"} {
		r := h.do(t, "GET", path, "", nil)
		body := string(readAll(t, r))
		assert.Equal(t, http.StatusOK, r.StatusCode, path)
		for _, o := range h.env.Engine.All() {
			assert.NotContains(t, body, o.Name, path)
		}
		assert.NotContains(t, body, "health", path)
		assert.Less(t, len(body), 40, path)
	}

	// A separate metrics address (serve.metrics_addr) serves the scrape
	// without a token; it is for a network that only Prometheus reaches.
	s := server.New(server.Deps{Engine: h.env.Engine, Tokens: h.env.Tokens})
	ms := httptest.NewServer(s.MetricsHandler())
	t.Cleanup(ms.Close)
	r, err := http.Get(ms.URL + "/metrics")
	require.NoError(t, err)
	defer r.Body.Close()
	body, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, r.StatusCode)
	assert.Contains(t, string(body), `kho_table_rows{kind="dataset",table="health.visits"} 4`)
}

// TestResultCacheMetrics: a mart asked twice is one miss then one hit on
// /metrics, with the bytes the answer holds and the bound.
func TestResultCacheMetrics(t *testing.T) {
	h := newHarness(t, engine.Options{CacheBytes: 1 << 20})
	for range 2 {
		r := h.do(t, "GET", "/api/marts/dossier_kpi_monthly", testenv.Dashboard, nil)
		readAll(t, r)
		require.Equal(t, http.StatusOK, r.StatusCode)
	}
	st := h.env.Engine.CacheStats()
	require.EqualValues(t, 1, st.Hits)
	require.EqualValues(t, 1, st.Misses)
	require.Positive(t, st.Bytes)
	r := h.do(t, "GET", "/metrics", testenv.Engineer, nil)
	body := string(readAll(t, r))
	for _, line := range []string{
		"kho_result_cache_hits_total 1",
		"kho_result_cache_misses_total 1",
		"kho_result_cache_evictions_total 0",
		"kho_result_cache_entries 1",
		fmt.Sprintf("kho_result_cache_bytes %d", st.Bytes),
		"kho_result_cache_max_bytes 1.048576e+06",
	} {
		assert.Contains(t, body, line+"\n")
	}
}

// TestPageCacheMetrics: the page cache's counters (the dashboard's kept
// panels, engine memos) are on /metrics beside the result cache's, and a
// memo's bytes count in the one bound.
func TestPageCacheMetrics(t *testing.T) {
	h := newHarness(t, engine.Options{CacheBytes: 1 << 20})
	p := auth.Principal{TokenID: "tk_dash", Name: "dash", Role: auth.Dashboard}
	s, ok := h.env.Engine.PageScope(p)
	require.True(t, ok)
	_, ok = h.env.Engine.Memo(s.Key + "dashboard")
	require.False(t, ok)
	h.env.Engine.KeepMemo(s, s.Key+"dashboard", "panels", 1000)
	_, ok = h.env.Engine.Memo(s.Key + "dashboard")
	require.True(t, ok)
	st := h.env.Engine.CacheStats()
	require.Equal(t, 1, st.Page.Entries)
	r := h.do(t, "GET", "/metrics", testenv.Engineer, nil)
	body := string(readAll(t, r))
	for _, line := range []string{
		"kho_page_cache_hits_total 1",
		"kho_page_cache_misses_total 1",
		"kho_page_cache_entries 1",
		fmt.Sprintf("kho_page_cache_bytes %d", st.Page.Bytes),
		fmt.Sprintf("kho_result_cache_bytes %d", st.Bytes),
		"kho_result_cache_entries 1",
	} {
		assert.Contains(t, body, line+"\n")
	}
}
