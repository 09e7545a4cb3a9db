package pages_test

import (
	"io"
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

// TestSummaryJudgesAsTheDashboard: the judgement kho summary prints
// (dashboard.Summarize) has the period, counts and verdicts of the
// dashboard's cards: by default the year to date of the latest month (the
// plan's targets are yearly; kho summary judged the latest month alone
// while the cards judged the last twelve, and neither said which), and one
// month when it is chosen.
func TestSummaryJudgesAsTheDashboard(t *testing.T) {
	var last time.Time
	require.NoError(t, env.wh.Engine.DB().QueryRowContext(t.Context(), `SELECT max(month) FROM marts.dossier_kpi_province_monthly`).Scan(&last))
	m := last.Format("2006-01")
	for _, c := range []struct {
		name, query, period string
		from                time.Time
	}{
		{"year to date", "/", "năm " + strconv.Itoa(last.Year()) + ", đến hết tháng " + strconv.Itoa(int(last.Month())), time.Time{}},
		{"one month", "/?from=" + m + "&to=" + m, "tháng " + last.Format("01/2006"), last},
	} {
		resp := get(t, c.query, "Authorization", "Bearer "+leaderToken)
		require.Equal(t, 200, resp.StatusCode)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		page := string(b)
		shown := map[string]string{}
		for _, x := range regexp.MustCompile(`data-figure="card\.([a-z_]+)(\.verdict)?" data-value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
			shown[x[1]+x[2]] = x[3]
		}
		s, err := dashboard.Summarize(t.Context(), env.wh.Engine.Rows, c.from, c.from)
		require.NoError(t, err)
		require.Len(t, s.Verdicts, 4)
		for _, v := range s.Verdicts {
			assert.Equal(t, strconv.FormatFloat(v.Num, 'g', -1, 64)+"/"+strconv.FormatFloat(v.Den, 'g', -1, 64), shown[v.Key], "%s: %s", c.name, v.Key)
			assert.Equal(t, map[bool]string{true: "met", false: "not_met"}[v.Met], shown[v.Key+".verdict"], "%s: %s", c.name, v.Key)
		}
		assert.Equal(t, c.period, dashboard.PeriodLabel(site.VI, s.From, s.To), c.name)
		assert.True(t, strings.Contains(page, `<span id="period">`+c.period+`</span>`), "%s: the page names its period %q", c.name, c.period)
	}
}
