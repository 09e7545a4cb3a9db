package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/server"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
	"github.com/sonla-data/kho/server/internal/testlake"
)

type harness struct {
	env *testenv.Env
	srv *httptest.Server
}

func newHarness(t testing.TB, opt engine.Options) *harness {
	t.Helper()
	m := server.NewMetrics(nil)
	env := testenv.New(t, opt, m.Observe)
	s := server.New(server.Deps{Engine: env.Engine, Tokens: env.Tokens, Metrics: m})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &harness{env: env, srv: srv}
}

// do sends a request as the token named who ("" for none).
func (h *harness) do(t *testing.T, method, path, who string, body io.Reader, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, h.srv.URL+path, body)
	require.NoError(t, err)
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+h.env.Secrets[who])
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (h *harness) query(t *testing.T, who, sql, format string) *http.Response {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"sql": sql, "format": format})
	return h.do(t, "POST", "/api/query", who, bytes.NewReader(b), "Content-Type", "application/json")
}

func readAll(t *testing.T, r *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return b
}

func problem(t *testing.T, r *http.Response) map[string]string {
	t.Helper()
	var p map[string]map[string]string
	require.NoError(t, json.Unmarshal(readAll(t, r), &p))
	return p["error"]
}

const visitsSQL = "SELECT visit_id, patient_name, citizen_id, phone, cost_vnd, visit_date FROM health.visits ORDER BY visit_id"

func TestQueryFormats(t *testing.T) {
	h := newHarness(t, engine.Options{})
	cases := []struct {
		name, who   string
		cccd        *regexp.Regexp
		patientName string
	}{
		{"masked", testenv.AnalystGrant, testlake.CCCDMasked, testlake.NameMasked},
		{"pii grant", testenv.AnalystPII, regexp.MustCompile("^" + testlake.CCCD + "$"), testlake.Name},
	}
	for _, tc := range cases {
		t.Run(tc.name+" json", func(t *testing.T) {
			r := h.query(t, tc.who, visitsSQL, "json")
			require.Equal(t, http.StatusOK, r.StatusCode)
			assert.Equal(t, "application/json; charset=utf-8", r.Header.Get("Content-Type"))
			var rows []map[string]any
			require.NoError(t, json.Unmarshal(readAll(t, r), &rows))
			require.Len(t, rows, 4)
			assert.Regexp(t, tc.cccd, rows[0]["citizen_id"])
			assert.Equal(t, tc.patientName, rows[0]["patient_name"])
			assert.Equal(t, 150000.0, rows[0]["cost_vnd"])
			assert.Equal(t, "2025-03-02", rows[0]["visit_date"])
			assert.Equal(t, "4", r.Trailer.Get("X-Kho-Rows"))
			assert.Equal(t, "false", r.Trailer.Get("X-Kho-Truncated"))
		})
		t.Run(tc.name+" csv", func(t *testing.T) {
			r := h.do(t, "POST", "/api/query?format=csv&bom=1", tc.who, strings.NewReader(visitsSQL), "Content-Type", "application/sql")
			require.Equal(t, http.StatusOK, r.StatusCode)
			body := readAll(t, r)
			require.True(t, bytes.HasPrefix(body, []byte("\uFEFF")), "BOM")
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
			require.NoError(t, err)
			require.Len(t, recs, 5)
			assert.Equal(t, []string{"visit_id", "patient_name", "citizen_id", "phone", "cost_vnd", "visit_date"}, recs[0])
			assert.Equal(t, []string{"LK1", tc.patientName}, recs[1][:2])
			assert.Regexp(t, tc.cccd, recs[1][2])
			assert.Equal(t, []string{"LK4", "", "", ""}, recs[4][:4], "NULL is empty")
		})
		t.Run(tc.name+" arrow", func(t *testing.T) {
			r := h.query(t, tc.who, visitsSQL, "arrow")
			require.Equal(t, http.StatusOK, r.StatusCode)
			assert.Equal(t, "application/vnd.apache.arrow.stream", r.Header.Get("Content-Type"))
			rdr, err := ipc.NewReader(r.Body, ipc.WithAllocator(memory.NewGoAllocator()))
			require.NoError(t, err)
			defer rdr.Release()
			var ids []string
			for rdr.Next() {
				rec := rdr.RecordBatch()
				col := rec.Column(2)
				for i := 0; i < col.Len(); i++ {
					ids = append(ids, col.ValueStr(i))
				}
			}
			require.NoError(t, rdr.Err())
			assert.Regexp(t, tc.cccd, ids[0])
			assert.Len(t, ids, 4)
		})
		t.Run(tc.name+" parquet", func(t *testing.T) {
			r := h.do(t, "POST", "/api/query", tc.who, strings.NewReader(visitsSQL), "Accept", "application/vnd.apache.parquet")
			require.Equal(t, http.StatusOK, r.StatusCode)
			body := readAll(t, r)
			pf, err := file.NewParquetReader(bytes.NewReader(body))
			require.NoError(t, err)
			defer pf.Close()
			fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.NewGoAllocator())
			require.NoError(t, err)
			tbl, err := fr.ReadTable(t.Context())
			require.NoError(t, err)
			defer tbl.Release()
			assert.EqualValues(t, 4, tbl.NumRows())
			tr := array.NewTableReader(tbl, 10)
			defer tr.Release()
			require.True(t, tr.Next())
			assert.Regexp(t, tc.cccd, tr.RecordBatch().Column(2).ValueStr(0))
			assert.Equal(t, tc.patientName, tr.RecordBatch().Column(1).ValueStr(0))
		})
	}
}

