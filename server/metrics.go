package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/server/engine"
)

// RunHistory is the pipelines' run history. *pipelines.History is one.
type RunHistory interface {
	Latest(ctx context.Context) ([]pipelines.Run, error)
}

// Metrics are the Prometheus metrics of /metrics: statements by outcome and
// role, their latency and rows, HTTP requests, pgwire connections, and, read
// at each scrape, the last run of every pipeline and the freshness and size
// of every table served.
type Metrics struct {
	reg      *prometheus.Registry
	queries  *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	rows     *prometheus.CounterVec
	requests *prometheus.CounterVec
	pgConns  prometheus.Gauge
	history  RunHistory
	engine   *engine.Engine
}

// NewMetrics makes the metrics; history may be nil.
func NewMetrics(history RunHistory) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kho_queries_total",
			Help: "Statements run for users, by source (http, pgwire), action (sql, mart, download), role and outcome (ok, refused, error, timeout, canceled, unauthenticated)."},
			[]string{"source", "action", "role", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kho_query_duration_seconds",
			Help:    "Time of statements run for users, from the sandbox check to the last row sent.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}},
			[]string{"source", "action"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kho_query_rows_total",
			Help: "Rows returned to users."}, []string{"source", "role"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kho_http_requests_total",
			Help: "HTTP requests by route and status."}, []string{"route", "status"}),
		pgConns: prometheus.NewGauge(prometheus.GaugeOpts{Name: "kho_pgwire_connections",
			Help: "Open PostgreSQL wire protocol connections."}),
		history: history,
	}
	m.reg.MustRegister(m.queries, m.latency, m.rows, m.requests, m.pgConns, &lakeCollector{m},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the metrics' registry.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Observe records a finished statement (engine.Deps.Observe).
func (m *Metrics) Observe(e engine.Event) {
	role := string(e.Principal.Role)
	m.queries.WithLabelValues(e.Source, e.Action, role, e.Outcome).Inc()
	m.latency.WithLabelValues(e.Source, e.Action).Observe(e.Duration.Seconds())
	m.rows.WithLabelValues(e.Source, role).Add(float64(e.Rows))
}

// PGConn counts a pgwire connection opening (+1) or closing (-1).
func (m *Metrics) PGConn(delta int) { m.pgConns.Add(float64(delta)) }

var (
	descRunStatus = prometheus.NewDesc("kho_pipeline_last_run_status", "1 for the status of the last run of a pipeline.", []string{"pipeline", "dataset", "status"}, nil)
	descRunEnd    = prometheus.NewDesc("kho_pipeline_last_run_timestamp_seconds", "When the last run of a pipeline started.", []string{"pipeline"}, nil)
	descRunDur    = prometheus.NewDesc("kho_pipeline_last_run_duration_seconds", "How long the last run of a pipeline took.", []string{"pipeline"}, nil)
	descRunRows   = prometheus.NewDesc("kho_pipeline_last_run_rows", "Rows of the last run of a pipeline, by kind (read, written, quarantined).", []string{"pipeline", "kind"}, nil)
	descFresh     = prometheus.NewDesc("kho_table_last_snapshot_timestamp_seconds", "Commit time of the current snapshot of a table served.", []string{"table", "kind"}, nil)
	descTableRows = prometheus.NewDesc("kho_table_rows", "Rows of the current snapshot of a table served.", []string{"table", "kind"}, nil)

	descCacheHits      = prometheus.NewDesc("kho_result_cache_hits_total", "Statements answered from the result cache (same checked SQL, arguments, reader profile and snapshots).", nil, nil)
	descCacheMisses    = prometheus.NewDesc("kho_result_cache_misses_total", "Cacheable statements that ran on DuckDB.", nil, nil)
	descCacheEvictions = prometheus.NewDesc("kho_result_cache_evictions_total", "Answers dropped from the result cache to stay under serve.cache_bytes.", nil, nil)
	descCacheBytes     = prometheus.NewDesc("kho_result_cache_bytes", "Estimated memory held by the result cache.", nil, nil)
	descCacheMax       = prometheus.NewDesc("kho_result_cache_max_bytes", "The result cache's bound (serve.cache_bytes).", nil, nil)
	descCacheEntries   = prometheus.NewDesc("kho_result_cache_entries", "Answers held by the result cache.", nil, nil)

	descPageHits    = prometheus.NewDesc("kho_page_cache_hits_total", "Dashboard requests whose panels were shown from the page cache (same reader profile, filters, language and served snapshots).", nil, nil)
	descPageMisses  = prometheus.NewDesc("kho_page_cache_misses_total", "Dashboard requests whose panels were drawn.", nil, nil)
	descPageBytes   = prometheus.NewDesc("kho_page_cache_bytes", "Estimated memory held by drawn panels, part of kho_result_cache_bytes (one bound: serve.cache_bytes).", nil, nil)
	descPageEntries = prometheus.NewDesc("kho_page_cache_entries", "Drawn dashboards held, part of kho_result_cache_entries.", nil, nil)
)

// lakeCollector reads the run history and the served tables at each scrape.
type lakeCollector struct{ m *Metrics }

func (c *lakeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRunStatus, descRunEnd, descRunDur, descRunRows, descFresh, descTableRows,
		descCacheHits, descCacheMisses, descCacheEvictions, descCacheBytes, descCacheMax, descCacheEntries,
		descPageHits, descPageMisses, descPageBytes, descPageEntries} {
		ch <- d
	}
}

