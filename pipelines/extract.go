package pipelines

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/quality"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
)

// Snapshot summary keys of the runner (beside lake's).
const (
	sumSourceSchema = "kho.source_schema"
	sumDrift        = "kho.drift"
	// sumDeletesChecked is when a run last compared the source's keys with
	// the table's (deletes: detect).
	sumDeletesChecked = "kho.deletes_checked"
)

// extraction is what a run read and conformed, waiting to be committed.
type extraction struct {
	ds        *schemas.Dataset // the dataset as written (evolved, with schema_drift: evolve)
	tbl       *table.Table
	good, bad *lake.Spool
	// deletes are the keys the source deleted (soft deletes); keepOnly,
	// when the run compared keys (deletes: detect), every key the source
	// holds.
	deletes, keepOnly *lake.KeyIndex
	state             connectors.State
	prevState         *connectors.State
	files             map[string]bool // the source files or tables read
	sourceShape       string          // the source's columns, for the next run's drift check
	// changes is the source when it reads a change log (Confirm after the
	// commit).
	changes connectors.Changes
	// tee hashes (and spools) an overwrite's source; inputContext and
	// inputPrint are its fingerprint's context digest and the fingerprint
	// (see inputprint.go). unchanged: the input is the last load's, nothing
	// was conformed and nothing is to be committed.
	tee          *rawTee
	inputContext string
	inputPrint   string
	unchanged    bool
}

func (e *extraction) release() {
	if e.good != nil {
		e.good.Release()
	}
	if e.bad != nil {
		e.bad.Release()
	}
	if e.tee != nil {
		e.tee.release()
	}
}

func tableProps(ds *schemas.Dataset) iceberg.Properties {
	return iceberg.Properties{"comment": ds.Label, "kho.owner": ds.Owner, "kho.classification": ds.Classification}
}

