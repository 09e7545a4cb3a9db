package pipelines

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/quality"
	"github.com/sonla-data/kho/warehouse/lake"
)

// commit writes a run: first its quarantine, then its data with the run id,
// the counts and the new incremental state in the same snapshot.
//
// Exactly once: the data commit is atomic and carries the state, so a crash
// before it makes the next run read the same rows again, and a crash after it
// makes the next run start from the new state. The quarantine is committed
// first; rows that a crashed run quarantined but whose data commit never
// happened are removed by the next run (they carry a run id no data snapshot
// has) before it quarantines them again.
func (r *Runner) commit(ctx context.Context, p *Pipeline, ex *extraction, opt RunOptions, res *Result) error {
	fail := func(step string, err error) error { return &RunError{Pipeline: p.Name, Step: step, Err: err} }
	if ex.unchanged {
		// the input fingerprint is the last load's: so are the rows
		r.log().Info("unchanged input: nothing conformed, nothing committed", "pipeline", p.Name, "dataset", ex.ds.Name)
		res.Snapshot = snapshotID(ex.tbl)
		res.NothingCommitted = true
		res.Changes.Unchanged = res.Written
		return nil
	}
	incremental := ex.prevState != nil
	// The dataset checks (row-count change, key uniqueness across the table)
	// can block the commit: then nothing of the run is committed.
	checkWarnings, err := quality.Check(ctx, ex.ds, ex.tbl, ex.good, p.Target.Mode, p.Target.Key, mergeRemoved(ex))
	if err != nil {
		return fail("checking the dataset", err)
	}
	qCommitted, err := r.commitQuarantine(ctx, p, ex, incremental, res.ID)
	if err != nil {
		return fail("committing the quarantine", err)
	}
	r.at(p, "quarantine_committed")
	state := stateJSON(ex.state)
	prev := lake.LastSummary(ex.tbl, p.Name)
	sameState := prev != nil && prev[lake.SumState] == state && prev[sumSourceSchema] == ex.sourceShape
	mode := p.Target.Mode
	if ex.good.Rows() == 0 && ex.deletes.Len() == 0 && ex.keepOnly == nil && mode != lake.Overwrite && sameState && !qCommitted {
		r.log().Info("nothing new", "pipeline", p.Name, "dataset", ex.ds.Name)
		res.Snapshot = snapshotID(ex.tbl)
		res.NothingCommitted = true
		return nil
	}
	if mode == lake.Merge && ex.good.Rows() == 0 && ex.deletes.Len() == 0 && ex.keepOnly == nil {
		mode = lake.Append // nothing to replace: commit the state alone
	}
	summary := map[string]string{
		lake.SumRunID: res.ID, lake.SumPipeline: p.Name, lake.SumState: state,
		lake.SumRead: strconv.FormatInt(res.Read, 10), lake.SumWritten: strconv.FormatInt(res.Written, 10),
		lake.SumQuarantined: strconv.FormatInt(res.Quarantined, 10), sumSourceSchema: ex.sourceShape,
		quality.SummaryKey: quality.Encode(res.Quality, checkWarnings),
	}
	if ex.inputPrint != "" {
		summary[lake.SumInputFingerprint] = ex.inputPrint
		summary[sumQuarantinePrint] = ex.bad.Fingerprint()
	}
	if len(res.Drift) > 0 {
		summary[sumDrift] = strings.Join(res.Drift, "; ")
	}
	if ex.keepOnly != nil {
		summary[sumDeletesChecked] = r.now().UTC().Format(time.RFC3339)
	}
	// A quarantine commit needs its data commit (the run id ties them: a
	// quarantine commit without one is a crashed run's, removed by the next).
	w := lake.Write{Mode: mode, Key: p.Target.Key, Summary: summary, AllowEmpty: opt.AllowEmpty,
		Deletes: ex.deletes, KeepOnly: ex.keepOnly,
		CommitEmpty: qCommitted || (!sameState && mode != lake.Overwrite), SkipUnchanged: sameStateShape(prev, ex) && !qCommitted}
	if mode == lake.Merge {
		w.Version = versionColumn(p)
	}
	out, err := r.Lake.Write(ctx, ex.tbl, ex.good, w)
	if err != nil {
		return fail("committing", err)
	}
	res.Changes = out.Changes
	res.NothingCommitted = !out.Committed
	res.Snapshot = snapshotID(out.Table)
	if out.Committed {
		r.at(p, "committed")
	} else {
		r.log().Info("unchanged: nothing committed", "pipeline", p.Name, "dataset", ex.ds.Name)
		if ex.inputPrint != "" && !qCommitted {
			r.rememberInput(ctx, p, ex, res)
		}
	}
	return nil
}

// versionColumn is the dataset column a merge screens the table's rows by
// (lake.Write.Version): the source's incremental column, renamed by the
// mapping; "" when the source has none.
func versionColumn(p *Pipeline) string {
	c, ok := p.SourceConfig.(interface{ CursorColumn() string })
	if !ok {
		return ""
	}
	col := c.CursorColumn()
	if to, ok := p.Mapping[col]; ok {
		col = to
	}
	return col
}

// sameStateShape reports whether the source has the columns it had at the
// pipeline's last commit (an overwrite reads no state).
func sameStateShape(prev map[string]string, ex *extraction) bool {
	return prev != nil && prev[sumSourceSchema] == ex.sourceShape
}

func snapshotID(t *table.Table) int64 {
	if s := t.CurrentSnapshot(); s != nil {
		return s.SnapshotID
	}
	return 0
}

