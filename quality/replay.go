package quality

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/warehouse/lake"
)

// ReplayPipeline is what Replay needs of the pipeline that quarantined rows:
// how its source columns map to the dataset's.
type ReplayPipeline struct {
	Mapping map[string]string
	// Numbers are the number formats the pipeline sets (number_format).
	Numbers schemas.NumberFormats
}

// Replayer replays fixed quarantined rows into their dataset.
type Replayer struct {
	Lake      *lake.Lake
	Units     *units.Set
	Alloc     memory.Allocator
	SpoolDir  string
	Now       func() time.Time
	RunID     string
	Pipelines map[string]ReplayPipeline // by pipeline name
}

// ReplayResult is what a replay did.
type ReplayResult struct {
	RunID    string
	Rows     int64         // records read from the file
	Written  int64         // merged into the dataset
	StillBad []schemas.Bad // failed again: back in the quarantine with their new reason
	Quality  schemas.Stats
}

// replayed is one record of the file.
type replayed struct {
	pipeline, file, key string
	row                 int64
	values              []string
}

// Replay reads a records file (WriteRecords' format, values fixed), runs
// each record through the conform step of the pipeline that quarantined it,
// merges the rows that pass into the dataset by its key (one commit), and
// replaces the records' quarantine rows by those that failed again (one
// commit). A replayed row stays in the dataset until a full run of its
// pipeline overwrites the table: fix the source too.
func (r *Replayer) Replay(ctx context.Context, ds *schemas.Dataset, file string, in io.Reader) (*ReplayResult, error) {
	if len(ds.Key) == 0 {
		return nil, fmt.Errorf("dataset %s has no key: its rows cannot be merged", ds.Name)
	}
	cols, recs, err := readRecords(file, in)
	if err != nil {
		return nil, err
	}
	res := &ReplayResult{RunID: r.RunID, Rows: int64(len(recs))}
	if len(recs) == 0 {
		return res, nil
	}
	alloc := r.Alloc
	if alloc == nil {
		alloc = memory.DefaultAllocator
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	byPipeline := map[string][]replayed{}
	var names []string
	for _, x := range recs {
		if _, ok := r.Pipelines[x.pipeline]; !ok {
			return nil, fmt.Errorf("%s: row from %s %d: no pipeline %q writes %s", file, x.file, x.row, x.pipeline, ds.Name)
		}
		if byPipeline[x.pipeline] == nil {
			names = append(names, x.pipeline)
		}
		byPipeline[x.pipeline] = append(byPipeline[x.pipeline], x)
	}
	sort.Strings(names)
	good, err := lake.NewSpool(r.SpoolDir, ds.ArrowSchema(), alloc, ds.Key)
	if err != nil {
		return nil, err
	}
	defer good.Release()
	var bad []BadRow
	for _, name := range names {
		st, b, err := r.conform(ctx, ds, cols, byPipeline[name], r.Pipelines[name], alloc, good)
		if err != nil {
			return nil, fmt.Errorf("replaying the rows of %s: %w", name, err)
		}
		res.Quality.Add(st)
		for _, x := range b {
			bad = append(bad, BadRow{Pipeline: name, Bad: x})
			res.StillBad = append(res.StillBad, x)
		}
	}
	if err := good.Finish(); err != nil {
		return nil, err
	}
	res.Written = good.Rows()
	summary := map[string]string{lake.SumRunID: r.RunID, lake.SumPipeline: "kho quarantine replay",
		lake.SumRead: strconv.FormatInt(res.Rows, 10), lake.SumWritten: strconv.FormatInt(res.Written, 10),
		lake.SumQuarantined: strconv.FormatInt(int64(len(bad)), 10), SummaryKey: Encode(res.Quality, nil)}
	if good.Rows() > 0 {
		if err := r.merge(ctx, ds, good, summary); err != nil {
			return nil, err
		}
	}
	if err := r.requarantine(ctx, ds, recs, bad, summary, now()); err != nil {
		return nil, fmt.Errorf("updating the quarantine of %s (the fixed rows are committed: replaying the file again is safe): %w", ds.Name, err)
	}
	return res, nil
}

func readRecords(file string, in io.Reader) ([]string, []replayed, error) {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", file, err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	idx := map[string]int{}
	var cols []int
	for i, h := range head {
		if strings.HasPrefix(h, "_") {
			idx[h] = i
		} else {
			cols = append(cols, i)
		}
	}
	for _, m := range []string{MetaPipeline, MetaFile, MetaRow} {
		if _, ok := idx[m]; !ok {
			return nil, nil, fmt.Errorf("%s: column %s is missing (write the file with kho quarantine DATASET --format records)", file, m)
		}
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = head[c]
	}
	var out []replayed
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s line %d: %w", file, line, err)
		}
		if len(rec) != len(head) {
			return nil, nil, fmt.Errorf("%s line %d: %d fields, the header has %d", file, line, len(rec), len(head))
		}
		row, err := strconv.ParseInt(rec[idx[MetaRow]], 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("%s line %d column %s: %q is not a row number", file, line, MetaRow, rec[idx[MetaRow]])
		}
		x := replayed{pipeline: rec[idx[MetaPipeline]], file: rec[idx[MetaFile]], row: row}
		if i, ok := idx[MetaKey]; ok {
			x.key = rec[i]
		}
		for _, c := range cols {
			x.values = append(x.values, rec[c])
		}
		out = append(out, x)
	}
	return names, out, nil
}

