package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sonla-data/kho/server/loadgen"
	"github.com/sonla-data/kho/warehouse/lake"
)

// The query suite serves the run's lake with `kho serve` and measures, at
// each number of concurrent clients, the latency of a dashboard mart request
// and of an ad-hoc aggregate over the largest CSV load, through HTTP and
// through the PostgreSQL wire port, against the same SQL run by DuckDB
// in this process on the Parquet files of the same snapshots.

// querySpec is one query, in the three forms it is sent.
type querySpec struct {
	name    string
	httpReq func(base string) (*http.Request, error)
	pgSQL   string
	pgArgs  []any
	direct  string // the SQL on DuckDB's views, which bear the lake's names
	token   string
	goalP95 float64 // ms at the largest client count (0: none)
	// perClient requests per client, at least minRequests in all.
	perClient, minRequests int
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// createToken runs `kho token create` and returns the secret.
func (b *bench) createToken(ctx context.Context, cfg *khoConfig, args ...string) (string, error) {
	m, err := run(ctx, nil, b.kho, append([]string{"--config", cfg.file, "token", "create"}, args...)...)
	if err != nil {
		return "", err
	}
	return lastLine(m.stdout), nil
}

func (b *bench) querySuite(ctx context.Context) error {
	if !b.marts {
		return errors.New("needs the marts suite (the lake's marts) before it")
	}
	if b.biggest == "" {
		return errors.New("needs the csv suite (the table of the ad-hoc aggregate) before it")
	}
	cfg, env, err := b.province()
	if err != nil {
		return err
	}
	dash, err := b.createToken(ctx, cfg, "--role", "dashboard", "--name", "bench-dashboard")
	if err != nil {
		return err
	}
	analyst, err := b.createToken(ctx, cfg, "--role", "analyst", "--name", "bench-analyst", "--grant", b.biggest)
	if err != nil {
		return err
	}
	httpAddr, err := freePort()
	if err != nil {
		return err
	}
	pgAddr, err := freePort()
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	args := []string{"--config", cfg.file, "serve", "--addr", httpAddr, "--pg-addr", pgAddr}
	if b.o.Profile != "" {
		// the serving process's CPU under the query load, written when it stops
		args = append(args, "--cpuprofile", filepath.Join(b.o.Profile, "serve.cpu.pprof"))
	}
	srv := exec.CommandContext(sctx, b.kho, args...)
	srv.Env = append(os.Environ(), env...)
	srv.Cancel = func() error { return srv.Process.Signal(syscall.SIGTERM) }
	srv.WaitDelay = 15 * time.Second
	logf, err := os.Create(filepath.Join(b.work, "serve.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = srv.Wait(); close(exited) }()
	defer func() { stop(); <-exited }()
	base := "http://" + httpAddr
	if err := waitReady(ctx, base+"/readyz", 90*time.Second, exited); err != nil {
		log, _ := os.ReadFile(logf.Name())
		return fmt.Errorf("kho serve: %w\n%s", err, tail(string(log)))
	}

	direct, month, err := b.directDB(ctx)
	if err != nil {
		return err
	}
	defer direct.Close()

	martSQL := "SELECT * FROM marts.dossier_kpi_monthly WHERE month IN (CAST($1 AS DATE)) ORDER BY agency_code, month"
	adhoc := fmt.Sprintf("SELECT agency_code, status, count(*) AS dossiers, sum(fee_vnd) AS fees, "+
		"avg(documents) AS documents, count(*) FILTER (WHERE digitised) AS digitised "+
		"FROM %s GROUP BY ALL ORDER BY ALL", b.biggest)
	specs := []querySpec{
		{name: "mart request", token: dash, goalP95: 50, perClient: 10, minRequests: 200,
			httpReq: func(base string) (*http.Request, error) {
				return http.NewRequest("GET", base+"/api/marts/dossier_kpi_monthly?month="+month, nil)
			},
			pgSQL: martSQL, pgArgs: []any{month + "-01"},
			direct: strings.Replace(martSQL, "$1", "'"+month+"-01'", 1)},
		{name: "ad-hoc aggregate", token: analyst, perClient: 1, minRequests: 8,
			httpReq: func(base string) (*http.Request, error) {
				body, _ := json.Marshal(map[string]any{"sql": adhoc})
				req, err := http.NewRequest("POST", base+"/api/query", bytes.NewReader(body))
				if err == nil {
					req.Header.Set("Content-Type", "application/json")
				}
				return req, err
			},
			pgSQL: adhoc, direct: adhoc},
	}
	if err := b.dashboardPage(ctx, base, dash); err != nil {
		return err
	}
	rows := ""
	if n := b.bigRows(); n > 0 {
		rows = ", " + size(n) + " rows"
	}
	maxClients := 0
	for _, c := range b.o.Clients {
		maxClients = max(maxClients, c)
	}
	for _, q := range specs {
		for _, c := range b.o.Clients {
			requests := max(c, int(b.o.QueryScale*float64(max(q.minRequests, q.perClient*c))))
			b.progress("%s, %d clients, %d requests: duckdb direct", q.name, c, requests)
			ref, err := b.level(ctx, c, requests, func(ctx context.Context, _, _ int) error {
				return directQuery(ctx, direct, q.direct)
			})
			if err != nil {
				return fmt.Errorf("%s on DuckDB: %w", q.name, err)
			}
			b.progress("  %s", ref)
			b.progress("%s, %d clients: http", q.name, c)
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c}}
			viaHTTP, err := b.level(ctx, c, requests, func(ctx context.Context, _, _ int) error {
				return httpQuery(ctx, hc, base, q)
			})
			hc.CloseIdleConnections()
			if err != nil {
				return fmt.Errorf("%s over HTTP: %w", q.name, err)
			}
			b.progress("  %s", viaHTTP)
			b.progress("%s, %d clients: pgwire", q.name, c)
			conns := make([]*pgx.Conn, c)
			for i := range conns {
				if conns[i], err = pgConnect(ctx, pgAddr, q.token); err != nil {
					return err
				}
			}
			viaPG, err := b.level(ctx, c, requests, func(ctx context.Context, w, _ int) error {
				return pgQuery(ctx, conns[w], q.pgSQL, q.pgArgs)
			})
			for _, cn := range conns {
				cn.Close(ctx)
			}
			if err != nil {
				return fmt.Errorf("%s over pgwire: %w", q.name, err)
			}
			b.progress("  %s", viaPG)
			sz := fmt.Sprintf("%d clients", c)
			if q.name == "ad-hoc aggregate" {
				sz += rows
			}
			for _, via := range []struct {
				name string
				st   loadgen.Stats
			}{{"http", viaHTTP}, {"pgwire", viaPG}} {
				f := Figure{Name: q.name + " p95, " + via.name, Size: sz, Unit: "ms", Kho: ms(via.st.P95),
					KhoDetail: fmt.Sprintf("p50 %.1f, %.0f/s", ms(via.st.P50), via.st.RPS()),
					RefName:   "duckdb on the parquet files", Ref: ms(ref.P95), RefDetail: fmt.Sprintf("p50 %.1f, %.0f/s", ms(ref.P50), ref.RPS()),
					Ratio: ratio(ms(via.st.P95), ms(ref.P95)),
					Raw:   map[string]any{"kho": statsJSON(via.st), "ref": statsJSON(ref)}}
				if q.goalP95 > 0 && c == maxClients {
					f.Goal = fmt.Sprintf("< %.0f ms", q.goalP95)
					f.Met = boolp(f.Kho < q.goalP95)
				}
				b.report.Figures = append(b.report.Figures, f)
			}
		}
	}
	return nil
}

func (b *bench) bigRows() int64 {
	var n int64
	for _, r := range b.o.Rows {
		n = max(n, r)
	}
	return n
}

func waitReady(ctx context.Context, url string, limit time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			return errors.New("exited before it was ready")
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("not ready after %s", limit)
}

// level runs one load level with server/loadgen: c workers sending
// requests back to back, after one warm-up request.
func (b *bench) level(ctx context.Context, c, requests int, req loadgen.Request) (loadgen.Stats, error) {
	if err := req(ctx, 0, -1); err != nil {
		return loadgen.Stats{}, err
	}
	st := loadgen.Run(ctx, loadgen.Config{Concurrency: c, Requests: requests, Timeout: 5 * time.Minute}, req)
	if st.Errors > 0 {
		return st, fmt.Errorf("%d of %d requests failed, the first: %w", st.Errors, st.Requests, st.FirstError)
	}
	return st, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func statsJSON(s loadgen.Stats) map[string]any {
	return map[string]any{"requests": s.Requests, "p50_ms": ms(s.P50), "p95_ms": ms(s.P95), "p99_ms": ms(s.P99),
		"max_ms": ms(s.Max), "seconds": s.Elapsed.Seconds(), "per_second": s.RPS()}
}

func httpQuery(ctx context.Context, hc *http.Client, base string, q querySpec) error {
	req, err := q.httpReq(base)
	if err != nil {
		return err
	}
	req = req.WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+q.token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s %s: %s: %.300s", req.Method, req.URL.Path, resp.Status, body)
	}
	return nil
}

func pgConnect(ctx context.Context, addr, token string) (*pgx.Conn, error) {
	host, port, _ := net.SplitHostPort(addr)
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%s user=bench dbname=kho sslmode=disable", host, port))
	if err != nil {
		return nil, err
	}
	cfg.Password = token
	return pgx.ConnectConfig(ctx, cfg)
}

func pgQuery(ctx context.Context, c *pgx.Conn, q string, args []any) error {
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		if _, err := rows.Values(); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	return rows.Err()
}

func directQuery(ctx context.Context, db *sql.DB, q string) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// directDB is an in-memory DuckDB with a view per queried table over the
// Parquet files of the table's current snapshot (from the Iceberg catalog),
// and the latest month of the mart.
func (b *bench) directDB(ctx context.Context) (*sql.DB, string, error) {
	l, err := lake.Open(ctx, lake.Config{Root: filepath.Join(b.dataDir, "lake")})
	if err != nil {
		return nil, "", err
	}
	defer l.Close()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, "", err
	}
	for _, name := range []string{"marts.dossier_kpi_monthly", b.biggest} {
		t, err := l.Load(ctx, name)
		if err != nil {
			db.Close()
			return nil, "", err
		}
		tasks, err := t.Scan().PlanFiles(ctx)
		if err != nil {
			db.Close()
			return nil, "", err
		}
		var files []string
		for _, task := range tasks {
			files = append(files, sqlString(strings.TrimPrefix(task.File.FilePath(), "file://")))
		}
		schema, _, _ := strings.Cut(name, ".")
		for _, q := range []string{
			"CREATE SCHEMA IF NOT EXISTS " + schema,
			fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet([%s])", name, strings.Join(files, ", ")),
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				db.Close()
				return nil, "", fmt.Errorf("%.200s: %w", q, err)
			}
		}
	}
	var month string
	if err := db.QueryRowContext(ctx, "SELECT strftime(max(month), '%Y-%m') FROM marts.dossier_kpi_monthly").Scan(&month); err != nil {
		db.Close()
		return nil, "", err
	}
	return db, month, nil
}

