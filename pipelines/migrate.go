package pipelines

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/quality"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
)

// MigratePipeline names the writer of a migration's snapshots.
const MigratePipeline = "kho lake migrate"

// MigrateResult is what a migration did.
type MigrateResult struct {
	RunID string
	Types []lake.TypeChange
	// KeyFrom and KeyTo are the table's key before and after (equal when
	// the key did not change).
	KeyFrom, KeyTo []string
	// Read rows of the table = Written + Quarantined.
	Read, Written, Quarantined int64
	// Nothing is set when the table already had the dataset's schema and key.
	Nothing  bool
	Snapshot int64
}

// Migrate rewrites a dataset's table into the dataset's current schema and
// key (nil: the table's key stays): every row of the current snapshot goes
// through the conform step of the new schema, the rows that pass are written
// with the new types in one commit (replaced columns get new field ids, so
// the old snapshots stay readable by time travel), and the rows that cannot
// convert, or lack the new key or repeat it, go to the dataset's quarantine
// with the reason.
func (r *Runner) Migrate(ctx context.Context, ds *schemas.Dataset, key []string) (*MigrateResult, error) {
	res := &MigrateResult{RunID: NewRunID(r.now())}
	unlock, err := r.Lake.Lock(ctx, ds.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	t, err := r.Lake.Load(ctx, ds.Name)
	if err != nil {
		return nil, err
	}
	want := ds.IcebergSchema()
	res.Types = lake.TypeChanges(t.Schema(), want)
	res.KeyFrom = lake.TableKey(t)
	res.KeyTo = res.KeyFrom
	if key != nil {
		res.KeyTo = key
	}
	newKey := key != nil && !slices.Equal(res.KeyFrom, key)
	if len(res.Types) == 0 && !newKey {
		res.Nothing = true
		res.Snapshot = snapshotID(t)
		return res, nil
	}
	for _, k := range key {
		if _, ok := ds.Column(k); !ok {
			return nil, fmt.Errorf("migrating %s: key column %q is not a column of the dataset", ds.Name, k)
		}
	}
	// The rows are conformed as a load of the dataset keyed by the new key:
	// a row without it, or repeating it, is bad.
	conformed := *ds
	if len(res.KeyTo) > 0 {
		conformed.Key = res.KeyTo
	}
	alloc := r.alloc()
	good, err := lake.NewSpool(r.SpoolDir, ds.ArrowSchema(), alloc, nil)
	if err != nil {
		return nil, err
	}
	defer good.Release()
	var bad []schemas.Bad
	if t.CurrentSnapshot() != nil {
		sc, batches, err := t.Scan().ToArrowRecords(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", ds.Name, err)
		}
		in := withSource(sc)
		opts := schemas.ConformOptions{Alloc: alloc, Units: r.Units, Today: r.now(), Lookup: quality.Lookup(ctx, r.Lake), MergeKey: res.KeyTo}
		conf, err := schemas.NewConformer(&conformed, in, nil, opts)
		if err != nil {
			return nil, fmt.Errorf("planning the conversion of %s: %w", ds.Name, err)
		}
		from := fmt.Sprintf("%s@%d", ds.Name, t.CurrentSnapshot().SnapshotID)
		for b, err := range batches {
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", ds.Name, err)
			}
			sb := addSource(alloc, in, b, from, res.Read)
			b.Release()
			res.Read += sb.NumRows()
			out, bs, err := conf.Conform(sb)
			sb.Release()
			if err != nil {
				return nil, fmt.Errorf("converting the rows of %s: %w", ds.Name, err)
			}
			bad = append(bad, bs...)
			if out != nil {
				err = good.Write(out)
				out.Release()
				if err != nil {
					return nil, err
				}
			}
		}
	}
	if err := good.Finish(); err != nil {
		return nil, err
	}
	res.Written, res.Quarantined = good.Rows(), int64(len(bad))
	if res.Read != res.Written+res.Quarantined {
		return nil, fmt.Errorf("migrating %s: %d rows read but %d converted and %d quarantined", ds.Name, res.Read, res.Written, res.Quarantined)
	}
	summary := map[string]string{lake.SumRunID: res.RunID, lake.SumPipeline: MigratePipeline,
		lake.SumRead: strconv.FormatInt(res.Read, 10), lake.SumWritten: strconv.FormatInt(res.Written, 10),
		lake.SumQuarantined: strconv.FormatInt(res.Quarantined, 10)}
	if len(bad) > 0 {
		if err := r.quarantineMigrated(ctx, ds, res.RunID, bad, summary); err != nil {
			return nil, fmt.Errorf("quarantining the rows of %s that cannot convert (the table is unchanged): %w", ds.Name, err)
		}
	}
	var mkey []string
	if newKey {
		mkey = key
	}
	nt, err := r.Lake.Migrate(ctx, t, good, lake.Migration{Schema: want, Key: mkey, Summary: summary})
	if err != nil {
		return nil, err
	}
	res.Snapshot = snapshotID(nt)
	return res, nil
}

// quarantineMigrated appends a migration's bad rows to the dataset's
// quarantine.
func (r *Runner) quarantineMigrated(ctx context.Context, ds *schemas.Dataset, runID string, bad []schemas.Bad, summary map[string]string) error {
	name := ds.Name + QuarantineSuffix
	unlock, err := r.Lake.Lock(ctx, name)
	if err != nil {
		return err
	}
	defer unlock()
	q, err := r.Lake.Ensure(ctx, name, QuarantineSchema(), *iceberg.UnpartitionedSpec, iceberg.Properties{
		"comment": "Cách ly: " + ds.Label, "kho.classification": ds.Classification,
	})
	if err != nil {
		return err
	}
	sc, err := lake.Schema(q)
	if err != nil {
		return err
	}
	sp, err := lake.NewSpool(r.SpoolDir, sc, r.alloc(), nil)
	if err != nil {
		return err
	}
	defer sp.Release()
	qb := quality.QuarantineBatch(r.alloc(), sc, runID, quality.BadRows(MigratePipeline, bad), r.now())
	err = sp.Write(qb)
	qb.Release()
	if err == nil {
		err = sp.Finish()
	}
	if err != nil {
		return err
	}
	_, err = r.Lake.Commit(ctx, q, sp, lake.Write{Mode: lake.Append, Summary: summary})
	return err
}

// withSource is sc with the source file and row columns the conform step
// names bad rows by.
func withSource(sc *arrow.Schema) *arrow.Schema {
	fs := append(slices.Clone(sc.Fields()),
		arrow.Field{Name: connectors.ColFile, Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: connectors.ColRow, Type: arrow.PrimitiveTypes.Int64, Nullable: true})
	return arrow.NewSchema(fs, nil)
}

// addSource adds to b the source columns: the table snapshot read, and the
// row's number in it (counted from 1).
func addSource(alloc memory.Allocator, sc *arrow.Schema, b arrow.RecordBatch, from string, before int64) arrow.RecordBatch {
	n := int(b.NumRows())
	fb := array.NewStringBuilder(alloc)
	defer fb.Release()
	rb := array.NewInt64Builder(alloc)
	defer rb.Release()
	for i := range n {
		fb.Append(from)
		rb.Append(before + int64(i) + 1)
	}
	files, rows := fb.NewArray(), rb.NewArray()
	defer files.Release()
	defer rows.Release()
	cols := append(slices.Clone(b.Columns()), files, rows)
	return array.NewRecordBatch(sc, cols, int64(n))
}

// IsMigration reports whether err asks for a migration of a dataset.
func IsMigration(err error) bool { return errors.Is(err, lake.ErrMigration) }