// conform runs records through the conform step of their pipeline.
func (r *Replayer) conform(ctx context.Context, ds *schemas.Dataset, cols []string, recs []replayed, p ReplayPipeline, alloc memory.Allocator, good *lake.Spool) (schemas.Stats, []schemas.Bad, error) {
	tb := connectors.NewTextBatcher(alloc, cols)
	defer tb.Release()
	for _, x := range recs {
		vals := make([]*string, len(x.values))
		for i := range x.values {
			if x.values[i] != "" {
				vals[i] = &x.values[i]
			}
		}
		tb.Append(vals, x.file, x.row)
	}
	batch := tb.Flush()
	defer batch.Release()
	// only the mapped columns and those named like the dataset's are read
	mapping := map[string]string{}
	for src, dst := range p.Mapping {
		if batch.Schema().HasField(src) {
			mapping[src] = dst
		}
	}
	c, err := schemas.NewConformer(ds, batch.Schema(), mapping, schemas.ConformOptions{Alloc: alloc, Units: r.Units, Lookup: Lookup(ctx, r.Lake), Numbers: p.Numbers})
	if err != nil {
		return schemas.Stats{}, nil, err
	}
	out, bad, err := c.Conform(batch)
	if err != nil {
		return schemas.Stats{}, nil, err
	}
	if out != nil {
		err = good.Write(out)
		out.Release()
	}
	return c.Stats(), bad, err
}

// merge upserts the good rows into the dataset by its key (the lake's merge:
// merge-on-read, one commit).
func (r *Replayer) merge(ctx context.Context, ds *schemas.Dataset, good *lake.Spool, summary map[string]string) error {
	unlock, err := r.Lake.Lock(ctx, ds.Name)
	if err != nil {
		return err
	}
	defer unlock()
	t, err := r.Lake.Ensure(ctx, ds.Name, ds.IcebergSchema(), ds.PartitionSpec(), iceberg.Properties{"comment": ds.Label})
	if err != nil {
		return err
	}
	good.Rewind()
	if _, err := r.Lake.Commit(ctx, t, good, lake.Write{Mode: lake.Merge, Key: ds.Key, Summary: summary}); err != nil {
		return fmt.Errorf("merging the fixed rows into %s: %w", ds.Name, err)
	}
	return nil
}

func orAll(terms []iceberg.BooleanExpression) iceberg.BooleanExpression {
	switch len(terms) {
	case 0:
		return iceberg.AlwaysFalse{}
	case 1:
		return terms[0]
	}
	mid := len(terms) / 2
	return iceberg.NewOr(orAll(terms[:mid]), orAll(terms[mid:]))
}

// requarantine replaces the quarantine rows of the replayed records by the
// records that failed again.
func (r *Replayer) requarantine(ctx context.Context, ds *schemas.Dataset, recs []replayed, bad []BadRow, summary map[string]string, at time.Time) error {
	name := ds.Name + QuarantineSuffix
	t, err := r.Lake.Load(ctx, name)
	if err != nil {
		return err
	}
	unlock, err := r.Lake.Lock(ctx, name)
	if err != nil {
		return err
	}
	defer unlock()
	var terms []iceberg.BooleanExpression
	for _, x := range recs {
		terms = append(terms, iceberg.NewAnd(iceberg.EqualTo(iceberg.Reference("pipeline"), x.pipeline),
			iceberg.NewAnd(iceberg.EqualTo(iceberg.Reference("source_file"), x.file), iceberg.EqualTo(iceberg.Reference("source_row"), x.row))))
	}
	filter := orAll(terms)
	if len(bad) == 0 {
		_, err = r.Lake.Delete(ctx, t, filter, summary)
		return err
	}
	sc, err := lake.Schema(t)
	if err != nil {
		return err
	}
	alloc := r.Alloc
	if alloc == nil {
		alloc = memory.DefaultAllocator
	}
	sp, err := lake.NewSpool(r.SpoolDir, sc, alloc, nil)
	if err != nil {
		return err
	}
	defer sp.Release()
	qb := QuarantineBatch(alloc, sc, r.RunID, bad, at)
	err = sp.Write(qb)
	qb.Release()
	if err != nil {
		return err
	}
	if err := sp.Finish(); err != nil {
		return err
	}
	_, err = r.Lake.Commit(ctx, t, sp, lake.Write{Mode: lake.Overwrite, Filter: filter, Summary: summary})
	return err
}
