package lake

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// Modes of a write.
const (
	Append    = "append"
	Overwrite = "overwrite"
	Merge     = "merge"
)

// Snapshot summary keys written by Kho.
const (
	SumRunID       = "kho.run_id"
	SumPipeline    = "kho.pipeline"
	SumRead        = "kho.rows_read"
	SumWritten     = "kho.rows_written"
	SumQuarantined = "kho.rows_quarantined"
	SumState       = "kho.state"
	// SumOperation is what Kho did: append, overwrite, merge, delete,
	// compact.
	SumOperation = "kho.operation"
	// SumInputs is, on a mart's snapshot, the snapshot of every table it
	// read (JSON: table -> snapshot id).
	SumInputs = "kho.inputs"
)

// MaintenancePipeline is the kho.pipeline of the snapshots written by
// compaction and by `kho lake` commands.
const MaintenancePipeline = "kho.maintenance"

// ErrEmptyOverwrite refuses to replace a non-empty table by nothing.
var ErrEmptyOverwrite = errors.New("the source gave no rows: refusing to replace a non-empty table by an empty one (use --allow-empty)")

// Write is one commit to one table.
type Write struct {
	Mode string
	// Key is the key of a merge: rows of the table whose key is among the
	// written rows' keys are replaced (copy-on-write).
	Key []string
	// Summary goes into the snapshot summary (run id, counts, state).
	Summary map[string]string
	// AllowEmpty lets an overwrite with no rows empty a non-empty table.
	AllowEmpty bool
	// Filter limits an overwrite to the rows it matches (nil: every row).
	Filter iceberg.BooleanExpression
}

// Commit writes the batches of rdr into t in one atomic Iceberg commit and
// returns the table as committed. For a merge, rdr is read twice: it must be a
// Spool. An append of no rows with nothing to record commits nothing.
func (l *Lake) Commit(ctx context.Context, t *table.Table, rdr array.RecordReader, w Write) (*table.Table, error) {
	props := iceberg.Properties{}
	for k, v := range w.Summary {
		props[k] = v
	}
	if props[SumOperation] == "" {
		props[SumOperation] = cmp.Or(w.Mode, Append)
	}
	tx := t.NewTransaction()
	var err error
	switch w.Mode {
	case Append, "":
		err = appendRecords(ctx, tx, t, rdr, props)
	case Overwrite:
		if sp, ok := rdr.(*Spool); ok && sp.Rows() == 0 && !w.AllowEmpty && w.Filter == nil && rowCount(t) > 0 {
			return nil, ErrEmptyOverwrite
		}
		if t.CurrentSnapshot() == nil {
			err = appendRecords(ctx, tx, t, rdr, props) // nothing to replace
			break
		}
		var opts []table.OverwriteOption
		if w.Filter != nil {
			opts = append(opts, table.WithOverwriteFilter(w.Filter))
		}
		err = tx.Overwrite(ctx, rdr, props, opts...)
	case Merge:
		sp, ok := rdr.(*Spool)
		if !ok {
			return nil, errors.New("merge needs a spooled reader")
		}
		if len(w.Key) == 0 {
			return nil, errors.New("merge needs a key")
		}
		filter, ferr := sp.KeyFilter(w.Key)
		if ferr != nil {
			return nil, ferr
		}
		if filter == nil || rowCount(t) == 0 {
			err = appendRecords(ctx, tx, t, rdr, props)
		} else {
			err = tx.Overwrite(ctx, rdr, props, table.WithOverwriteFilter(filter))
		}
	default:
		return nil, fmt.Errorf("unknown write mode %q", w.Mode)
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", name(t), err)
	}
	nt, err := tx.Commit(ctx)
	if err != nil {
		return nil, fmt.Errorf("committing %s: %w", name(t), err)
	}
	return nt, nil
}

