package pipelines

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the history's driver

	"github.com/sonla-data/kho/internal/sqlitedsn"
)

// Run is one run of one pipeline, as kept in the history.
type Run struct {
	ID          string
	Pipeline    string
	Dataset     string
	TriggeredBy string
	Started     time.Time
	Finished    time.Time
	Status      string // running | ok | failed
	Read        int64
	Written     int64
	Quarantined int64
	Snapshot    int64
	Error       string
	// What the run did to the table: rows inserted, updated (replaced),
	// deleted and unchanged; data and delete files added, data files
	// removed. Unchanged runs committed nothing. A failed run wrote nothing.
	Inserted, Updated, Deleted, Unchanged int64
	FilesAdded, FilesRemoved              int64
	NothingCommitted                      bool
}

// Run statuses.
const (
	StatusRunning = "running"
	StatusOK      = "ok"
	StatusFailed  = "failed"
)

// History keeps every run in a SQLite file beside the lake.
type History struct{ db *sql.DB }

// OpenHistory opens (creating) the history at path.
func OpenHistory(ctx context.Context, path string) (*History, error) {
	db, err := sql.Open("sqlite", sqlitedsn.File(path, "_pragma=busy_timeout(10000)", "_pragma=journal_mode(WAL)"))
	if err != nil {
		return nil, fmt.Errorf("opening the run history %s: %w", path, err)
	}
	_, err = db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS runs (
		run_id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, dataset TEXT NOT NULL, triggered_by TEXT NOT NULL,
		started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
		rows_read INTEGER NOT NULL DEFAULT 0, rows_written INTEGER NOT NULL DEFAULT 0,
		rows_quarantined INTEGER NOT NULL DEFAULT 0, snapshot_id INTEGER, error TEXT)`)
	if err == nil {
		_, err = db.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS runs_pipeline ON runs (pipeline, started_at)`)
	}
	// columns added since the first version of the history
	for _, c := range changeColumns {
		if err != nil {
			break
		}
		if _, aerr := db.ExecContext(ctx, `ALTER TABLE runs ADD COLUMN `+c+` INTEGER NOT NULL DEFAULT 0`); aerr != nil && !strings.Contains(aerr.Error(), "duplicate column") {
			err = aerr
		}
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the run history %s: %w", path, err)
	}
	return &History{db: db}, nil
}

// changeColumns are the history's columns of what a run changed.
var changeColumns = []string{"rows_inserted", "rows_updated", "rows_deleted", "rows_unchanged", "files_added", "files_removed", "nothing_committed"}

// Close closes the history.
func (h *History) Close() error { return h.db.Close() }

// Save inserts or updates a run.
func (h *History) Save(ctx context.Context, r Run) error {
	var fin any
	if !r.Finished.IsZero() {
		fin = r.Finished.UTC().Format(time.RFC3339Nano)
	}
	_, err := h.db.ExecContext(ctx, `INSERT INTO runs (run_id, pipeline, dataset, triggered_by, started_at, finished_at, status,
		rows_read, rows_written, rows_quarantined, snapshot_id, error,
		rows_inserted, rows_updated, rows_deleted, rows_unchanged, files_added, files_removed, nothing_committed)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (run_id) DO UPDATE SET finished_at = excluded.finished_at, status = excluded.status,
		rows_read = excluded.rows_read, rows_written = excluded.rows_written, rows_quarantined = excluded.rows_quarantined,
		snapshot_id = excluded.snapshot_id, error = excluded.error,
		rows_inserted = excluded.rows_inserted, rows_updated = excluded.rows_updated, rows_deleted = excluded.rows_deleted,
		rows_unchanged = excluded.rows_unchanged, files_added = excluded.files_added, files_removed = excluded.files_removed,
		nothing_committed = excluded.nothing_committed`,
		r.ID, r.Pipeline, r.Dataset, r.TriggeredBy, r.Started.UTC().Format(time.RFC3339Nano), fin, r.Status,
		r.Read, r.Written, r.Quarantined, r.Snapshot, r.Error,
		r.Inserted, r.Updated, r.Deleted, r.Unchanged, r.FilesAdded, r.FilesRemoved, r.NothingCommitted)
	if err != nil {
		return fmt.Errorf("saving run %s: %w", r.ID, err)
	}
	return nil
}

// Runs returns the newest runs first, of one pipeline or of all (pipeline "").
func (h *History) Runs(ctx context.Context, pipeline string, limit int) ([]Run, error) {
	q := `SELECT run_id, pipeline, dataset, triggered_by, started_at, coalesce(finished_at, ''), status,
		rows_read, rows_written, rows_quarantined, coalesce(snapshot_id, 0), coalesce(error, ''),
		rows_inserted, rows_updated, rows_deleted, rows_unchanged, files_added, files_removed, nothing_committed FROM runs`
	var args []any
	if pipeline != "" {
		q += ` WHERE pipeline = ?`
		args = append(args, pipeline)
	}
	q += ` ORDER BY started_at DESC LIMIT ?`
	args = append(args, limit)
	rows, err := h.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the run history: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var start, fin string
		if err := rows.Scan(&r.ID, &r.Pipeline, &r.Dataset, &r.TriggeredBy, &start, &fin, &r.Status,
			&r.Read, &r.Written, &r.Quarantined, &r.Snapshot, &r.Error,
			&r.Inserted, &r.Updated, &r.Deleted, &r.Unchanged, &r.FilesAdded, &r.FilesRemoved, &r.NothingCommitted); err != nil {
			return nil, err
		}
		r.Started, _ = time.Parse(time.RFC3339Nano, start)
		if fin != "" {
			r.Finished, _ = time.Parse(time.RFC3339Nano, fin)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Latest returns the newest run of every pipeline.
func (h *History) Latest(ctx context.Context) ([]Run, error) {
	rows, err := h.db.QueryContext(ctx, `SELECT DISTINCT pipeline FROM runs ORDER BY pipeline`)
	if err != nil {
		return nil, fmt.Errorf("reading the run history: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	var out []Run
	for _, n := range names {
		rs, err := h.Runs(ctx, n, 1)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// LastOK returns the newest successful run of a pipeline.
func (h *History) LastOK(ctx context.Context, pipeline string) (Run, bool, error) {
	var r Run
	var start, fin string
	err := h.db.QueryRowContext(ctx, `SELECT run_id, started_at, coalesce(finished_at, '') FROM runs
		WHERE pipeline = ? AND status = ? ORDER BY started_at DESC LIMIT 1`, pipeline, StatusOK).Scan(&r.ID, &start, &fin)
	if err == sql.ErrNoRows {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("reading the run history: %w", err)
	}
	r.Pipeline, r.Status = pipeline, StatusOK
	r.Started, _ = time.Parse(time.RFC3339Nano, start)
	r.Finished, _ = time.Parse(time.RFC3339Nano, fin)
	return r, true, nil
}
