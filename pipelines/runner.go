package pipelines

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

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
	// Workers is the number of goroutines that convert and check a run's
	// batches (0: one per CPU).
	Workers int
	// KeyBound is the number of distinct keys (and values of each unique
	// column) a run's uniqueness check keeps in memory before it spills
	// them to SpoolDir (0: schemas.DefaultKeyBound). Only the memory and
	// the time of a run depend on it, never its outcome.
	KeyBound int
	// MergeKeyBound is the number of keys a merge's key index keeps in
	// memory before it spills them to SpoolDir and the merge runs in passes
	// by group of hash buckets (0: lake.DefaultKeyBound). Only the memory
	// and the time of a run depend on it, never its outcome.
	MergeKeyBound int
	Now           func() time.Time
	Hooks         Hooks
}

// Hooks let the caller watch a run.
type Hooks struct {
	// Progress is called after each batch with the rows read so far.
	Progress func(pipeline string, rowsRead int64)
	// At is called when a run reaches a named point: "extracted",
	// "quarantine_committed", "committed". Crash tests kill the process there.
	At func(pipeline, point string)
}

// RunOptions tune one run.
type RunOptions struct {
	// FullRefresh ignores the stored incremental state.
	FullRefresh bool
	// AllowEmpty lets an overwrite with no rows empty a non-empty table.
	AllowEmpty bool
	// DryRun extracts and conforms but commits nothing.
	DryRun bool
	// Recreate (with FullRefresh) drops the target table, its files and
	// its history first, and loads it anew from the source: the way to take
	// a change of column type or key without `kho lake migrate`.
	Recreate bool
	// TriggeredBy says who or what started the run (cli, schedule, api:<user>).
	TriggeredBy string
}

// Result is what a run did to its target.
type Result struct {
	Run
	Duration time.Duration
	Quality  schemas.Stats
	// Drift lists how the source's columns changed since the last run.
	Drift []string
	// Mode is the write the run made (or would make, in a dry run).
	Mode string
	// SampleBad holds the first bad rows, for a dry run's report.
	SampleBad []schemas.Bad
	DryRun    bool
	// Changes is what the commit did to the table's rows and files (in
	// the Run's counts too).
	Changes lake.Changes
	// NotWritten is, for a failed run, the rows it conformed that never
	// reached the table.
	NotWritten int64
	// InputUnchanged says that the run read the input of the last load (its
	// source's rows and everything else that decides the conformed rows:
	// the input fingerprint of an overwrite) and so conformed nothing and
	// committed nothing; its counts are the last load's.
	InputUnchanged bool
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

func (r *Runner) alloc() memory.Allocator {
	if r.Alloc != nil {
		return r.Alloc
	}
	return memory.DefaultAllocator
}

func (r *Runner) at(p *Pipeline, point string) {
	if r.Hooks.At != nil {
		r.Hooks.At(p.Name, point)
	}
}

// Run runs one pipeline: it reads the source, conforms every row, and commits
// the good rows to the target and the bad ones to its quarantine, recording
// the run. Rows read = rows written + rows quarantined, or the run fails.
// Secrets never appear in the error or the history.
func (r *Runner) Run(ctx context.Context, p *Pipeline, opt RunOptions) (*Result, error) {
	start := r.now()
	res := &Result{Run: Run{ID: NewRunID(start), Pipeline: p.Name, Dataset: p.Target.Dataset,
		TriggeredBy: opt.TriggeredBy, Started: start, Status: StatusRunning}, DryRun: opt.DryRun}
	if res.TriggeredBy == "" {
		res.TriggeredBy = "cli"
	}
	record := r.History != nil && !opt.DryRun
	if record {
		if err := r.History.Save(ctx, res.Run); err != nil {
			return nil, err
		}
	}
	err := RedactError(r.run(ctx, p, opt, res), p.secrets)
	res.Finished = r.now()
	res.Duration = res.Finished.Sub(start)
	res.Status = StatusOK
	if err != nil {
		res.Status = StatusFailed
		res.Error = err.Error()
		// nothing of a failed run stays in the table
		res.Changes, res.NothingCommitted = lake.Changes{}, false
		if !opt.DryRun {
			res.NotWritten = res.Written
			res.Written = 0
		}
	}
	c := res.Changes
	res.Inserted, res.Updated, res.Deleted, res.Unchanged = c.Inserted, c.Updated, c.Deleted, c.Unchanged
	res.FilesAdded, res.FilesRemoved = int64(c.FilesAdded+c.DeleteFilesAdded), int64(c.FilesRemoved)
	if record {
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
	// One writer per table: the lock is held from reading the stored state to
	// the commit, so two runs never load the same rows twice.
	if !opt.DryRun {
		unlock, err := r.Lake.Lock(ctx, ds.Name)
		if err != nil {
			return fail("locking the table", err)
		}
		defer unlock()
	}
	if opt.Recreate && !opt.DryRun {
		if err := r.recreate(ctx, ds.Name); err != nil {
			return fail("dropping the table to recreate it", err)
		}
	}
	props := tableProps(ds)
	if p.Target.Mode == lake.Merge {
		props[lake.PropKey] = strings.Join(p.Target.Key, ",")
	}
	tbl, err := r.Lake.Ensure(ctx, ds.Name, ds.IcebergSchema(), ds.PartitionSpec(), props)
	if err != nil {
		return fail("preparing the table", err)
	}
	if p.Target.Mode == lake.Merge {
		if cur := lake.TableKey(tbl); opt.DryRun && cur != nil && !slices.Equal(cur, p.Target.Key) {
			return fail("preparing the table", &lake.MigrationError{Table: ds.Name, KeyFrom: cur, KeyTo: p.Target.Key})
		} else if !opt.DryRun {
			if tbl, err = r.Lake.CheckKey(ctx, tbl, p.Target.Key); err != nil {
				return fail("preparing the table", err)
			}
		}
	}
	ex, err := r.extract(ctx, p, ds, tbl, opt, res)
	if ex != nil {
		defer ex.release()
	}
	if err != nil {
		return err
	}
	if err := r.detectDeletes(ctx, p, ds, ex, opt); err != nil {
		return err
	}
	r.at(p, "extracted")
	res.Mode = p.Target.Mode
	if opt.DryRun {
		return nil
	}
	// From here on the run finishes its commits even if asked to stop: a
	// commit is atomic, and stopping between two would only make the next
	// run redo this one.
	if err := r.commit(context.WithoutCancel(ctx), p, ex, opt, res); err != nil {
		return err
	}
	r.confirm(context.WithoutCancel(ctx), p, ex)
	return nil
}

// recreate drops a table and its files (Recreate); a table that does not
// exist is no error.
func (r *Runner) recreate(ctx context.Context, name string) error {
	ok, err := r.Lake.Exists(ctx, name)
	if err != nil || !ok {
		return err
	}
	dir, err := r.Lake.Purge(ctx, name)
	if err != nil {
		return err
	}
	r.log().Warn("dropped the table to recreate it", "dataset", name, "folder", dir)
	return nil
}
