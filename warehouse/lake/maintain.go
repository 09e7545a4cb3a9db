package lake

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/apache/iceberg-go/table/compaction"
)

// CompactResult is what compacting one table did.
type CompactResult struct {
	Table          string
	FilesBefore    int
	FilesAfter     int
	RewrittenFiles int
	AddedFiles     int
	BytesBefore    int64
	BytesAfter     int64
	Snapshot       int64 // the compaction's snapshot; 0 when there was nothing to do
}

// Compact rewrites the small data files of a table's current snapshot into
// files of about lake.target_file_mb, partition by partition, in one atomic
// replace snapshot: the rows are the same, only fewer files hold them.
// Partitions with a single file are left alone. The caller holds the
// table's lock (see Lock).
func (l *Lake) Compact(ctx context.Context, t *table.Table) (*table.Table, CompactResult, error) {
	res := CompactResult{Table: name(t)}
	if t.CurrentSnapshot() == nil {
		return t, res, nil
	}
	target := l.cfg.TargetFileBytes()
	cfg := compaction.DefaultConfig()
	cfg.TargetFileSizeBytes = target
	cfg.MinFileSizeBytes = target * 3 / 4
	cfg.MaxFileSizeBytes = target * 9 / 5
	cfg.MinInputFiles = 2
	tasks, err := t.Scan().PlanFiles(ctx)
	if err != nil {
		return nil, res, fmt.Errorf("planning the compaction of %s: %w", res.Table, err)
	}
	res.FilesBefore, res.FilesAfter = len(tasks), len(tasks)
	plan, err := cfg.PlanCompaction(tasks)
	if err != nil {
		return nil, res, fmt.Errorf("planning the compaction of %s: %w", res.Table, err)
	}
	plan.Groups = append(plan.Groups, foldDeletes(cfg, tasks, plan.Groups)...)
	if len(plan.Groups) == 0 {
		return t, res, nil
	}
	groups := make([]table.CompactionTaskGroup, len(plan.Groups))
	for i, g := range plan.Groups {
		groups[i] = table.CompactionTaskGroup{PartitionKey: g.PartitionKey, Tasks: g.Tasks, TotalSizeBytes: g.TotalSizeBytes}
	}
	r, err := t.RewriteDataFiles(ctx, groups, table.RewriteDataFilesOptions{
		SnapshotProps: iceberg.Properties{SumPipeline: MaintenancePipeline, SumOperation: "compact"},
		GroupOptions:  []table.CompactionGroupOption{table.WithCompactionTargetFileSize(target)},
	})
	if err != nil {
		return nil, res, fmt.Errorf("compacting %s: %w", res.Table, err)
	}
	nt := r.Table
	res.RewrittenFiles, res.AddedFiles = r.RemovedDataFiles, r.AddedDataFiles
	res.BytesBefore, res.BytesAfter = r.BytesBefore, r.BytesAfter
	res.FilesAfter = res.FilesBefore - r.RemovedDataFiles + r.AddedDataFiles
	if s := nt.CurrentSnapshot(); s != nil {
		res.Snapshot = s.SnapshotID
	}
	return nt, res, nil
}

// foldDeletes plans the rewrite of the data files whose share of rows
// removed by position deletes passes the threshold and that the size-based
// plan left alone (a partition's only file, say): each is rewritten without
// its deleted rows, and its delete files go.
func foldDeletes(cfg compaction.Config, tasks []table.FileScanTask, planned []compaction.Group) []compaction.Group {
	in := map[string]bool{}
	for _, g := range planned {
		for _, task := range g.Tasks {
			in[task.File.FilePath()] = true
		}
	}
	var heavy []table.FileScanTask
	for _, task := range tasks {
		if !in[task.File.FilePath()] && DeleteShare(task) >= cfg.DeleteRatioThreshold {
			heavy = append(heavy, task)
		}
	}
	if len(heavy) == 0 {
		return nil
	}
	cfg.MinInputFiles = 1
	plan, err := cfg.PlanCompaction(heavy)
	if err != nil {
		return nil
	}
	return plan.Groups
}

// DeleteShare is the share of a data file's rows that its delete files
// remove (0 to 1).
func DeleteShare(task table.FileScanTask) float64 {
	n := task.File.Count()
	if n == 0 || len(task.DeleteFiles) == 0 {
		return 0
	}
	var d int64
	for _, f := range task.DeleteFiles {
		d += f.Count()
	}
	return min(1, float64(d)/float64(n))
}

// ExpireResult is what expiring one table's snapshots did.
type ExpireResult struct {
	Table   string
	Before  int
	Expired []int64
	// Kept is the number of newest snapshots of the current history kept
	// whatever their age: lake.min_snapshots, or more when needed to keep
	// the newest snapshot of every pipeline (its incremental state).
	Kept int
}

