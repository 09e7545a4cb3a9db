package pipelines

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/warehouse/lake"
)

// StatusKilled is the status `kho lake check --repair` gives a run whose
// process is gone: it is still "running" in the history but nothing holds
// its table's lock.
const StatusKilled = "killed"

// probeLock is how long the repair waits for a table's lock: a lock held
// now belongs to a live run.
const probeLock = 200 * time.Millisecond

// DeadRun is a run that the history says is running but whose process is
// gone.
type DeadRun struct {
	Run
	Marked bool // marked killed in the history
}

// DeadRuns finds the runs still "running" in the history, started more than
// minAge ago (a run may wait that long for its table's lock), whose table's
// lock nobody holds: a run holds it from before it reads until after it
// commits, and the operating system releases it when the process dies. With
// mark, each is recorded as killed.
func DeadRuns(ctx context.Context, h *History, l *lake.Lake, minAge time.Duration, mark bool) ([]DeadRun, error) {
	rows, err := h.db.QueryContext(ctx, `SELECT run_id FROM runs WHERE status = ? ORDER BY started_at`, StatusRunning)
	if err != nil {
		return nil, fmt.Errorf("reading the run history: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []DeadRun
	for _, id := range ids {
		r, err := h.run(ctx, id)
		if err != nil {
			return nil, err
		}
		if time.Since(r.Started) < minAge {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, probeLock)
		unlock, err := l.Lock(pctx, r.Dataset)
		cancel()
		if err != nil {
			if errors.Is(err, lake.ErrLocked) || errors.Is(err, context.DeadlineExceeded) {
				continue // a live run holds it
			}
			return nil, err
		}
		d := DeadRun{Run: r}
		if mark {
			_, err = h.db.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = coalesce(finished_at, ?), error = ?
				WHERE run_id = ? AND status = ?`, StatusKilled, time.Now().UTC().Format(time.RFC3339Nano),
				"the process running it was gone (found by kho lake check); nothing of it was committed unless the lake's snapshot says so",
				r.ID, StatusRunning)
			d.Marked = err == nil
		}
		unlock()
		if err != nil {
			return nil, fmt.Errorf("marking run %s killed: %w", r.ID, err)
		}
		out = append(out, d)
	}
	return out, nil
}

func (h *History) run(ctx context.Context, id string) (Run, error) {
	var r Run
	var start string
	err := h.db.QueryRowContext(ctx, `SELECT run_id, pipeline, dataset, started_at FROM runs WHERE run_id = ?`, id).
		Scan(&r.ID, &r.Pipeline, &r.Dataset, &start)
	if err != nil {
		return r, fmt.Errorf("reading run %s: %w", id, err)
	}
	r.Started, _ = time.Parse(time.RFC3339Nano, start)
	r.Status = StatusRunning
	return r, nil
}

// UncommittedQuarantine is the quarantine rows of runs that committed them
// but never their data (they died or failed between the two commits).
type UncommittedQuarantine struct {
	Table    string
	Pipeline string
	Runs     []string
	Removed  bool
}

// RepairQuarantine finds, in every quarantine table, the rows of runs that
// never committed their data, and with remove deletes them at once (a new
// snapshot; the next run of the pipeline would do it too). A table whose
// target is being written (its lock is held) is left for later.
func RepairQuarantine(ctx context.Context, l *lake.Lake, remove bool) ([]UncommittedQuarantine, error) {
	names, err := l.Tables(ctx)
	if err != nil {
		return nil, err
	}
	var out []UncommittedQuarantine
	for _, qn := range names {
		target, ok := strings.CutSuffix(qn, QuarantineSuffix)
		if !ok {
			continue
		}
		q, err := l.Load(ctx, qn)
		if err != nil {
			continue // a broken table: kho lake check reports it
		}
		t, err := l.Load(ctx, target)
		if err != nil {
			continue
		}
		pipelines := map[string]bool{}
		for _, s := range q.Metadata().Snapshots() {
			if s.Summary != nil && s.Summary.Properties[lake.SumPipeline] != "" {
				pipelines[s.Summary.Properties[lake.SumPipeline]] = true
			}
		}
		for p := range pipelines {
			runs := orphanRuns(q, t, p)
			if len(runs) == 0 {
				continue
			}
			if n, err := quarantineRows(ctx, q, p, runs); err != nil || n == 0 {
				continue // removed already (the snapshots remain in the history)
			}
			u := UncommittedQuarantine{Table: qn, Pipeline: p, Runs: runs}
			if remove {
				if u.Removed, err = removeQuarantineRuns(ctx, l, qn, target, p, runs); err != nil {
					return out, err
				}
			}
			out = append(out, u)
		}
	}
	return out, nil
}

// removeQuarantineRuns deletes the runs' rows under the target's and the
// quarantine's locks, rechecking under them that the runs are still
// uncommitted.
func removeQuarantineRuns(ctx context.Context, l *lake.Lake, qn, target, pipeline string, runs []string) (bool, error) {
	pctx, cancel := context.WithTimeout(ctx, probeLock)
	unlockT, err := l.Lock(pctx, target)
	cancel()
	if err != nil {
		return false, nil // a run is writing the target: it removes them itself
	}
	defer unlockT()
	unlockQ, err := l.Lock(ctx, qn)
	if err != nil {
		return false, err
	}
	defer unlockQ()
	q, err := l.Load(ctx, qn)
	if err != nil {
		return false, err
	}
	t, err := l.Load(ctx, target)
	if err != nil {
		return false, err
	}
	runs = orphanRuns(q, t, pipeline)
	if len(runs) == 0 {
		return false, nil
	}
	filter := runsFilter(pipeline, runs)
	_, err = l.Delete(ctx, q, filter, map[string]string{lake.SumPipeline: lake.MaintenancePipeline, lake.SumOperation: "repair"})
	if err != nil {
		return false, fmt.Errorf("removing the quarantine rows of uncommitted runs from %s: %w", qn, err)
	}
	return true, nil
}

func runsFilter(pipeline string, runs []string) iceberg.BooleanExpression {
	return iceberg.NewAnd(iceberg.EqualTo(iceberg.Reference("pipeline"), pipeline), iceberg.IsIn(iceberg.Reference("run_id"), runs...))
}

// quarantineRows counts the rows of the runs in a quarantine table.
func quarantineRows(ctx context.Context, q *table.Table, pipeline string, runs []string) (int64, error) {
	if q.CurrentSnapshot() == nil {
		return 0, nil
	}
	at, err := q.Scan(table.WithRowFilter(runsFilter(pipeline, runs)), table.WithSelectedFields("run_id")).ToArrowTable(ctx)
	if err != nil {
		return 0, err
	}
	defer at.Release()
	return at.NumRows(), nil
}