// TestRoles checks what every role reads through every endpoint.
func TestRoles(t *testing.T) {
	h := newHarness(t, engine.Options{})
	type want struct {
		datasets   []string
		visits     int // status of SELECT on health.visits
		mart       int // status of GET /api/marts/dossier_kpi_monthly
		wageDetail int // status of GET /api/datasets/labour.wage_reports
		download   int // status of the download of health.clinics
	}
	open := []string{"health.clinics"}
	withMart := []string{"health.clinics", "marts.dossier_kpi_monthly"}
	cases := map[string]want{
		testenv.Admin:        {withMart, 403, 200, 404, 200},
		testenv.Engineer:     {[]string{"health.clinics", "health.visits__quarantine", "marts.dossier_kpi_monthly"}, 403, 200, 404, 200},
		testenv.Analyst:      {[]string{"health.clinics", "labour.wage_reports", "marts.dossier_kpi_monthly"}, 403, 200, 200, 200},
		testenv.AnalystGrant: {[]string{"health.clinics", "health.visits", "marts.dossier_kpi_monthly"}, 200, 200, 404, 200},
		testenv.AnalystPII:   {[]string{"health.clinics", "health.visits", "marts.dossier_kpi_monthly"}, 200, 200, 404, 200},
		testenv.Dashboard:    {withMart, 403, 200, 404, 200},
		testenv.Public:       {open, 403, 404, 404, 200},
		"":                   {open, 401, 401, 404, 200},
	}
	for _, who := range testenv.Names() {
		w := cases[who]
		t.Run("token "+who, func(t *testing.T) {
			r := h.do(t, "GET", "/api/datasets", who, nil)
			require.Equal(t, http.StatusOK, r.StatusCode)
			var list struct {
				Datasets []struct{ Name string } `json:"datasets"`
			}
			require.NoError(t, json.Unmarshal(readAll(t, r), &list))
			var names []string
			for _, d := range list.Datasets {
				names = append(names, d.Name)
			}
			assert.Equal(t, w.datasets, names)
			assert.Equal(t, w.visits, h.query(t, who, "SELECT count(*) FROM health.visits", "json").StatusCode, "query")
			assert.Equal(t, w.mart, h.do(t, "GET", "/api/marts/dossier_kpi_monthly", who, nil).StatusCode, "mart")
			assert.Equal(t, w.wageDetail, h.do(t, "GET", "/api/datasets/labour.wage_reports", who, nil).StatusCode, "detail")
			assert.Equal(t, w.download, h.do(t, "GET", "/api/datasets/health.clinics/download", who, nil).StatusCode, "download")
		})
	}
}

