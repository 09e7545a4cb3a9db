package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
	"github.com/sonla-data/kho/server/loadgen"
)

const (
	visitsRows   = 200_000
	martAgencies = 100 // about the province's agencies
	martMonths   = 24
	adhocSQL     = `SELECT residence_commune, date_trunc('month', visit_date) AS month, count(*) AS visits,
		avg(cost_vnd) AS avg_cost, count(DISTINCT clinic_id) AS clinics FROM health.visits GROUP BY ALL ORDER BY 1, 2`
)

// scaled is a harness over a lake of visits rows and a KPI mart of 100
// agencies over 24 months (the province's size).
func scaled(t testing.TB, visits int) (*harness, string) {
	t.Helper()
	h := newHarness(t, engine.Options{MaxConcurrent: 64})
	h.env.AddVisits(t, visits)
	h.env.AddMartMonths(t, martAgencies, martMonths)
	require.NoError(t, h.env.Engine.Refresh(context.Background()))
	return h, startPG(t, h)
}

func martURL(h *harness, i int) string {
	q := url.Values{"month": {fmt.Sprintf("2023-%02d", 1+i%12)}, "agency_code": {fmt.Sprintf("000.%05d.H56", 5000+i%martAgencies)}}
	return h.srv.URL + "/api/marts/dossier_kpi_monthly?" + q.Encode()
}

// TestLoad64Clients sends 1024 requests from 64 concurrent clients on
// loopback, mixing mart requests, ad-hoc aggregates over 50k visits, dataset
// listings (HTTP) and queries over the wire protocol; none may fail. (Its
// latencies are those of 64 clients on the test machine's cores; the
// benchmarks measure one client.)
func TestLoad64Clients(t *testing.T) {
	if testing.Short() {
		t.Skip("the load test is skipped with -short")
	}
	h, pgAddr := scaled(t, 50_000)
	const clients = 64
	conns := make([]*pgx.Conn, clients)
	for i := range conns {
		c, err := pgx.Connect(t.Context(), fmt.Sprintf("postgres://load:%s@%s/kho?sslmode=disable", h.env.Secrets[testenv.Dashboard], pgAddr))
		require.NoError(t, err)
		defer c.Close(context.Background())
		conns[i] = c
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	dash, analyst := h.env.Secrets[testenv.Dashboard], h.env.Secrets[testenv.AnalystGrant]
	list := loadgen.HTTP(client, "GET", h.srv.URL+"/api/datasets", analyst, "", "")
	adhoc := loadgen.HTTP(client, "POST", h.srv.URL+"/api/query", analyst, "application/sql", adhocSQL)
	stats := loadgen.Run(t.Context(), loadgen.Config{Concurrency: clients, Requests: 16 * clients, Timeout: time.Minute},
		func(ctx context.Context, w, i int) error {
			switch i % 4 {
			case 0:
				return loadgen.HTTP(client, "GET", martURL(h, i), dash, "", "")(ctx, w, i)
			case 1:
				return adhoc(ctx, w, i)
			case 2:
				return list(ctx, w, i)
			}
			var n int64
			return conns[w].QueryRow(ctx, "SELECT sum(received) FROM marts.dossier_kpi_monthly WHERE month = $1",
				time.Date(2023, time.Month(1+i%12), 1, 0, 0, 0, 0, time.UTC)).Scan(&n)
		})
	t.Logf("64 clients, mixed: %s", stats)
	require.Zero(t, stats.Errors, "first error: %v", stats.FirstError)
	require.Equal(t, 16*clients, stats.Requests)
}

// The benchmarks report the latency of one client (p50, p95 in µs) over the
// scaled lake: go test -run '^$' -bench . ./server/
func BenchmarkMartRequest(b *testing.B) {
	h, _ := scaled(b, visitsRows)
	client := &http.Client{}
	dash := h.env.Secrets[testenv.Dashboard]
	benchLoad(b, func(ctx context.Context, w, i int) error {
		return loadgen.HTTP(client, "GET", martURL(h, i), dash, "", "")(ctx, w, i)
	})
}

func BenchmarkAdhocAggregate(b *testing.B) {
	h, _ := scaled(b, visitsRows)
	benchLoad(b, loadgen.HTTP(&http.Client{}, "POST", h.srv.URL+"/api/query", h.env.Secrets[testenv.AnalystGrant], "application/sql", adhocSQL))
}

func BenchmarkPgwireMart(b *testing.B) {
	h, pgAddr := scaled(b, visitsRows)
	c, err := pgx.Connect(context.Background(), fmt.Sprintf("postgres://b:%s@%s/kho?sslmode=disable", h.env.Secrets[testenv.Dashboard], pgAddr))
	require.NoError(b, err)
	defer c.Close(context.Background())
	benchLoad(b, func(ctx context.Context, _, i int) error {
		rows, err := c.Query(ctx, "SELECT * FROM marts.dossier_kpi_monthly WHERE month = $1 AND agency_code = $2",
			time.Date(2023, time.Month(1+i%12), 1, 0, 0, 0, 0, time.UTC), fmt.Sprintf("000.%05d.H56", 5000+i%martAgencies))
		if err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	})
}

func benchLoad(b *testing.B, req loadgen.Request) {
	b.Helper()
	require.NoError(b, req(context.Background(), 0, 0)) // warm up
	b.ResetTimer()
	st := loadgen.Run(context.Background(), loadgen.Config{Concurrency: 1, Requests: b.N}, req)
	b.StopTimer()
	require.Zero(b, st.Errors, "first error: %v", st.FirstError)
	b.ReportMetric(float64(st.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(st.P95.Microseconds()), "p95-µs")
}
