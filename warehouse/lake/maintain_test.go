package lake_test

import (
	"testing"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/lake/laketest"
)

func dataFiles(t *testing.T, tbl *table.Table, filter iceberg.BooleanExpression) []string {
	t.Helper()
	var opts []table.ScanOption
	if filter != nil {
		opts = append(opts, table.WithRowFilter(filter))
	}
	tasks, err := tbl.Scan(opts...).PlanFiles(t.Context())
	require.NoError(t, err)
	out := make([]string, len(tasks))
	for i, task := range tasks {
		out[i] = lake.LocalPath(task.File.FilePath())
	}
	return out
}

// TestMaintenance runs, on both catalogs, what `kho lake` does to a table
// partitioned by month: partition pruning, delete, compaction, expiry within
// the retention and the pipelines' state, and rollback there and back.
func TestMaintenance(t *testing.T) {
	for _, kind := range laketest.Catalogs {
		t.Run(kind, func(t *testing.T) {
			ctx := t.Context()
			cfg := laketest.Config(t, kind)
			cfg.MinSnapshots = 2
			cfg.Retention = "1h"
			l, err := lake.Open(ctx, cfg)
			require.NoError(t, err)
			defer l.Close()
			tbl, err := l.Ensure(ctx, "health.t", rowIceberg, byMonth, nil)
			require.NoError(t, err)

			// Seven small commits over two months: "p" then "old" then "p" x5.
			tbl = commit(t, l, tbl, lake.Append, "p", row{"a", "2025-01-05", 1})
			tbl = commit(t, l, tbl, lake.Append, "old", row{"b", "2025-02-05", 2})
			for i, id := range []string{"c", "d", "e", "f", "g"} {
				tbl = commit(t, l, tbl, lake.Append, "p", row{id, "2025-0" + string(rune('1'+i%2)) + "-10", int64(3 + i)})
			}
			snaps := lake.Snapshots(tbl)
			require.Len(t, snaps, 7)
			all := read(t, tbl, 0)
			require.Len(t, all, 7)

			// Month partitions are written and pruned: a filter on February
			// plans only February's files.
			files := dataFiles(t, tbl, nil)
			assert.Len(t, files, 7)
			feb := dataFiles(t, tbl, iceberg.NewAnd(
				iceberg.GreaterThanEqual(iceberg.Reference("day"), iceberg.Date(20120)), // 2025-02-01
				iceberg.LessThan(iceberg.Reference("day"), iceberg.Date(20148))))        // 2025-03-01
			assert.Len(t, feb, 3)
			for _, f := range feb {
				assert.Contains(t, f, "/day_month=2025-02/")
			}

			// Compaction: one file per month, the same rows, the state kept.
			tbl, cres, err := l.Compact(ctx, tbl)
			require.NoError(t, err)
			assert.Equal(t, 7, cres.FilesBefore)
			assert.Equal(t, 2, cres.FilesAfter)
			assert.Equal(t, 7, cres.RewrittenFiles)
			assert.Len(t, dataFiles(t, tbl, nil), 2)
			assert.Equal(t, all, read(t, tbl, 0))
			last := lake.Snapshots(tbl)[7]
			assert.Equal(t, "replace", last.Operation)
			assert.Equal(t, "compact", last.KhoOp)
			assert.True(t, last.Current)
			assert.Equal(t, `{"watermark":"old"}`, lake.LastSummary(tbl, "old")[lake.SumState])
			// Compacting again finds nothing to do.
			tbl, cres, err = l.Compact(ctx, tbl)
			require.NoError(t, err)
			assert.Zero(t, cres.Snapshot)

			// Delete: copy-on-write, no delete files.
			beforeDelete := tbl.CurrentSnapshot().SnapshotID
			tbl, err = l.Delete(ctx, tbl, iceberg.GreaterThan(iceberg.Reference("n"), int64(5)), map[string]string{lake.SumPipeline: "p"})
			require.NoError(t, err)
			assert.Len(t, read(t, tbl, 0), 5)
			_, err = lake.DataFiles(ctx, tbl, 0)
			require.NoError(t, err, "no delete files")
			assert.Equal(t, "delete", lake.Snapshots(tbl)[8].KhoOp)

			// Rollback to the compaction, then forward again to the delete
			// (a snapshot no longer in the history).
			tbl, err = l.Rollback(ctx, tbl, beforeDelete)
			require.NoError(t, err)
			assert.Equal(t, all, read(t, tbl, 0))
			afterDelete := lake.Snapshots(tbl)[8]
			assert.False(t, afterDelete.InHistory)
			tbl, err = l.Rollback(ctx, tbl, afterDelete.ID)
			require.NoError(t, err)
			assert.Len(t, read(t, tbl, 0), 5)
			tbl, err = l.Rollback(ctx, tbl, beforeDelete)
			require.NoError(t, err)
			_, err = l.Rollback(ctx, tbl, 12345)
			assert.ErrorContains(t, err, "has no snapshot 12345")

			// Expiry inside the retention removes nothing.
			tbl, eres, err := l.Expire(ctx, tbl)
			require.NoError(t, err)
			assert.Empty(t, eres.Expired)
			assert.Len(t, lake.Snapshots(tbl), 9)

			// With no retention: the two newest are kept (min_snapshots), and
			// back to "old"'s newest snapshot (its state); the first "p"
			// snapshot and the delete a rollback stepped over go, with the
			// files only they referenced.
			cfg.Retention = "0s"
			l0, err := lake.Open(ctx, cfg)
			require.NoError(t, err)
			defer l0.Close()
			tbl, err = l0.Load(ctx, "health.t")
			require.NoError(t, err)
			deleteOnly := snapshotFiles(t, tbl, afterDelete.ID)
			tbl, eres, err = l0.Expire(ctx, tbl)
			require.NoError(t, err)
			assert.Equal(t, 7, eres.Kept, "history back to the newest snapshot of pipeline old")
			assert.ElementsMatch(t, []int64{snaps[0].ID, afterDelete.ID}, eres.Expired)
			assert.Equal(t, `{"watermark":"old"}`, lake.LastSummary(tbl, "old")[lake.SumState])
			assert.Equal(t, all, read(t, tbl, 0))
			for _, s := range tbl.Metadata().Snapshots() {
				for f := range snapshotFiles(t, tbl, s.SnapshotID) {
					assert.FileExists(t, f, "a file of a kept snapshot")
					delete(deleteOnly, f)
				}
			}
			require.NotEmpty(t, deleteOnly, "the delete rewrote files")
			for f := range deleteOnly {
				assert.NoFileExists(t, f, "a file only an expired snapshot read is deleted")
			}
		})
	}
}

func snapshotFiles(t *testing.T, tbl *table.Table, id int64) map[string]bool {
	t.Helper()
	tasks, err := tbl.Scan(table.WithSnapshotID(id)).PlanFiles(t.Context())
	require.NoError(t, err)
	out := map[string]bool{}
	for _, task := range tasks {
		out[lake.LocalPath(task.File.FilePath())] = true
	}
	return out
}