func TestDatasetDetailAndDownload(t *testing.T) {
	h := newHarness(t, engine.Options{})
	r := h.do(t, "GET", "/api/datasets/health.visits", testenv.AnalystGrant, nil)
	require.Equal(t, http.StatusOK, r.StatusCode)
	var d struct {
		Name, Label, Classification, Owner string
		Rows                               int64
		Freshness                          *time.Time
		Masked                             bool
		Columns                            []struct {
			Name, Label, Type, PII string
			Masked                 bool
		}
	}
	require.NoError(t, json.Unmarshal(readAll(t, r), &d))
	assert.Equal(t, "Lượt khám chữa bệnh", d.Label)
	assert.Equal(t, "restricted", d.Classification)
	assert.Equal(t, testlake.HealthOwner, d.Owner)
	assert.EqualValues(t, 4, d.Rows)
	require.NotNil(t, d.Freshness)
	assert.WithinDuration(t, time.Now(), *d.Freshness, time.Minute)
	assert.True(t, d.Masked)
	cols := map[string]string{}
	for _, c := range d.Columns {
		cols[c.Name] = c.PII
		if c.Name == "citizen_id" {
			assert.True(t, c.Masked)
			assert.Equal(t, "Số CCCD", c.Label)
		}
	}
	assert.Equal(t, "cccd", cols["citizen_id"])
	assert.Equal(t, "", cols["visit_id"])

	r = h.do(t, "GET", "/api/datasets/health.visits/download?format=csv", testenv.AnalystGrant, nil)
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Contains(t, r.Header.Get("Content-Disposition"), `filename=health.visits.csv`)
	body := string(readAll(t, r))
	assert.Regexp(t, testlake.CCCDMaskedIn, body)
	assert.NotContains(t, body, testlake.CCCD)
	assert.Empty(t, r.Header.Get("X-Kho-Row-Limit"), "downloads have no row limit")
}

func TestMartFilters(t *testing.T) {
	h := newHarness(t, engine.Options{})
	get := func(t *testing.T, q string) (int, []map[string]any) {
		r := h.do(t, "GET", "/api/marts/dossier_kpi_monthly"+q, testenv.Dashboard, nil)
		body := readAll(t, r)
		var rows []map[string]any
		if r.StatusCode == http.StatusOK {
			require.NoError(t, json.Unmarshal(body, &rows), string(body))
		}
		return r.StatusCode, rows
	}
	cases := []struct {
		name, q string
		status  int
		n       int
		first   string
	}{
		{"all", "", 200, 4, "000.00.09.H56"},
		{"month shortcut", "?month=2025-03", 200, 2, "000.00.09.H56"},
		{"two values and a date", "?agency_code=000.04126.H56&agency_code=x&month=2025-04-01", 200, 1, "000.04126.H56"},
		{"order and limit", "?order=-received&limit=1", 200, 1, "000.00.09.H56"},
		{"injection attempt is a value", "?agency_code=x'%20OR%20'1'='1", 200, 0, ""},
		{"unknown column", "?citizen_id=1", 400, 0, ""},
		{"bad value", "?month=tháng-ba", 400, 0, ""},
		{"bad limit", "?limit=-1", 400, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, rows := get(t, tc.q)
			require.Equal(t, tc.status, status)
			assert.Len(t, rows, tc.n)
			if tc.first != "" {
				assert.Equal(t, tc.first, rows[0]["agency_code"])
			}
		})
	}
}

