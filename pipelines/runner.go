package pipelines

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/warehouse/lake"
)

// Runner runs pipelines into a lake.
type Runner struct {
	Lake     *lake.Lake
	Schemas  *schemas.Set
	Units    *units.Set
	History  *History // may be nil
	Log      *slog.Logger
	Alloc    memory.Allocator
	SpoolDir string // temporary files; empty: the system's
	Now      func() time.Time
}

// RunOptions tune one run.
type RunOptions struct {
	// FullRefresh ignores the stored incremental state.
	FullRefresh bool
	// AllowEmpty lets an overwrite with no rows empty a non-empty table.
	AllowEmpty bool
	// TriggeredBy says who or what started the run (cli, schedule, api:<user>).
	TriggeredBy string
}

// Result is what a run did to its target.
type Result struct {
	Run
	Duration time.Duration
	Quality  schemas.Stats
}

// RunError is a failed run: the pipeline, the step and the cause.
type RunError struct {
	Pipeline string
	Step     string
	Err      error
}

func (e *RunError) Error() string {
	return fmt.Sprintf("pipeline %s: %s: %v", e.Pipeline, e.Step, e.Err)
}
func (e *RunError) Unwrap() error { return e.Err }

// NewRunID returns a sortable unique run id.
func NewRunID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func (r *Runner) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Run runs one pipeline: it reads the source, conforms every row, and
// commits the good rows to the target and the bad ones to its quarantine,
// recording the run. Rows read = rows written + rows quarantined, or the run
// fails.
func (r *Runner) Run(ctx context.Context, p *Pipeline, opt RunOptions) (*Result, error) {
	start := r.now()
	res := &Result{Run: Run{ID: NewRunID(start), Pipeline: p.Name, Dataset: p.Target.Dataset,
		TriggeredBy: opt.TriggeredBy, Started: start, Status: StatusRunning}}
	if res.TriggeredBy == "" {
		res.TriggeredBy = "cli"
	}
	if r.History != nil {
		if err := r.History.Save(ctx, res.Run); err != nil {
			return nil, err
		}
	}
	err := r.run(ctx, p, opt, res)
	res.Finished = r.now()
	res.Duration = res.Finished.Sub(start)
	res.Status = StatusOK
	if err != nil {
		res.Status = StatusFailed
		res.Error = err.Error()
	}
	if r.History != nil {
		// The history is written even when the run's context was cancelled.
		if herr := r.History.Save(context.WithoutCancel(ctx), res.Run); herr != nil && err == nil {
			err = herr
		}
	}
	return res, err
}

func (r *Runner) run(ctx context.Context, p *Pipeline, opt RunOptions, res *Result) error {
	fail := func(step string, err error) error { return &RunError{Pipeline: p.Name, Step: step, Err: err} }
	ds, ok := r.Schemas.Get(p.Target.Dataset)
	if !ok {
		return fail("finding the dataset", fmt.Errorf("no schema for %s", p.Target.Dataset))
	}
	alloc := r.Alloc
	if alloc == nil {
		alloc = memory.DefaultAllocator
	}
	tbl, err := r.Lake.Ensure(ctx, ds.Name, ds.IcebergSchema(), ds.PartitionSpec(), iceberg.Properties{
		"comment": ds.Label, "kho.owner": ds.Owner, "kho.classification": ds.Classification,
	})
	if err != nil {
		return fail("preparing the table", err)
	}
	var state *connectors.State
	if !opt.FullRefresh {
		var st connectors.State
		if err := lake.DecodeState(lake.LastSummary(tbl, p.Name), &st); err != nil {
			return fail("reading the incremental state", err)
		}
		if st.Watermark != "" || len(st.Files) > 0 {
			state = &st
		}
	}
	src, err := p.SourceConfig.Open(ctx, connectors.Env{BaseDir: p.Dir, Logger: r.log().With("pipeline", p.Name), Alloc: alloc, State: state})
	if err != nil {
		return fail("opening the source", err)
	}
	defer src.Close()
	conf, err := schemas.NewConformer(ds, src.Schema(), p.Mapping, schemas.ConformOptions{Alloc: alloc, Units: r.Units, Today: r.now()})
	if err != nil {
		return fail("planning the conform step", err)
	}
	spool, err := lake.NewSpool(r.SpoolDir, conf.Schema(), alloc, p.Target.Key)
	if err != nil {
		return fail("spooling", err)
	}
	defer spool.Release()
	qspool, err := lake.NewSpool(r.SpoolDir, quarantineArrow(), alloc, nil)
	if err != nil {
		return fail("spooling", err)
	}
	defer qspool.Release()
	files := map[string]bool{}
	for {
		batch, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail("reading the source", err)
		}
		if i := batch.Schema().FieldIndices(connectors.ColFile); len(i) > 0 {
			col := batch.Column(i[0]).(*array.String)
			for j := 0; j < col.Len(); j++ {
				files[col.Value(j)] = true
			}
		}
		good, bad, err := conf.Conform(batch)
		batch.Release()
		if err != nil {
			return fail("conforming", err)
		}
		if good != nil {
			err = spool.Write(good)
			good.Release()
			if err != nil {
				return fail("spooling", err)
			}
		}
		if len(bad) > 0 {
			if p.OnError == OnErrorFail {
				b := bad[0]
				return fail("conforming", fmt.Errorf("%s row %d column %s: %s (on_error: fail)", b.File, b.Row, b.Column, b.ReasonEN))
			}
			qb := quarantineBatch(alloc, res.ID, p.Name, bad, r.now())
			err = qspool.Write(qb)
			qb.Release()
			if err != nil {
				return fail("spooling", err)
			}
		}
	}
	st := conf.Stats()
	res.Read, res.Written, res.Quarantined, res.Quality = st.Read, st.Written, st.Quarantined, st
	if st.Read != st.Written+st.Quarantined {
		return fail("accounting", fmt.Errorf("rows read %d != written %d + quarantined %d", st.Read, st.Written, st.Quarantined))
	}
	newState := sourceState(src, state)
	stateJSON, _ := json.Marshal(newState)
	summary := map[string]string{
		lake.SumRunID: res.ID, lake.SumPipeline: p.Name, lake.SumState: string(stateJSON),
		lake.SumRead: strconv.FormatInt(st.Read, 10), lake.SumWritten: strconv.FormatInt(st.Written, 10),
		lake.SumQuarantined: strconv.FormatInt(st.Quarantined, 10),
	}
	if err := spool.Finish(); err != nil {
		return fail("spooling", err)
	}
	if err := qspool.Finish(); err != nil {
		return fail("spooling", err)
	}
	// The quarantine is committed first: a crash before the data commit makes
	// the rerun quarantine the same rows again (replaced, not doubled, on a
	// full read), never lose them.
	if err := r.commitQuarantine(ctx, ds, p, qspool, state != nil, files, res.ID); err != nil {
		return fail("committing the quarantine", err)
	}
	if spool.Rows() == 0 && p.Target.Mode != lake.Overwrite && string(stateJSON) == lastState(tbl, p.Name) {
		r.log().Info("nothing new", "pipeline", p.Name, "dataset", ds.Name)
		res.Snapshot = snapshotID(tbl)
		return nil
	}
	mode := p.Target.Mode
	if mode == lake.Merge && spool.Rows() == 0 {
		mode = lake.Append // nothing to replace: commit the state alone
	}
	nt, err := r.Lake.Commit(ctx, tbl, spool, lake.Write{Mode: mode, Key: p.Target.Key, Summary: summary, AllowEmpty: opt.AllowEmpty})
	if err != nil {
		return fail("committing", err)
	}
	res.Snapshot = snapshotID(nt)
	return nil
}