// extract reads the whole source through the conform step into spools.
func (r *Runner) extract(ctx context.Context, p *Pipeline, ds *schemas.Dataset, tbl *table.Table, opt RunOptions, res *Result) (*extraction, error) {
	fail := func(step string, err error) error { return &RunError{Pipeline: p.Name, Step: step, Err: err} }
	ex := &extraction{ds: ds, tbl: tbl, files: map[string]bool{}}
	last := lake.LastSummary(tbl, p.Name)
	// An overwrite replaces the table by the whole source, so it always reads
	// the whole source: no watermark, no skipping of files seen before.
	if !opt.FullRefresh && !p.FullRefresh && p.Target.Mode != lake.Overwrite {
		var st connectors.State
		if err := lake.DecodeState(last, &st); err != nil {
			return ex, fail("reading the incremental state", err)
		}
		if st.Watermark != "" || len(st.Files) > 0 || st.Position != "" {
			ex.prevState = &st
		}
	}
	alloc := r.alloc()
	env := connectors.Env{BaseDir: p.Dir, Logger: r.log().With("pipeline", p.Name), Alloc: alloc, State: ex.prevState, Pipeline: p.Name, DryRun: opt.DryRun}
	src, err := p.SourceConfig.Open(ctx, env)
	if err != nil {
		return ex, fail("opening the source", err)
	}
	defer src.Close()
	tr, err := newTransformer(p.Transforms)
	if err == nil {
		err = tr.check(src.Schema())
	}
	if err != nil {
		return ex, fail("preparing the transforms", err)
	}
	if err := p.NumberFormat.checkColumns(src.Schema()); err != nil {
		return ex, fail("preparing the number formats", err)
	}
	_, changes := src.(connectors.Changes)
	opts := schemas.ConformOptions{Alloc: alloc, Units: r.Units, Today: r.now(), Lookup: quality.Lookup(ctx, r.Lake), Numbers: p.NumberFormats(),
		Versions: changes, KeyBound: r.KeyBound, SpillDir: r.SpoolDir}
	if p.Target.Mode == lake.Merge {
		opts.MergeKey = p.Target.Key // rows without a key cannot be merged
	}
	conf, err := schemas.NewConformer(ds, src.Schema(), p.Mapping, opts)
	if err != nil {
		return ex, fail("planning the conform step", err)
	}
	defer func() { conf.Close() }() // the uniqueness sets' files on disk
	ex.sourceShape = shapeOf(src.Schema())
	drift := diffShapes(last[sumSourceSchema], ex.sourceShape)
	res.Drift = drift
	unused := conf.Unused()
	discard := map[int]bool{} // source columns whose values make a row bad (discard_row)
	if len(drift) > 0 {
		r.log().Warn("schema drift", "pipeline", p.Name, "changes", strings.Join(drift, "; "), "policy", p.SchemaDrift)
		switch p.SchemaDrift {
		case DriftFreeze:
			return ex, fail("checking the source's columns", fmt.Errorf("schema drift with schema_drift: freeze: %s", strings.Join(drift, "; ")))
		case DriftEvolve:
			if len(unused) > 0 {
				var cols []schemas.Column
				for _, name := range unused {
					f, _ := src.Schema().FieldsByName(name)
					cols = append(cols, schemas.ColumnFor(f[0]))
				}
				if ex.ds, err = ds.WithColumns(cols...); err != nil {
					return ex, fail("evolving the dataset", err)
				}
				if ex.tbl, err = r.Lake.Ensure(ctx, ds.Name, ex.ds.IcebergSchema(), ex.ds.PartitionSpec(), tableProps(ds)); err != nil {
					return ex, fail("evolving the table", err)
				}
				conf.Close()
				if conf, err = schemas.NewConformer(ex.ds, src.Schema(), p.Mapping, opts); err != nil {
					return ex, fail("planning the conform step", err)
				}
			}
		case DriftDiscardRow:
			added := addedColumns(last[sumSourceSchema], ex.sourceShape)
			for _, name := range unused {
				if added[name] {
					discard[src.Schema().FieldIndices(name)[0]] = true
				}
			}
		}
	}
	// The keys of a merge select the rows it replaces, so the spool keeps
	// them all; a merge into an empty table replaces nothing (the table's
	// lock is held), so a first load does not keep them.
	keys := p.Target.Key
	cs, _ := src.(connectors.Changes)
	if cs != nil {
		if err := trackKey(p, cs, conf); err != nil {
			return ex, fail("reading the source's changes", err)
		}
		ex.changes = cs
	}
	if lake.RowCount(ex.tbl) == 0 && (cs == nil || cs.Snapshot()) {
		keys = nil
	}
	if ex.good, err = lake.NewSpool(r.SpoolDir, conf.Schema(), alloc, keys); err != nil {
		return ex, fail("spooling", err)
	}
	if r.MergeKeyBound != 0 {
		ex.good.KeyBound(r.MergeKeyBound)
	}
	ex.good.ClusterBy(ex.tbl)
	if keys == nil && !opt.DryRun {
		// the one write: the rows go into the table's data files as they
		// are conformed (a dry run writes nothing into the lake)
		ex.good.Direct(ctx, ex.tbl)
	}
	if p.Target.Mode == lake.Overwrite {
		ex.good.TrackContent() // an unchanged source commits nothing
	}
	if d := p.Target.Deletes; (d != nil && d.Soft != "" || cs != nil) && p.Target.Mode == lake.Merge {
		ex.deletes = lake.NewKeyIndex(p.Target.Key)
	}
	if ex.bad, err = lake.NewSpool(r.SpoolDir, quality.QuarantineArrow(), alloc, nil); err != nil {
		return ex, fail("spooling", err)
	}
	ex.bad.TrackContent(quality.QuarantineRunColumns...)
	in := connectors.Source(src)
	if p.Target.Mode == lake.Overwrite && cs == nil {
		skip, replay, reread, err := r.readInput(ctx, p, src, ex, last, opt, res)
		if err != nil {
			return ex, err
		}
		if skip {
			return ex, nil
		}
		if reread {
			// The source was hashed without a spool and differs: it is
			// read again, and that reading is what is conformed and
			// fingerprinted.
			again, err := p.SourceConfig.Open(ctx, env)
			if err != nil {
				return ex, fail("opening the source again", err)
			}
			defer again.Close()
			if !again.Schema().Equal(src.Schema()) {
				return ex, fail("reading the source again", fmt.Errorf("its columns changed while the run read it (%s, then %s): run it again",
					shapeOf(src.Schema()), shapeOf(again.Schema())))
			}
			src = again
			ex.tee = newRawTee(src, alloc)
			if err := ex.tee.start(r.SpoolDir, false); err != nil {
				return ex, fail("spooling", err)
			}
			in = ex.tee
		} else if replay != nil {
			defer replay.Close()
			in = replay
		} else if ex.tee != nil {
			in = ex.tee
		}
	}
	if err := r.conformAll(ctx, p, in, conf, tr, discard, ex, res); err != nil {
		return ex, err
	}
	if ex.tee != nil {
		ex.inputPrint = ex.tee.print(ex.inputContext).String()
	}
	st := conf.Stats()
	res.Read, res.Written, res.Quarantined, res.Quality = st.Read, st.Written, st.Quarantined, st
	if st.Read != st.Written+st.Quarantined {
		return ex, fail("accounting", fmt.Errorf("rows read %d != written %d + quarantined %d", st.Read, st.Written, st.Quarantined))
	}
	if skipped, ok := src.(interface{ Skipped() int }); ok && skipped.Skipped() > 0 {
		r.log().Info("source rows left out (totals, signatures, empty lines)", "pipeline", p.Name, "rows", skipped.Skipped())
	}
	if cs != nil && p.Target.Mode == lake.Merge {
		if cs.Snapshot() {
			r.snapshotKeepOnly(p, ex)
		} else if err := r.applyDeleted(ctx, p, cs, tr, ex); err != nil {
			return ex, err
		}
	}
	ex.state = sourceState(src, ex.prevState)
	if err := ex.good.Finish(); err != nil {
		return ex, fail("spooling", err)
	}
	if err := ex.bad.Finish(); err != nil {
		return ex, fail("spooling", err)
	}
	return ex, nil
}

