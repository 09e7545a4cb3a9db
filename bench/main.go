// Command bench is `make bench`: Kho's speed and memory against the physical
// limits, side by side in one run. It generates dossier-like data at the
// chosen sizes, loads it with `kho run` from CSV, PostgreSQL, MariaDB and
// XLSX, measures the same input read by the fastest reference (DuckDB's own
// CSV to Parquet COPY, PostgreSQL's binary COPY, a plain driver SELECT,
// excelize's row reader), times incremental reruns, the leadership marts'
// build and queries over HTTP and the PostgreSQL wire protocol against
// DuckDB on the same Parquet files, and reports each figure with its
// reference and their ratio as a table and as JSON under bench/results/.
//
// It is a harness, not a test: every figure comes from real processes (`kho`
// as a subprocess; each reference in a child process of this binary) so that
// peak memory is each one's own. See docs/bench.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options are the bench's flags.
type Options struct {
	Kho        string  `json:"kho"`
	Rows       []int64 `json:"rows"`
	MySQLRows  []int64 `json:"mysql_rows"`
	XLSXRows   int64   `json:"xlsx_rows"`
	IncRows    int64   `json:"incremental_rows"`
	Scale      int     `json:"scale"`
	Clients    []int   `json:"clients"`
	QueryScale float64 `json:"query_scale"`
	Suites     string  `json:"suites"`
	Work       string  `json:"work"`
	Results    string  `json:"results"`
	PGDSN      string  `json:"-"`
	MySQLDSN   string  `json:"-"`
	// DB is the name of the bench database on both servers (another one
	// lets two benches run side by side).
	DB        string  `json:"database"`
	Profile   string  `json:"profile,omitempty"`
	KeepWork  bool    `json:"-"`
	MaxLoad   float64 `json:"max_load"`
	LoadWaitS int     `json:"load_wait_seconds"`
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "-ref" {
		if err := refMain(context.Background(), os.Args[2], os.Args[3:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench -ref:", err)
			os.Exit(1)
		}
		return
	}
	var o Options
	var rows, myRows, clients string
	flag.StringVar(&o.Kho, "kho", "bin/kho", "the kho binary to measure")
	flag.StringVar(&rows, "rows", "1000000,10000000", "row counts of the CSV and PostgreSQL loads")
	flag.StringVar(&myRows, "mysql-rows", "", "row counts of the MariaDB load (default: -rows)")
	flag.Int64Var(&o.XLSXRows, "xlsx-rows", 200000, "rows of the XLSX load")
	flag.Int64Var(&o.IncRows, "inc-rows", 0, "rows of the incremental reruns' table (default: the smallest of -rows)")
	flag.IntVar(&o.Scale, "scale", 100, "kho sample-data --scale of the marts build")
	flag.StringVar(&clients, "clients", "1,16,64", "concurrent query clients")
	flag.Float64Var(&o.QueryScale, "query-scale", 1, "multiplies the number of requests of each query level")
	flag.StringVar(&o.Suites, "suites", "csv,pg,mysql,xlsx,incremental,cdc,merge,marts,query", "suites to run")
	flag.StringVar(&o.Work, "work", filepath.Join(os.TempDir(), "kho-bench"), "work folder (generated inputs are kept there between runs)")
	flag.StringVar(&o.Results, "results", "bench/results", "folder of the JSON results")
	flag.StringVar(&o.PGDSN, "pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL to create the bench database on")
	flag.StringVar(&o.DB, "db", "kho_bench", "name of the bench database created on PostgreSQL and MariaDB")
	flag.StringVar(&o.MySQLDSN, "mysql", "root@tcp(127.0.0.1:3306)/test", "MariaDB to create the bench database on")
	flag.StringVar(&o.Profile, "profile", "", "folder for CPU and allocation profiles of every kho load (none when empty)")
	flag.BoolVar(&o.KeepWork, "keep", false, "keep the lake and configs of this run")
	flag.Float64Var(&o.MaxLoad, "max-load", 0, "wait before each suite until the 1-minute load is below this (0: do not wait)")
	flag.IntVar(&o.LoadWaitS, "max-load-wait", 300, "wait at most this many seconds for the load to fall")
	flag.Parse()
	var err error
	if o.Rows, err = int64s(rows); err == nil {
		o.MySQLRows = o.Rows
		if myRows != "" {
			o.MySQLRows, err = int64s(myRows)
		}
	}
	if err == nil {
		var cs []int64
		cs, err = int64s(clients)
		for _, c := range cs {
			o.Clients = append(o.Clients, int(c))
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if o.IncRows == 0 {
		o.IncRows = o.Rows[0]
		for _, n := range o.Rows {
			o.IncRows = min(o.IncRows, n)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := benchMain(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func int64s(s string) ([]int64, error) {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(p, "_", ""), 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive count", p)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no counts in %q", s)
	}
	return out, nil
}

// bench is one run's state.
type bench struct {
	o        Options
	kho      string
	work     string // this run's lake, configs and outputs
	cache    string // generated inputs kept between runs
	dataDir  string
	schemas  string
	loads    *khoConfig
	cc       communeCodes
	pgDSN    string
	myDSN    string
	report   *Report
	biggest  string // the dataset of the largest CSV load, for the query suite
	marts    bool   // the marts suite built the marts
	progress func(format string, args ...any)
}

func benchMain(ctx context.Context, o Options) error {
	start := time.Now()
	kho, err := filepath.Abs(o.Kho)
	if err != nil {
		return err
	}
	if _, err := os.Stat(kho); err != nil {
		return fmt.Errorf("the kho binary: %w (make build)", err)
	}
	b := &bench{o: o, kho: kho, cache: filepath.Join(o.Work, "inputs"),
		report: &Report{Started: start, Options: o, Host: Host{CPUs: runtime.NumCPU(), LoadBefore: loadAvg()}}}
	b.progress = func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "[%5.0fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		b.report.KhoCommit = strings.TrimSpace(string(out))
	}
	b.work = filepath.Join(o.Work, "run-"+start.UTC().Format("20060102T150405"))
	b.dataDir = filepath.Join(b.work, "data")
	b.schemas = filepath.Join(b.work, "schemas")
	for _, d := range []string{b.cache, b.dataDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if !o.KeepWork {
		defer os.RemoveAll(b.work)
	}
	if err := copySchemas(b.schemas); err != nil {
		return err
	}
	if b.loads, err = writeConfig(filepath.Join(b.work, "loads"), b.dataDir, b.schemas, ""); err != nil {
		return err
	}
	b.cc = loadCommunes()
	suites := map[string]func(context.Context) error{
		"csv": b.csvSuite, "pg": b.pgSuite, "mysql": b.mysqlSuite, "xlsx": b.xlsxSuite,
		"incremental": b.incSuite, "cdc": b.cdcSuite, "merge": b.mergeSuite, "marts": b.martsSuite, "query": b.querySuite,
	}
	for _, name := range strings.Split(o.Suites, ",") {
		name = strings.TrimSpace(name)
		fn, ok := suites[name]
		if !ok {
			return fmt.Errorf("no suite %q", name)
		}
		b.waitForQuiet(ctx)
		b.progress("suite %s", name)
		if err := fn(ctx); err != nil {
			if ctx.Err() != nil {
				return err
			}
			b.report.Skipped = append(b.report.Skipped, fmt.Sprintf("%s: %v", name, firstLine(err.Error())))
			b.progress("suite %s failed: %v", name, err)
		}
	}
	b.report.Host.LoadAfter = loadAvg()
	b.report.Seconds = time.Since(start).Seconds()
	printTable(os.Stdout, b.report)
	file, err := writeJSON(o.Results, b.report)
	if err != nil {
		return err
	}
	fmt.Printf("results: %s\n", file)
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// waitForQuiet notes the load and, with -max-load, waits for it to fall.
func (b *bench) waitForQuiet(ctx context.Context) {
	deadline := time.Now().Add(time.Duration(b.o.LoadWaitS) * time.Second)
	for {
		l := loadAvg()
		if len(l) == 0 {
			return
		}
		if b.o.MaxLoad == 0 || l[0] < b.o.MaxLoad || time.Now().After(deadline) {
			b.report.Host.LoadMax = max(b.report.Host.LoadMax, l[0])
			return
		}
		b.progress("load %.2f above %.2f: waiting", l[0], b.o.MaxLoad)
		select {
		case <-ctx.Done():
			return
		case <-time.After(15 * time.Second):
		}
	}
}

// size names a row count: 100k, 1M, 10M.
func size(n int64) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.FormatInt(n, 10)
}

func mb(kib int64) float64 { return float64(kib) / 1024 }

// lsize is size in lower case, for table, pipeline and dataset names.
func lsize(n int64) string { return strings.ToLower(size(n)) }