// Delete removes the rows matching filter in one commit (copy-on-write:
// files holding matching rows are rewritten without them, so a snapshot
// never has delete files and DuckDB reads it exactly). The summary goes into
// the snapshot's.
func (l *Lake) Delete(ctx context.Context, t *table.Table, filter iceberg.BooleanExpression, summary map[string]string) (*table.Table, error) {
	if filter == nil {
		return nil, fmt.Errorf("deleting from %s: no filter (to empty a table, overwrite it)", name(t))
	}
	props := iceberg.Properties{}
	for k, v := range summary {
		props[k] = v
	}
	props[SumOperation] = "delete"
	tx := t.NewTransaction()
	if err := tx.Delete(ctx, filter, props); err != nil {
		return nil, fmt.Errorf("deleting from %s: %w", name(t), err)
	}
	nt, err := tx.Commit(ctx)
	if err != nil {
		return nil, fmt.Errorf("committing the delete from %s: %w", name(t), err)
	}
	return nt, nil
}

func name(t *table.Table) string {
	id := t.Identifier()
	if len(id) == 2 {
		return id[0] + "." + id[1]
	}
	return fmt.Sprint(id)
}

// rowCount is the number of rows of the table's current snapshot.
func rowCount(t *table.Table) int64 {
	s := t.CurrentSnapshot()
	if s == nil || s.Summary == nil {
		return 0
	}
	n, _ := strconv.ParseInt(s.Summary.Properties["total-records"], 10, 64)
	return n
}

// RowCount is the number of rows of the table's current snapshot.
func RowCount(t *table.Table) int64 { return rowCount(t) }

// LastSummary walks back from the current snapshot to the newest one written
// by pipeline and returns its summary (nil when there is none).
func LastSummary(t *table.Table, pipeline string) map[string]string {
	meta := t.Metadata()
	for s := t.CurrentSnapshot(); s != nil; {
		if s.Summary != nil && s.Summary.Properties[SumPipeline] == pipeline {
			return s.Summary.Properties
		}
		if s.ParentSnapshotID == nil {
			return nil
		}
		s = meta.SnapshotByID(*s.ParentSnapshotID)
	}
	return nil
}

// DecodeState reads the state a summary carries into v.
func DecodeState(sum map[string]string, v any) error {
	if sum == nil || sum[SumState] == "" {
		return nil
	}
	return json.Unmarshal([]byte(sum[SumState]), v)
}

// Schema is the arrow schema of a table's current schema.
func Schema(t *table.Table) (*arrow.Schema, error) {
	return table.SchemaToArrowSchema(t.Schema(), nil, false, false)
}

// writeQueue is the number of batches queued for each Parquet file being
// written (iceberg-go's default, 64, lets a spool read faster than Parquet is
// encoded pile up in memory).
const writeQueue = 4

// appendRecords appends the batches of rdr in tx. A spool with rows is
// written with table.WriteRecords, with a short queue per file and, when the
// spool is clustered by partition, one Parquet file open at a time (a file
// per partition open at once holds a page and a dictionary per column each),
// and its files are added with AddDataFiles.
func appendRecords(ctx context.Context, tx *table.Transaction, t *table.Table, rdr array.RecordReader, props iceberg.Properties) error {
	sp, ok := rdr.(*Spool)
	if !ok || sp.Rows() == 0 {
		return tx.Append(ctx, rdr, props)
	}
	// WriteRecords releases every batch it takes; the spool keeps its own.
	batches := func(yield func(arrow.RecordBatch, error) bool) {
		for sp.Next() {
			b := sp.RecordBatch()
			b.Retain()
			if !yield(b, nil) {
				return
			}
		}
		if err := sp.Err(); err != nil {
			yield(nil, err)
		}
	}
	opts := []table.WriteRecordOption{table.WithRecordBatchBufferSize(writeQueue)}
	if sp.Clustered() {
		opts = append(opts, table.WithClusteredWrite())
	}
	var files []iceberg.DataFile
	for df, err := range table.WriteRecords(ctx, t, sp.Schema(), batches, opts...) {
		if err != nil {
			return err
		}
		files = append(files, df)
	}
	return tx.AddDataFiles(ctx, files, props, table.WithoutDuplicateCheck())
}