// prepareBatch transforms one source batch and marks the rows that schema
// drift makes bad. batch is released.
func (r *Runner) prepareBatch(p *Pipeline, tr *transformer, discard map[int]bool, batch arrow.RecordBatch) (arrow.RecordBatch, error) {
	fail := func(step string, err error) error { return &RunError{Pipeline: p.Name, Step: step, Err: err} }
	alloc := r.alloc()
	in, err := tr.apply(alloc, batch)
	batch.Release()
	if err != nil {
		return nil, fail("transforming", err)
	}
	if len(discard) > 0 {
		marked, err := markDiscarded(alloc, in, discard)
		in.Release()
		if err != nil {
			return nil, fail("checking schema drift", err)
		}
		in = marked
	}
	return in, nil
}

// spoolConformed spools the good rows of a conformed batch and quarantines
// its bad ones. good is released.
func (r *Runner) spoolConformed(p *Pipeline, good arrow.RecordBatch, bad []schemas.Bad, ex *extraction, res *Result) error {
	fail := func(step string, err error) error { return &RunError{Pipeline: p.Name, Step: step, Err: err} }
	if d := p.Target.Deletes; good != nil && ex.deletes != nil && d != nil && d.Soft != "" {
		var err error
		if good, err = r.splitSoftDeleted(context.Background(), good, d.Soft, ex.deletes, ex.good.Keys()); err != nil {
			return fail("reading soft deletes", err)
		}
	}
	if good != nil {
		err := ex.good.Write(good)
		good.Release()
		if err != nil {
			return fail("spooling", err)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	if p.OnError == OnErrorFail {
		b := bad[0]
		return fail("conforming", fmt.Errorf("%s row %d column %s: %s (on_error: fail)", b.File, b.Row, b.Column, b.ReasonEN))
	}
	if len(res.SampleBad) < 10 {
		res.SampleBad = append(res.SampleBad, bad[:min(len(bad), 10-len(res.SampleBad))]...)
	}
	qb := quality.QuarantineBatch(r.alloc(), nil, res.ID, quality.BadRows(p.Name, bad), r.now())
	err := ex.bad.Write(qb)
	qb.Release()
	if err != nil {
		return fail("spooling", err)
	}
	return nil
}

// noteFiles records the source files or tables a batch came from.
func noteFiles(b arrow.RecordBatch, files map[string]bool) {
	idx := b.Schema().FieldIndices(connectors.ColFile)
	if len(idx) == 0 {
		return
	}
	col, ok := b.Column(idx[0]).(*array.String)
	if !ok {
		return
	}
	last := ""
	for j := 0; j < col.Len(); j++ {
		if v := col.Value(j); v != last {
			files[v] = true
			last = v
		}
	}
}

// sourceState is the incremental state after a run: what the source says
// (watermark, files) over what was stored.
func sourceState(src connectors.Source, prev *connectors.State) connectors.State {
	var st connectors.State
	if prev != nil {
		st.Watermark, st.Position = prev.Watermark, prev.Position
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
	if c, ok := src.(connectors.Changes); ok {
		if pos := c.Position(); pos != "" {
			st.Position = pos
		} else if c.Snapshot() {
			st.Position = ""
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

func stateJSON(st connectors.State) string {
	b, _ := json.Marshal(st)
	return string(b)
}