// dashboardPage measures the leadership dashboard (GET /, every panel) as
// its reader sees it: the first request after the server started (nothing
// drawn yet), then requests one after the other and from 4 readers at once.
func (b *bench) dashboardPage(ctx context.Context, base, token string) error {
	q := querySpec{token: token, httpReq: func(base string) (*http.Request, error) {
		return http.NewRequest("GET", base+"/", nil)
	}}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer hc.CloseIdleConnections()
	start := time.Now()
	if err := httpQuery(ctx, hc, base, q); err != nil {
		return fmt.Errorf("dashboard page: %w", err)
	}
	first := time.Since(start)
	b.progress("dashboard page, first request: %.1f ms", ms(first))
	for _, c := range []int{1, 4} {
		requests := max(c, int(b.o.QueryScale*float64(20*c)))
		st, err := b.level(ctx, c, requests, func(ctx context.Context, _, _ int) error {
			return httpQuery(ctx, hc, base, q)
		})
		if err != nil {
			return fmt.Errorf("dashboard page: %w", err)
		}
		b.progress("dashboard page, %d clients: %s", c, st)
		b.report.Figures = append(b.report.Figures, Figure{Name: "dashboard page p95, http", Size: fmt.Sprintf("%d clients", c),
			Unit: "ms", Kho: ms(st.P95), KhoDetail: fmt.Sprintf("p50 %.1f, %.0f/s, first request %.1f", ms(st.P50), st.RPS(), ms(first)),
			Raw: map[string]any{"kho": statsJSON(st), "first_ms": ms(first)}})
	}
	return nil
}