func TestErrors(t *testing.T) {
	h := newHarness(t, engine.Options{Timeout: 700 * time.Millisecond, MaxRows: 2})
	cases := []struct {
		name, who, sql string
		status         int
		code, contains string
	}{
		{"syntax", testenv.Dashboard, "SELEC 1", 400, "syntax", "syntax error"},
		{"binder", testenv.Dashboard, "SELECT nope FROM marts.dossier_kpi_monthly", 400, "sql", "nope"},
		{"refused", testenv.Dashboard, "SELECT * FROM read_csv('/etc/passwd')", 403, "refused", "read_csv"},
		{"timeout", testenv.Dashboard, "SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 1", 504, "timeout", "700ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.query(t, tc.who, tc.sql, "json")
			require.Equal(t, tc.status, r.StatusCode)
			p := problem(t, r)
			assert.Equal(t, tc.code, p["code"])
			assert.Contains(t, p["message_en"], tc.contains)
			assert.NotEmpty(t, p["message_vi"])
		})
	}
	t.Run("truncated", func(t *testing.T) {
		r := h.query(t, testenv.Dashboard, "SELECT * FROM marts.dossier_kpi_monthly", "json")
		require.Equal(t, 200, r.StatusCode)
		var rows []any
		require.NoError(t, json.Unmarshal(readAll(t, r), &rows))
		assert.Len(t, rows, 2)
		assert.Equal(t, "true", r.Trailer.Get("X-Kho-Truncated"))
		assert.Equal(t, "2", r.Header.Get("X-Kho-Row-Limit"))
		r = h.do(t, "POST", "/api/query", testenv.Dashboard, strings.NewReader(`{"sql": "SELECT * FROM marts.dossier_kpi_monthly", "max_rows": 100}`),
			"Content-Type", "application/json")
		require.Equal(t, 200, r.StatusCode)
		require.NoError(t, json.Unmarshal(readAll(t, r), &rows))
		assert.Len(t, rows, 2, "a request cannot raise the server's limit")
	})
	t.Run("no token", func(t *testing.T) {
		r := h.query(t, "", "SELECT 1", "json")
		assert.Equal(t, 401, r.StatusCode)
		assert.Contains(t, r.Header.Get("WWW-Authenticate"), "Bearer")
	})
	t.Run("bad token", func(t *testing.T) {
		r := h.do(t, "GET", "/api/datasets", "", nil, "Authorization", "Bearer kho_nope")
		assert.Equal(t, 401, r.StatusCode, "a bad token is refused, never downgraded to public")
	})
	t.Run("revoked token", func(t *testing.T) {
		_, err := h.env.Tokens.Revoke(t.Context(), h.env.IDs[testenv.Public])
		require.NoError(t, err)
		assert.Equal(t, 401, h.do(t, "GET", "/api/datasets", testenv.Public, nil).StatusCode)
	})
	t.Run("bad format", func(t *testing.T) {
		r := h.query(t, testenv.Dashboard, "SELECT 1", "xlsx")
		assert.Equal(t, 400, r.StatusCode)
	})
}

func TestClientGoesAway(t *testing.T) {
	h := newHarness(t, engine.Options{Timeout: time.Minute})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	b, _ := json.Marshal(map[string]any{"sql": "SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 1"})
	req, _ := http.NewRequestWithContext(ctx, "POST", h.srv.URL+"/api/query", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+h.env.Secrets[testenv.Dashboard])
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	_, err := http.DefaultClient.Do(req)
	require.Error(t, err)
	// The server stops the statement and audits it as cancelled.
	require.Eventually(t, func() bool {
		require.NoError(t, h.env.Audit.Flush(t.Context()))
		es, err := h.env.Audit.Entries(t.Context(), audit.Filter{Outcome: audit.Canceled})
		require.NoError(t, err)
		return len(es) == 1
	}, 10*time.Second, 50*time.Millisecond)
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t, engine.Options{})
	assert.Equal(t, 200, h.do(t, "GET", "/healthz", "", nil).StatusCode)
	r := h.do(t, "GET", "/readyz", "", nil)
	assert.Equal(t, 200, r.StatusCode)
	assert.Contains(t, string(readAll(t, r)), "ready")
	h.query(t, testenv.Dashboard, "SELECT * FROM marts.dossier_kpi_monthly", "json")
	h.query(t, testenv.Dashboard, "SELECT * FROM health.visits", "json")
	body := string(readAll(t, h.do(t, "GET", "/metrics", testenv.Engineer, nil)))
	for _, want := range []string{
		`kho_queries_total{action="sql",outcome="ok",role="dashboard",source="http"} 1`,
		`kho_queries_total{action="sql",outcome="refused",role="dashboard",source="http"} 1`,
		`kho_query_rows_total{role="dashboard",source="http"} 4`,
		`kho_query_duration_seconds_bucket{action="sql",source="http",le="+Inf"} 2`,
		`kho_table_rows{kind="dataset",table="health.visits"} 4`,
		`kho_table_last_snapshot_timestamp_seconds{kind="mart",table="marts.dossier_kpi_monthly"}`,
		`kho_http_requests_total{route="POST /api/query",status="OK"} 1`,
	} {
		assert.Contains(t, body, want)
	}
}
