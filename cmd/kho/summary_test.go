package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/server/pages/dashboard"
	"github.com/sonla-data/kho/server/pages/site"
)

// verdicts are the four indicators' counts and verdicts: key -> "n/d met".
type verdicts map[string]string

var summaryLine = regexp.MustCompile(`\(([0-9.]+)/([0-9.]+)\)\s+chỉ tiêu/target\s+[0-9.]+%\s+(ĐẠT/met|CHƯA ĐẠT/not met)`)

// summaryVerdicts reads kho summary's indicator lines, in the dashboard's
// order (digitised, reuse, on time, online), and the period it names.
func summaryVerdicts(t *testing.T, out string) (string, verdicts) {
	t.Helper()
	got := verdicts{}
	keys := []string{"digitised", "reuse", "on_time", "online"}
	ms := summaryLine.FindAllStringSubmatch(out, -1)
	require.Len(t, ms, len(keys), out)
	for i, m := range ms {
		got[keys[i]] = m[1] + "/" + m[2] + " " + map[bool]string{true: "met", false: "not_met"}[m[3] == "ĐẠT/met"]
	}
	period := regexp.MustCompile(`Hồ sơ TTHC (.+?) / dossiers of`).FindStringSubmatch(out)
	require.NotNil(t, period, out)
	return period[1], got
}

// dashboardVerdicts renders the dashboard over the app's lake and reads its
// cards' figures (data-figure card.<kpi> and card.<kpi>.verdict) and period.
func dashboardVerdicts(t *testing.T, a *app, query string) (string, verdicts) {
	t.Helper()
	deps := &site.Deps{Query: a.engine.DB(), Arrow: a.engine, History: a.history, Tables: site.LakeTables{Lake: a.lake},
		Schemas: a.schemas, Pipelines: a.pipelines, Marts: a.marts}
	rec := httptest.NewRecorder()
	dashboard.New(deps).ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/"+query, nil))
	require.Equal(t, 200, rec.Code)
	page := rec.Body.String()
	got := verdicts{}
	for _, m := range regexp.MustCompile(`data-figure="card\.([a-z_]+)" data-value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		got[m[1]] = m[2]
	}
	for _, m := range regexp.MustCompile(`data-figure="card\.([a-z_]+)\.verdict" data-value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		got[m[1]] += " " + m[2]
	}
	period := regexp.MustCompile(`<span id="period">([^<]*)</span>`).FindStringSubmatch(page)
	require.NotNil(t, period)
	return period[1], got
}

// checkSummaryMatchesDashboard: kho summary and the dashboard judge the
// same period by default (the year to date) and say so in the same words,
// with the same counts and verdicts; and so for one month when chosen.
func checkSummaryMatchesDashboard(t *testing.T, a *app, config string) {
	var last time.Time
	require.NoError(t, a.engine.DB().QueryRowContext(t.Context(), `SELECT max(month) FROM marts.dossier_kpi_province_monthly`).Scan(&last))
	ytd := "năm " + strconv.Itoa(last.Year()) + ", đến hết tháng " + strconv.Itoa(int(last.Month()))
	month := last.Format("2006-01")
	for _, c := range []struct {
		name, query, period string
		args                []string
	}{
		{"year to date", "", ytd, nil},
		{"one month", "?from=" + month + "&to=" + month, "tháng " + last.Format("01/2006"), []string{"--month", month}},
	} {
		sp, sv := summaryVerdicts(t, kho(t, append([]string{"--config", config, "summary"}, c.args...)...))
		dp, dv := dashboardVerdicts(t, a, c.query)
		assert.Equal(t, c.period, sp, "%s: kho summary's period", c.name)
		assert.Equal(t, c.period, strings.TrimSpace(dp), "%s: the dashboard's period", c.name)
		assert.Equal(t, dv, sv, "%s: the same counts and verdicts", c.name)
	}
}