func lastState(t *table.Table, pipeline string) string {
	s := lake.LastSummary(t, pipeline)
	if s == nil {
		return ""
	}
	return s[lake.SumState]
}

func snapshotID(t *table.Table) int64 {
	if s := t.CurrentSnapshot(); s != nil {
		return s.SnapshotID
	}
	return 0
}

// sourceState is the incremental state after a run: what the source says
// (watermark, files) merged over what was stored.
func sourceState(src connectors.Source, prev *connectors.State) connectors.State {
	var st connectors.State
	if prev != nil {
		st.Watermark = prev.Watermark
		for k, v := range prev.Files {
			if st.Files == nil {
				st.Files = map[string]string{}
			}
			st.Files[k] = v
		}
	}
	if w, ok := src.(interface{ Watermark() string }); ok {
		if v := w.Watermark(); v != "" {
			st.Watermark = v
		}
	}
	if f, ok := src.(interface{ Files() map[string]string }); ok {
		for k, v := range f.Files() {
			if st.Files == nil {
				st.Files = map[string]string{}
			}
			st.Files[k] = v
		}
	}
	return st
}

// commitQuarantine writes a run's bad rows. A run that read its source whole
// replaces the pipeline's earlier quarantine rows of the files it read; an
// incremental run adds to them.
func (r *Runner) commitQuarantine(ctx context.Context, ds *schemas.Dataset, p *Pipeline, q *lake.Spool, incremental bool, files map[string]bool, runID string) error {
	if q.Rows() == 0 && (incremental || len(files) == 0) {
		return nil
	}
	name := ds.Name + QuarantineSuffix
	t, err := r.Lake.Ensure(ctx, name, QuarantineSchema(), *iceberg.UnpartitionedSpec, iceberg.Properties{
		"comment": "Cách ly: " + ds.Label, "kho.classification": ds.Classification,
	})
	if err != nil {
		return err
	}
	summary := map[string]string{lake.SumRunID: runID, lake.SumPipeline: p.Name}
	if incremental || lake.RowCount(t) == 0 {
		if q.Rows() == 0 {
			return nil
		}
		_, err = r.Lake.Commit(ctx, t, q, lake.Write{Mode: lake.Append, Summary: summary})
		return err
	}
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	filter := iceberg.NewAnd(iceberg.EqualTo(iceberg.Reference("pipeline"), p.Name),
		iceberg.IsIn(iceberg.Reference("source_file"), names...))
	_, err = r.Lake.Commit(ctx, t, q, lake.Write{Mode: lake.Overwrite, Filter: filter, Summary: summary})
	return err
}
