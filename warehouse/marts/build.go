package marts

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/query"
)

// Result is what building one mart did.
type Result struct {
	Mart     string
	Rows     int64
	Snapshot int64
	Duration time.Duration
	Failures []string // failed tests, each with a sample of what failed
	// Skipped is set when the mart's inputs and SQL were those of its last
	// build: it was tested, not rebuilt.
	Skipped bool
	// Inputs are the snapshots of the tables the build read.
	Inputs map[string]int64
	// Waiting names the inputs that hold no data yet (no table, or no
	// snapshot): the mart was not built and waits for them. A mart that
	// reads a waiting mart waits too.
	Waiting []string
}

// TestError lists the tests that failed in a build.
type TestError struct{ Failures []string }

func (e *TestError) Error() string {
	return fmt.Sprintf("%d mart test(s) failed:\n  %s", len(e.Failures), strings.Join(e.Failures, "\n  "))
}

// Snapshot summary keys of a mart's build.
const (
	// Pipeline is the kho.pipeline of the marts' snapshots.
	Pipeline   = "marts"
	SumMart    = "kho.mart"
	SumSQLHash = "kho.sql_hash"
)

// Builder builds marts into the lake.
type Builder struct {
	Lake   *lake.Lake
	Engine *query.Engine
	Marts  []*Mart
	Log    *slog.Logger
	RunID  string
	// Force rebuilds every mart, changed inputs or not.
	Force bool
}

// Build builds the named marts (all when names is empty) in dependency
// order and tests each; a failed test is reported in the mart's result and
// as a *TestError at the end, after every mart was tried.
func (b *Builder) Build(ctx context.Context, names ...string) ([]Result, error) {
	order, err := Order(b.Marts)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var (
		results  []Result
		failures []string
	)
	if err := b.Engine.Refresh(ctx); err != nil {
		return nil, err
	}
	waiting := map[string]bool{} // tables of marts that wait
	for _, m := range order {
		if len(want) > 0 && !want[m.Name] {
			continue
		}
		if missing := b.missing(m, waiting); len(missing) > 0 {
			waiting[m.Table()] = true
			if b.Log != nil {
				b.Log.Info("mart waits for its inputs", "mart", m.Name, "waiting_for", missing)
			}
			results = append(results, Result{Mart: m.Name, Waiting: missing})
			continue
		}
		r, err := b.build(ctx, m)
		if err != nil {
			return results, fmt.Errorf("building mart %s (%s): %w", m.Name, m.File, err)
		}
		results = append(results, r)
		failures = append(failures, r.Failures...)
	}
	if len(failures) > 0 {
		return results, &TestError{Failures: failures}
	}
	return results, nil
}

func (b *Builder) build(ctx context.Context, m *Mart) (Result, error) {
	start := time.Now()
	res := Result{Mart: m.Name}
	unlock, err := b.Lake.Lock(ctx, m.Table())
	if err != nil {
		return res, err
	}
	defer unlock()
	// The views are current: Build refreshed them all, and each mart its
	// own after its commit. A volatile mart reads the system tables, which
	// a full refresh rewrites.
	if m.Volatile {
		if err := b.Engine.Refresh(ctx); err != nil {
			return res, err
		}
	} else if err := b.Engine.RefreshTable(ctx, m.Table()); err != nil && !errors.Is(err, catalog.ErrNoSuchTable) {
		return res, err
	}
	res.Inputs = b.inputs(m)
	inputs, _ := json.Marshal(res.Inputs)
	hash := sqlHash(m)
	if prev, t := b.last(ctx, m); !b.Force && !m.Volatile && prev != nil && prev[lake.SumInputs] == string(inputs) && prev[SumSQLHash] == hash {
		res.Skipped = true
		res.Rows = lake.RowCount(t)
		if s := t.CurrentSnapshot(); s != nil {
			res.Snapshot = s.SnapshotID
		}
	} else if err := b.materialise(ctx, m, &res, map[string]string{
		lake.SumRunID: b.RunID, lake.SumPipeline: Pipeline, SumMart: m.Name,
		lake.SumInputs: string(inputs), SumSQLHash: hash,
	}); err != nil {
		return res, err
	}
	if err := b.Engine.RefreshTable(ctx, m.Table()); err != nil && !errors.Is(err, catalog.ErrNoSuchTable) {
		return res, err
	}
	res.Failures, err = b.Test(ctx, m)
	res.Duration = time.Since(start)
	if b.Log != nil {
		b.Log.Info("mart built", "mart", m.Name, "rows", res.Rows, "skipped", res.Skipped, "seconds", res.Duration.Seconds(), "failed_tests", len(res.Failures))
	}
	return res, err
}

// materialise runs the mart's query and overwrites its table with the result.
func (b *Builder) materialise(ctx context.Context, m *Mart, res *Result, summary map[string]string) error {
	return b.Engine.ArrowQuery(ctx, m.SQL, func(duck array.RecordReader) error {
		rdr := newUTCReader(duck)
		defer rdr.Release()
		if err := checkFigures(m, rdr.Schema()); err != nil {
			return err
		}
		t, err := b.ensure(ctx, m, rdr.Schema())
		if err != nil {
			return err
		}
		counted := &countingReader{RecordReader: rdr}
		// A volatile mart is rebuilt every time: when its rows are those
		// of its table, nothing is committed.
		nt, err := b.Lake.Commit(ctx, t, counted, lake.Write{Mode: lake.Overwrite, AllowEmpty: true, Summary: summary, SkipUnchanged: m.Volatile})
		if err != nil {
			return err
		}
		res.Rows = counted.rows
		if s := nt.CurrentSnapshot(); s != nil {
			res.Snapshot = s.SnapshotID
		}
		return nil
	})
}

