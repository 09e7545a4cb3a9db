package server_test

import (
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/server"
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