// commitQuarantine writes a run's bad rows and reports whether it committed.
// A run that read its source whole replaces the pipeline's quarantine rows of
// the files it read; an incremental run adds to them. Rows left by crashed
// runs are removed first.
func (r *Runner) commitQuarantine(ctx context.Context, p *Pipeline, ex *extraction, incremental bool, runID string) (bool, error) {
	name := ex.ds.Name + QuarantineSuffix
	exists, err := r.Lake.Exists(ctx, name)
	if err != nil {
		return false, err
	}
	if !exists && ex.bad.Rows() == 0 {
		return false, nil
	}
	unlock, err := r.Lake.Lock(ctx, name)
	if err != nil {
		return false, err
	}
	defer unlock()
	t, err := r.Lake.Ensure(ctx, name, QuarantineSchema(), *iceberg.UnpartitionedSpec, iceberg.Properties{
		"comment": "Cách ly: " + ex.ds.Label, "kho.classification": ex.ds.Classification,
	})
	if err != nil {
		return false, err
	}
	summary := map[string]string{lake.SumRunID: runID, lake.SumPipeline: p.Name}
	pipelineRows := iceberg.EqualTo(iceberg.Reference("pipeline"), p.Name)
	var filter iceberg.BooleanExpression
	if orphans := orphanRuns(t, ex.tbl, p.Name); len(orphans) > 0 {
		r.log().Warn("removing the quarantine rows of runs that never committed their data", "pipeline", p.Name, "runs", strings.Join(orphans, ", "))
		filter = iceberg.NewAnd(pipelineRows, iceberg.IsIn(iceberg.Reference("run_id"), orphans...))
	}
	if !incremental && len(ex.files) > 0 {
		files := make([]string, 0, len(ex.files))
		for f := range ex.files {
			files = append(files, f)
		}
		sort.Strings(files)
		replace := iceberg.NewAnd(pipelineRows, iceberg.IsIn(iceberg.Reference("source_file"), files...))
		if filter == nil {
			filter = replace
		} else {
			filter = iceberg.NewOr(filter, replace)
		}
	}
	if filter == nil && ex.bad.Rows() == 0 {
		return false, nil
	}
	// A run that read its source whole and quarantines the rows its last
	// run did (run ids and times aside) leaves the quarantine as it is.
	fp := ex.bad.Fingerprint()
	summary[lake.SumFingerprint] = fp
	if !incremental && len(orphanRuns(t, ex.tbl, p.Name)) == 0 && fp != "" && fp == quarantineFingerprint(t, p.Name) {
		return false, nil
	}
	if filter == nil || lake.RowCount(t) == 0 {
		if ex.bad.Rows() == 0 {
			return false, nil
		}
		_, err = r.Lake.Commit(ctx, t, ex.bad, lake.Write{Mode: lake.Append, Summary: summary})
		return err == nil, err
	}
	_, err = r.Lake.Commit(ctx, t, ex.bad, lake.Write{Mode: lake.Overwrite, Filter: filter, Summary: summary})
	return err == nil, err
}

// quarantineFingerprint is the fingerprint of the quarantine rows of a
// pipeline's last commit to its quarantine table, when no other writer
// (a replay) changed that table since; "" otherwise.
func quarantineFingerprint(t *table.Table, pipeline string) string {
	meta := t.Metadata()
	for s := t.CurrentSnapshot(); s != nil; {
		if s.Summary == nil {
			return ""
		}
		switch s.Summary.Properties[lake.SumPipeline] {
		case pipeline:
			return s.Summary.Properties[lake.SumFingerprint]
		case lake.MaintenancePipeline:
		default:
			if !isPipelineName(s.Summary.Properties[lake.SumPipeline]) {
				return "" // a replay, or a command: the rows may have changed
			}
		}
		if s.ParentSnapshotID == nil {
			return ""
		}
		s = meta.SnapshotByID(*s.ParentSnapshotID)
	}
	return ""
}

func isPipelineName(s string) bool { return pipelineNameRe.MatchString(s) }

// orphanRuns are the runs that committed to the quarantine after the
// pipeline's last data commit, without a data commit of their own: they
// crashed (or failed) between the two. Only runs after the last data commit
// are considered, so that expiring old data snapshots orphans nothing.
func orphanRuns(quarantine, target *table.Table, pipeline string) []string {
	done := map[string]bool{}
	var lastData int64
	for _, s := range target.Metadata().Snapshots() {
		if s.Summary != nil && s.Summary.Properties[lake.SumPipeline] == pipeline {
			done[s.Summary.Properties[lake.SumRunID]] = true
			lastData = max(lastData, s.TimestampMs)
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range quarantine.Metadata().Snapshots() {
		if s.Summary == nil || s.Summary.Properties[lake.SumPipeline] != pipeline || s.TimestampMs < lastData {
			continue
		}
		id := s.Summary.Properties[lake.SumRunID]
		if id != "" && !done[id] && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// mergeRemoved says which of the table's rows a merge deletes besides
// those it replaces, for the dataset checks: the keys of ex.deletes, and,
// with ex.keepOnly, every key it lacks (when keepOnly is the run's own keys,
// every row whose key the run does not hold: those it holds are replaced).
func mergeRemoved(ex *extraction) quality.Removed {
	if ex.deletes.Len() == 0 && ex.keepOnly == nil {
		return nil
	}
	return func(b arrow.RecordBatch, r int) (bool, error) {
		if ex.deletes.Len() > 0 {
			if gone, err := ex.deletes.HasRow(b, r); err != nil || gone {
				return gone, err
			}
		}
		switch {
		case ex.keepOnly == nil:
			return false, nil
		case ex.keepOnly == ex.good.Keys():
			return true, nil
		}
		kept, err := ex.keepOnly.HasRow(b, r)
		return !kept, err
	}
}
