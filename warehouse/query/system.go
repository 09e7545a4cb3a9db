package query

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/warehouse/lake"
)

// SystemSchema is the DuckDB schema of the lake's own metadata as tables
// (DuckDB reserves the name "system"):
//
//   - kho.tables: one row per dataset the schemas declare and per table of
//     the lake: owner, classification, freshness expectation, the current
//     snapshot (time, rows, files) and the counts of the last pipeline run
//     that wrote it;
//   - kho.snapshots: one row per snapshot of every table, with its summary's
//     run id, pipeline and counts.
//
// Marts read them (the data-development index); they are rewritten by
// Refresh whenever a table changed.
const SystemSchema = "kho"

// DatasetInfo is what the schemas declare about a dataset.
type DatasetInfo struct {
	Name           string // namespace.table
	Label          string
	Owner          string
	Classification string
	// FreshWithin is how old the dataset's last load may be and the dataset
	// still be fresh; 0: no expectation.
	FreshWithin time.Duration
}

const tablesDDL = `CREATE OR REPLACE TABLE kho.tables (
	dataset VARCHAR, namespace VARCHAR, kind VARCHAR, declared BOOLEAN, label VARCHAR, owner VARCHAR,
	classification VARCHAR, fresh_within_hours DOUBLE, in_lake BOOLEAN, snapshot_id BIGINT, snapshots INTEGER,
	last_snapshot_at TIMESTAMPTZ, last_write_at TIMESTAMPTZ, "rows" BIGINT, data_files BIGINT,
	last_pipeline VARCHAR, last_run_id VARCHAR, last_run_at TIMESTAMPTZ,
	rows_read BIGINT, rows_written BIGINT, rows_quarantined BIGINT, delete_files BIGINT, deleted_rows BIGINT)`

const snapshotsDDL = `CREATE OR REPLACE TABLE kho.snapshots (
	dataset VARCHAR, snapshot_id BIGINT, parent_id BIGINT, committed_at TIMESTAMPTZ, operation VARCHAR,
	kho_operation VARCHAR, pipeline VARCHAR, run_id VARCHAR, added_rows BIGINT, deleted_rows BIGINT,
	total_rows BIGINT, total_files BIGINT, is_current BOOLEAN, in_history BOOLEAN,
	rows_read BIGINT, rows_written BIGINT, rows_quarantined BIGINT)`

// writeSystem rewrites kho.tables and kho.snapshots in one transaction.
func (e *Engine) writeSystem(ctx context.Context, tables []*table.Table) error {
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range []string{"CREATE SCHEMA IF NOT EXISTS " + SystemSchema, tablesDDL, snapshotsDDL} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("creating the system tables: %w", err)
		}
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO kho.tables VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	snap, err := tx.PrepareContext(ctx, `INSERT INTO kho.snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer snap.Close()

	inLake := map[string]*table.Table{}
	for _, t := range tables {
		inLake[strings.Join(t.Identifier(), ".")] = t
	}
	declared := map[string]bool{}
	for _, d := range e.datasets {
		declared[d.Name] = true
		if err := insertTable(ctx, ins, d.Name, &d, inLake[d.Name]); err != nil {
			return err
		}
	}
	for name, t := range inLake {
		if !declared[name] {
			if err := insertTable(ctx, ins, name, nil, t); err != nil {
				return err
			}
		}
		for _, s := range lake.Snapshots(t) {
			sum := s.Summary
			if _, err := snap.ExecContext(ctx, name, s.ID, nullInt(s.ParentID), s.Time, s.Operation, nullStr(s.KhoOp),
				nullStr(s.Pipeline), nullStr(s.RunID), s.AddedRows, s.DeletedRows, s.TotalRows, s.TotalFiles, s.Current, s.InHistory,
				count(sum, lake.SumRead), count(sum, lake.SumWritten), count(sum, lake.SumQuarantined)); err != nil {
				return fmt.Errorf("writing kho.snapshots: %w", err)
			}
		}
	}
	return tx.Commit()
}

// insertTable writes the row of one dataset (d nil: not declared) and its
// table (t nil: not in the lake).
func insertTable(ctx context.Context, ins *sql.Stmt, name string, d *DatasetInfo, t *table.Table) error {
	ns, base, _ := strings.Cut(name, ".")
	kind := "table"
	switch {
	case ns == "marts":
		kind = "mart"
	case strings.HasSuffix(base, "__quarantine"):
		kind = "quarantine"
	case d != nil:
		kind = "dataset"
	}
	var label, owner, class string
	var fresh any
	if d != nil {
		label, owner, class = d.Label, d.Owner, d.Classification
		if d.FreshWithin > 0 {
			fresh = d.FreshWithin.Hours()
		}
	} else if t != nil {
		p := t.Properties()
		label, owner, class = p["comment"], p["kho.owner"], p["kho.classification"]
	}
	var (
		snapID, snapAt, lastWrite, pipeline, runID, runAt any
		read, written, quarantined                        any
		rows, files, delFiles, delRows                    int64
		snapshots                                         int
	)
	if t != nil {
		snapshots = len(t.Metadata().Snapshots())
		if s := t.CurrentSnapshot(); s != nil {
			snapID, snapAt = s.SnapshotID, time.UnixMilli(s.TimestampMs)
			if s.Summary != nil {
				// rows are the live rows: the data files' less those their
				// position deletes remove (merge-on-read)
				var err error
				if rows, delRows, err = lake.LiveRows(ctx, t); err != nil {
					return err
				}
				files = atoi(s.Summary.Properties["total-data-files"])
				delFiles = atoi(s.Summary.Properties["total-delete-files"])
			}
		}
		for _, s := range history(t) {
			p := s.Summary
			if lastWrite == nil && p[lake.SumPipeline] != lake.MaintenancePipeline {
				lastWrite = s.Time
			}
			if _, ok := p[lake.SumRead]; ok {
				pipeline, runID, runAt = p[lake.SumPipeline], p[lake.SumRunID], s.Time
				read, written, quarantined = count(p, lake.SumRead), count(p, lake.SumWritten), count(p, lake.SumQuarantined)
				break
			}
		}
	}
	if _, err := ins.ExecContext(ctx, name, ns, kind, d != nil, nullStr(label), nullStr(owner), nullStr(class), fresh, t != nil,
		snapID, snapshots, snapAt, lastWrite, rows, files, pipeline, runID, runAt, read, written, quarantined, delFiles, delRows); err != nil {
		return fmt.Errorf("writing kho.tables: %w", err)
	}
	return nil
}

// history is the current snapshot and its ancestors, newest first.
func history(t *table.Table) []lake.SnapshotInfo {
	all := lake.Snapshots(t)
	var out []lake.SnapshotInfo
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].InHistory {
			out = append(out, all[i])
		}
	}
	return out
}

func count(sum map[string]string, key string) any {
	v, ok := sum[key]
	if !ok {
		return nil
	}
	return atoi(v)
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