// missing lists the inputs of m that hold no data yet: tables the lake does
// not have or that have no snapshot, and marts that wait themselves.
func (b *Builder) missing(m *Mart, waiting map[string]bool) []string {
	var out []string
	for _, d := range m.DependsOn {
		if strings.HasPrefix(d, SystemNamespace+".") {
			continue
		}
		if waiting[d] || b.Engine.Snapshot(d) <= 0 {
			out = append(out, d)
		}
	}
	return out
}

// Waiting is, for every mart of ms whose inputs hold no data yet in the
// engine's view of the lake, the inputs it waits for (kho status shows it).
func Waiting(e *query.Engine, ms []*Mart) map[string][]string {
	order, err := Order(ms)
	if err != nil {
		return nil
	}
	b := &Builder{Engine: e}
	waiting := map[string]bool{}
	out := map[string][]string{}
	for _, m := range order {
		if missing := b.missing(m, waiting); len(missing) > 0 {
			waiting[m.Table()] = true
			out[m.Name] = missing
		}
	}
	return out
}

// inputs are the snapshots the engine's views of the mart's inputs read (0:
// the table does not exist yet).
func (b *Builder) inputs(m *Mart) map[string]int64 {
	out := make(map[string]int64, len(m.DependsOn))
	for _, d := range m.DependsOn {
		if !strings.HasPrefix(d, SystemNamespace+".") {
			out[d] = b.Engine.Snapshot(d)
		}
	}
	return out
}

// last is the summary of the mart's last build and its table (nil when it
// was never built).
func (b *Builder) last(ctx context.Context, m *Mart) (map[string]string, *table.Table) {
	t, err := b.Lake.Load(ctx, m.Table())
	if err != nil {
		return nil, nil
	}
	return lake.LastSummary(t, Pipeline), t
}

// sqlHash identifies the mart's SQL: a changed SQL is rebuilt.
func sqlHash(m *Mart) string {
	h := sha256.Sum256([]byte(m.SQL))
	return hex.EncodeToString(h[:8])
}

// Test runs a mart's tests against its table; it returns the failures.
func (b *Builder) Test(ctx context.Context, m *Mart) ([]string, error) {
	var failures []string
	for _, t := range m.Tests {
		rows, err := b.Engine.DB().QueryContext(ctx, t.SQL)
		if err != nil {
			return failures, fmt.Errorf("%s:%d: test %s(%s): %w", m.File, t.Line, t.Kind, t.Args, err)
		}
		sample, n, err := firstRows(rows, 3)
		if err != nil {
			return failures, fmt.Errorf("%s:%d: test %s(%s): %w", m.File, t.Line, t.Kind, t.Args, err)
		}
		if n > 0 {
			failures = append(failures, fmt.Sprintf("%s:%d: %s: %s(%s) failed: %s", m.File, t.Line, m.Name, t.Kind, t.Args, sample))
		}
	}
	return failures, nil
}

func firstRows(rows *sql.Rows, max int) (string, int, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", 0, err
	}
	var out []string
	n := 0
	for rows.Next() {
		n++
		if n > max {
			continue
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", n, err
		}
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = fmt.Sprintf("%s=%v", c, vals[i])
		}
		out = append(out, "{"+strings.Join(parts, " ")+"}")
	}
	return strings.Join(out, " "), n, rows.Err()
}

// ensure returns the mart's table with a schema that matches the query's,
// recreating it when the mart's columns changed (a mart is rebuilt whole).
func (b *Builder) ensure(ctx context.Context, m *Mart, sc *arrow.Schema) (*table.Table, error) {
	isc, err := table.ArrowSchemaToIcebergWithFreshIDs(sc, true)
	if err != nil {
		return nil, fmt.Errorf("mapping the mart's columns to Iceberg: %w", err)
	}
	t, err := b.Lake.Ensure(ctx, m.Table(), isc, *iceberg.UnpartitionedSpec, iceberg.Properties{"comment": m.Label})
	if err != nil {
		return nil, err
	}
	if sameColumns(t.Schema(), isc) {
		return t, nil
	}
	if err := b.Lake.Drop(ctx, m.Table()); err != nil {
		return nil, fmt.Errorf("dropping %s to change its columns: %w", m.Table(), err)
	}
	return b.Lake.Ensure(ctx, m.Table(), isc, *iceberg.UnpartitionedSpec, iceberg.Properties{"comment": m.Label})
}

func sameColumns(a, b *iceberg.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i, f := range a.Fields() {
		g := b.Fields()[i]
		if f.Name != g.Name || !f.Type.Equals(g.Type) {
			return false
		}
	}
	return true
}

type countingReader struct {
	array.RecordReader
	rows int64
}

func (c *countingReader) Next() bool {
	if !c.RecordReader.Next() {
		return false
	}
	c.rows += c.RecordReader.RecordBatch().NumRows()
	return true
}

// checkFigures checks the mart's figure declarations against its result's
// columns (see Mart.CheckFigures).
func checkFigures(m *Mart, sc *arrow.Schema) error {
	var cols []string
	numeric := map[string]bool{}
	for _, f := range sc.Fields() {
		cols = append(cols, f.Name)
		switch f.Type.ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
			arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256:
			numeric[f.Name] = true
		}
	}
	return m.CheckFigures(cols, numeric)
}
