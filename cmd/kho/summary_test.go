package main

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/server/pages/dashboard"
	"github.com/sonla-data/kho/server/pages/site"
)

var summaryLine = regexp.MustCompile(`\(([0-9.]+)/([0-9.]+)\)\s+chỉ tiêu/target\s+[0-9.]+%\s+(ĐẠT/met|CHƯA ĐẠT/not met)`)

// summaryVerdicts reads kho summary's indicator lines (digitised, reuse, on
// time, online) as "n/d met|not_met", and the period it names.
func summaryVerdicts(t *testing.T, out string) (string, []string) {
	t.Helper()
	var got []string
	for _, m := range summaryLine.FindAllStringSubmatch(out, -1) {
		got = append(got, m[1]+"/"+m[2]+" "+map[bool]string{true: "met", false: "not_met"}[m[3] == "ĐẠT/met"])
	}
	require.Len(t, got, 4, out)
	period := regexp.MustCompile(`Hồ sơ TTHC (.+?) / dossiers of`).FindStringSubmatch(out)
	require.NotNil(t, period, out)
	return period[1], got
}

// checkSummaryMatchesDashboard: kho summary judges by default the year to
// date of the latest month and one month when chosen, names the period as
// the dashboard does, and prints the counts and verdicts of the dashboard's
// own judgement (dashboard.Summarize, which the dashboard's cards use:
// server/pages TestSummaryJudgesAsTheDashboard).
func checkSummaryMatchesDashboard(t *testing.T, a *app, config string) {
	var last time.Time
	require.NoError(t, a.engine.DB().QueryRowContext(t.Context(), `SELECT max(month) FROM marts.dossier_kpi_province_monthly`).Scan(&last))
	month := last.Format("2006-01")
	for _, c := range []struct {
		name, period string
		from         time.Time
		args         []string
	}{
		{"year to date", "năm " + strconv.Itoa(last.Year()) + ", đến hết tháng " + strconv.Itoa(int(last.Month())), time.Time{}, nil},
		{"one month", "tháng " + last.Format("01/2006"), last, []string{"--month", month}},
	} {
		period, got := summaryVerdicts(t, kho(t, append([]string{"--config", config, "summary"}, c.args...)...))
		s, err := dashboard.Summarize(t.Context(), a.engine.Rows, c.from, c.from)
		require.NoError(t, err)
		var want []string
		for _, v := range s.Verdicts {
			want = append(want, strconv.FormatFloat(v.Num, 'f', -1, 64)+"/"+strconv.FormatFloat(v.Den, 'f', -1, 64)+" "+map[bool]string{true: "met", false: "not_met"}[v.Met])
		}
		assert.Equal(t, c.period, period, "%s: kho summary's period", c.name)
		assert.Equal(t, dashboard.PeriodLabel(site.VI, s.From, s.To), period, "%s: the dashboard's name of the period", c.name)
		assert.Equal(t, want, got, "%s: the dashboard's counts and verdicts", c.name)
	}
}
