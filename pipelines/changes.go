package pipelines

import (
	"context"
	"fmt"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
)

// Change data capture (a source with incremental mode cdc): the source's
// batches are the rows inserted or updated since the stored position, and
// a merge applies them; the keys the source deleted join the merge's
// deletes, and the rows of those keys spooled earlier in the run are left
// out. A snapshot (a first run, a full refresh) is the source whole: the
// table's rows whose key it lacks are deleted. The position goes into the
// commit's state, and the source is told (Confirm) once the commit holds it.

// capturesChanges reports whether a pipeline reads a change log.
func capturesChanges(p *Pipeline) bool {
	cc, ok := p.SourceConfig.(connectors.ChangeCapture)
	return ok && cc.CapturesChanges()
}

// trackKey tells a change source which of its columns are the target's key.
func trackKey(p *Pipeline, cs connectors.Changes, conf *schemas.Conformer) error {
	cols := make([]string, len(p.Target.Key))
	for i, k := range p.Target.Key {
		src, ok := conf.SourceColumn(k)
		if !ok {
			return fmt.Errorf("no source column feeds key column %q", k)
		}
		cols[i] = src
	}
	return cs.TrackKey(cols)
}

// applyDeleted conforms the keys the change source deleted (transforms and
// the key columns' rules, as their rows were) and adds them to the merge's
// deletes, taking them out of the spool's keys. A deleted key that does not
// conform cannot be in the table: it is counted and left.
func (r *Runner) applyDeleted(ctx context.Context, p *Pipeline, cs connectors.Changes, tr *transformer, ex *extraction) error {
	fail := func(step string, err error) error { return &RunError{Pipeline: p.Name, Step: step, Err: err} }
	batches := cs.Deleted()
	defer func() {
		for _, b := range batches {
			if b != nil {
				b.Release()
			}
		}
	}()
	if len(batches) == 0 {
		return nil
	}
	keyDS := *ex.ds
	keyDS.Columns, keyDS.Checks, keyDS.DatasetChecks, keyDS.Partition = nil, nil, nil, nil
	keyDS.Key = p.Target.Key
	for _, c := range ex.ds.Columns {
		if keyDS.IsKey(c.Name) {
			c.Unique = false
			keyDS.Columns = append(keyDS.Columns, c)
		}
	}
	mapping := map[string]string{}
	for src, dst := range p.Mapping {
		if keyDS.IsKey(dst) {
			mapping[src] = dst
		}
	}
	opts := schemas.ConformOptions{Alloc: r.alloc(), Units: r.Units, Today: r.now(), Numbers: p.NumberFormats()}
	conf, err := schemas.NewConformer(&keyDS, cs.Schema(), mapping, opts)
	if err != nil {
		return fail("planning the deletes' keys", err)
	}
	var skipped int
	for i, b := range batches {
		batches[i] = nil
		in, err := r.prepareBatch(p, tr, nil, b)
		if err != nil {
			return err
		}
		good, bad, err := conf.Conform(in)
		in.Release()
		if err != nil {
			return fail("conforming the deletes' keys", err)
		}
		skipped += len(bad)
		if good == nil {
			continue
		}
		err = ex.deletes.Add(good, nil)
		if err == nil && ex.good.Keys() != nil {
			err = ex.good.Keys().Remove(good)
		}
		good.Release()
		if err != nil {
			return fail("reading the deletes", err)
		}
	}
	if skipped > 0 {
		r.log().Warn("cdc: deletes whose key does not conform were left (no row of the table has such a key)", "pipeline", p.Name, "deletes", skipped)
	}
	return nil
}

// snapshotKeepOnly makes a change source's snapshot delete the table's rows
// it lacks (when the run has the table's keys: a table that was empty has
// none to delete), unless rows were quarantined, whose keys are not known
// for sure.
func (r *Runner) snapshotKeepOnly(p *Pipeline, ex *extraction) {
	if ex.good.Keys() == nil {
		return
	}
	if ex.bad.Rows() > 0 {
		r.log().Warn("cdc: the snapshot quarantined rows: the table's rows missing from it are kept", "pipeline", p.Name, "rows", ex.bad.Rows())
		return
	}
	ex.keepOnly = ex.good.Keys()
}

// confirm tells a change source that its position is committed. A failure
// leaves the slot where it was (the next run confirms it): the run is not
// failed for it, its data is committed.
func (r *Runner) confirm(ctx context.Context, p *Pipeline, ex *extraction) {
	if ex == nil || ex.changes == nil {
		return
	}
	if err := ex.changes.Confirm(ctx); err != nil {
		r.log().Warn("cdc: could not advance the source's replication slot; the next run will", "pipeline", p.Name, "error", RedactError(err, p.secrets).Error())
	}
}

// validateChanges refuses what a change-log pipeline cannot do: it applies
// changes by key (mode merge with a key), the log carries the deletes
// (no deletes: detect, which reads the source whole), and every run reads
// from the stored position (no full_refresh: true; kho run --full-refresh
// takes a new snapshot once).
func validateChanges(p *Pipeline, bad func(path []any, format string, a ...any)) {
	if p.Target.Mode != lake.Merge {
		bad([]any{"target", "mode"}, "source.incremental.mode cdc needs target.mode merge (changes are applied by key)")
	} else if len(p.Target.Key) == 0 {
		bad([]any{"target", "key"}, "source.incremental.mode cdc needs a key (target.key, or the dataset's key)")
	}
	if d := p.Target.Deletes; d != nil && d.Detect {
		bad([]any{"target", "deletes"}, "deletes: detect is not for source.incremental.mode cdc: the change log carries the deletes")
	}
	if p.FullRefresh {
		bad([]any{"full_refresh"}, "full_refresh: true would take a new snapshot at every run of a cdc source; use kho run --full-refresh once")
	}
}