// Expire removes the snapshots older than lake.retention, keeping always
// the newest lake.min_snapshots of the table's history, every snapshot
// younger than the retention (in the history or not, e.g. one a rollback
// stepped over), and the newest snapshot written by each pipeline, whose
// summary holds the pipeline's incremental state. Data and manifest files
// that no kept snapshot references are deleted. The caller holds the
// table's lock (see Lock).
func (l *Lake) Expire(ctx context.Context, t *table.Table) (*table.Table, ExpireResult, error) {
	res := ExpireResult{Table: name(t), Before: len(t.Metadata().Snapshots())}
	if t.CurrentSnapshot() == nil {
		return t, res, nil
	}
	retention, err := l.cfg.RetentionDuration()
	if err != nil {
		return nil, res, err
	}
	res.Kept = max(l.cfg.MinSnapshotsToKeep(), stateDepth(t))
	tx := t.NewTransaction()
	if err := tx.ExpireSnapshots(table.WithOlderThan(retention), table.WithRetainLast(res.Kept)); err != nil {
		return nil, res, fmt.Errorf("expiring the snapshots of %s: %w", res.Table, err)
	}
	nt, err := tx.Commit(ctx)
	if err != nil {
		return nil, res, fmt.Errorf("expiring the snapshots of %s: %w", res.Table, err)
	}
	for _, s := range t.Metadata().Snapshots() {
		if nt.SnapshotByID(s.SnapshotID) == nil {
			res.Expired = append(res.Expired, s.SnapshotID)
		}
	}
	return nt, res, nil
}

// stateDepth is how many snapshots of the current history, newest first,
// reach back to the oldest of the pipelines' newest snapshots: keeping them
// keeps every pipeline's incremental state.
func stateDepth(t *table.Table) int {
	seen := map[string]bool{}
	depth, i := 0, 0
	meta := t.Metadata()
	for s := t.CurrentSnapshot(); s != nil; i++ {
		if s.Summary != nil {
			p := s.Summary.Properties[SumPipeline]
			if p != "" && p != MaintenancePipeline && !seen[p] {
				seen[p] = true
				depth = i + 1
			}
		}
		if s.ParentSnapshotID == nil {
			break
		}
		s = meta.SnapshotByID(*s.ParentSnapshotID)
	}
	return depth
}

// Rollback makes a snapshot the table's current one again, as a new
// metadata version (no data is rewritten, and no snapshot is removed: the
// snapshots after it stay readable by id until they expire). A snapshot of
// the current history is rolled back to with Iceberg's rollback; one off
// it (e.g. to undo a rollback) is set as current. The caller holds the
// table's lock (see Lock).
func (l *Lake) Rollback(ctx context.Context, t *table.Table, snapshotID int64) (*table.Table, error) {
	if err := CheckSnapshot(t, snapshotID); err != nil {
		return nil, err
	}
	cur := t.CurrentSnapshot()
	if cur != nil && cur.SnapshotID == snapshotID {
		return t, nil
	}
	lookup := func(id int64) *table.Snapshot { return t.SnapshotByID(id) }
	if cur != nil && table.IsAncestorOf(cur.SnapshotID, snapshotID, lookup) {
		tx := t.NewTransaction()
		if err := tx.RollbackToSnapshot(snapshotID); err != nil {
			return nil, fmt.Errorf("rolling %s back to %d: %w", name(t), snapshotID, err)
		}
		nt, err := tx.Commit(ctx)
		if err != nil {
			return nil, fmt.Errorf("rolling %s back to %d: %w", name(t), snapshotID, err)
		}
		return nt, nil
	}
	var reqs []table.Requirement
	if cur != nil {
		id := cur.SnapshotID
		reqs = append(reqs, table.AssertRefSnapshotID(table.MainBranch, &id))
	}
	upd := table.NewSetSnapshotRefUpdate(table.MainBranch, snapshotID, table.BranchRef, 0, 0, 0)
	if _, _, err := l.cat.CommitTable(ctx, t.Identifier(), reqs, []table.Update{upd}); err != nil {
		return nil, fmt.Errorf("setting snapshot %d current in %s: %w", snapshotID, name(t), err)
	}
	return l.Load(ctx, name(t))
}

// MaintainResult is what Maintain did to one table.
type MaintainResult struct {
	Compact CompactResult
	Expire  ExpireResult
	Took    time.Duration
}

// Maintain compacts then expires one table under its lock: what a
// scheduled maintenance does.
func (l *Lake) Maintain(ctx context.Context, tableName string, compact, expire bool) (MaintainResult, error) {
	start := time.Now()
	var res MaintainResult
	unlock, err := l.Lock(ctx, tableName)
	if err != nil {
		return res, err
	}
	defer unlock()
	t, err := l.Load(ctx, tableName)
	if err != nil {
		return res, err
	}
	if compact {
		if t, res.Compact, err = l.Compact(ctx, t); err != nil {
			return res, err
		}
	}
	if expire {
		if _, res.Expire, err = l.Expire(ctx, t); err != nil {
			return res, err
		}
	}
	res.Took = time.Since(start)
	return res, nil
}