func (c *lakeCollector) Collect(ch chan<- prometheus.Metric) {
	if c.m.history != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		runs, err := c.m.history.Latest(ctx)
		cancel()
		if err == nil {
			for _, r := range runs {
				ch <- prometheus.MustNewConstMetric(descRunStatus, prometheus.GaugeValue, 1, r.Pipeline, r.Dataset, r.Status)
				ch <- prometheus.MustNewConstMetric(descRunEnd, prometheus.GaugeValue, float64(r.Started.Unix()), r.Pipeline)
				if !r.Finished.IsZero() {
					ch <- prometheus.MustNewConstMetric(descRunDur, prometheus.GaugeValue, r.Finished.Sub(r.Started).Seconds(), r.Pipeline)
				}
				ch <- prometheus.MustNewConstMetric(descRunRows, prometheus.GaugeValue, float64(r.Read), r.Pipeline, "read")
				ch <- prometheus.MustNewConstMetric(descRunRows, prometheus.GaugeValue, float64(r.Written), r.Pipeline, "written")
				ch <- prometheus.MustNewConstMetric(descRunRows, prometheus.GaugeValue, float64(r.Quarantined), r.Pipeline, "quarantined")
			}
		}
	}
	if c.m.engine != nil {
		for _, o := range c.m.engine.All() {
			if !o.Freshness.IsZero() {
				ch <- prometheus.MustNewConstMetric(descFresh, prometheus.GaugeValue, float64(o.Freshness.Unix()), o.Name, o.Kind.String())
			}
			ch <- prometheus.MustNewConstMetric(descTableRows, prometheus.GaugeValue, float64(o.Rows), o.Name, o.Kind.String())
		}
		cs := c.m.engine.CacheStats()
		ch <- prometheus.MustNewConstMetric(descCacheHits, prometheus.CounterValue, float64(cs.Hits))
		ch <- prometheus.MustNewConstMetric(descCacheMisses, prometheus.CounterValue, float64(cs.Misses))
		ch <- prometheus.MustNewConstMetric(descCacheEvictions, prometheus.CounterValue, float64(cs.Evictions))
		ch <- prometheus.MustNewConstMetric(descCacheBytes, prometheus.GaugeValue, float64(cs.Bytes))
		ch <- prometheus.MustNewConstMetric(descCacheMax, prometheus.GaugeValue, float64(cs.MaxBytes))
		ch <- prometheus.MustNewConstMetric(descCacheEntries, prometheus.GaugeValue, float64(cs.Entries))
		ch <- prometheus.MustNewConstMetric(descPageHits, prometheus.CounterValue, float64(cs.Page.Hits))
		ch <- prometheus.MustNewConstMetric(descPageMisses, prometheus.CounterValue, float64(cs.Page.Misses))
		ch <- prometheus.MustNewConstMetric(descPageBytes, prometheus.GaugeValue, float64(cs.Page.Bytes))
		ch <- prometheus.MustNewConstMetric(descPageEntries, prometheus.GaugeValue, float64(cs.Page.Entries))
	}
}
