package lake_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
)

// TestBackupRestore backs a lake up twice (the second copies only what the
// commit in between added), loses the lake's catalog, refuses a damaged
// backup without touching the lake, and restores the good one: the lake
// answers as it did at the backup's time, every snapshot included.
func TestBackupRestore(t *testing.T) {
	ctx := t.Context()
	base := t.TempDir()
	root, bdir := filepath.Join(base, "lake"), filepath.Join(base, "backup")
	l, err := lake.Open(ctx, lake.Config{Root: root})
	require.NoError(t, err)
	tbl, err := l.Ensure(ctx, "health.t", rowIceberg, byMonth, nil)
	require.NoError(t, err)
	tbl = commit(t, l, tbl, lake.Append, "p", row{"a", "2025-01-05", 1}, row{"b", "2025-02-05", 2})
	first, err := l.Backup(ctx, bdir)
	require.NoError(t, err)
	assert.Equal(t, 1, first.Tables)
	assert.Equal(t, first.Files, first.Copied, "the first backup copies everything")

	tbl = commit(t, l, tbl, lake.Merge, "p", row{"b", "2025-02-05", 20}, row{"c", "2025-03-01", 3})
	want := read(t, tbl, 0)
	snaps := lake.Snapshots(tbl)
	wantFirst := read(t, tbl, snaps[0].ID)
	second, err := l.Backup(ctx, bdir)
	require.NoError(t, err)
	assert.Less(t, second.Copied, second.Files, "unchanged files are not copied again")
	assert.Greater(t, second.Copied, 0)
	t.Logf("first backup: %d files, %d bytes; second: %d files, %d copied (%d bytes)", first.Files, first.Bytes, second.Files, second.Copied, second.CopiedBytes)

	// A commit after the backup, then the catalog is lost.
	tbl = commit(t, l, tbl, lake.Append, "p", row{"d", "2025-04-01", 4})
	require.NoError(t, l.Close())
	require.NoError(t, os.Truncate(filepath.Join(root, "catalog.db"), 0))
	_, err = lake.Open(ctx, lake.Config{Root: root})
	require.ErrorIs(t, err, lake.ErrCatalogLost)

	// A damaged backup is refused and the lake left as it is.
	damaged := filepath.Join(base, "damaged")
	require.NoError(t, os.CopyFS(damaged, os.DirFS(bdir)))
	files, err := filepath.Glob(filepath.Join(damaged, "lake", "health.db", "t", "data", "*", "*.parquet"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	require.NoError(t, os.Remove(files[0]))
	_, err = lake.Restore(ctx, damaged, lake.Config{Root: root})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "was not touched")
	assert.Contains(t, err.Error(), "is missing")
	fi, err := os.Stat(filepath.Join(root, "catalog.db"))
	require.NoError(t, err)
	assert.Zero(t, fi.Size(), "the lake was not touched")

	res, err := lake.Restore(ctx, bdir, lake.Config{Root: root})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Tables)
	assert.DirExists(t, res.Previous, "the replaced lake is kept aside")
	l, err = lake.Open(ctx, lake.Config{Root: root})
	require.NoError(t, err)
	defer l.Close()
	tbl, err = l.Load(ctx, "health.t")
	require.NoError(t, err)
	assert.Equal(t, want, read(t, tbl, 0), "the lake answers as at the backup's time")
	assert.Equal(t, wantFirst, read(t, tbl, snaps[0].ID), "time travel too")
	chk, err := l.Check(ctx, lake.CheckOptions{})
	require.NoError(t, err)
	assert.Empty(t, chk.Problems)
	// The lake works on: a commit after the restore.
	tbl = commit(t, l, tbl, lake.Append, "p", row{"e", "2025-05-01", 5})
	assert.Len(t, read(t, tbl, 0), len(want)+1)
}
