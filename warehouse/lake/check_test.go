package lake_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
)

// TestCheck breaks a lake's files one way at a time and finds each named by
// `kho lake check` (Lake.Check) with its table, kind and path, the table
// marked broken with the snapshot to roll back to, the other table intact;
// orphans older than the grace period are listed and removed, younger ones
// left alone.
func TestCheck(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	l, err := lake.Open(ctx, lake.Config{Root: root})
	require.NoError(t, err)
	defer l.Close()
	build := func(name string) []int64 {
		tbl, err := l.Ensure(ctx, name, rowIceberg, byMonth, nil)
		require.NoError(t, err)
		tbl = commit(t, l, tbl, lake.Append, "p", row{"a", "2025-01-05", 1})
		tbl = commit(t, l, tbl, lake.Append, "p", row{"b", "2025-02-05", 2})
		var ids []int64
		for _, s := range lake.Snapshots(tbl) {
			ids = append(ids, s.ID)
		}
		return ids
	}
	// newest returns the paths the current snapshot added: its data file
	// and its manifest, and the table's metadata file.
	newest := func(name string) (data, manifest, metadata string) {
		tbl, err := l.Load(ctx, name)
		require.NoError(t, err)
		fsys, err := tbl.FS(ctx)
		require.NoError(t, err)
		s := tbl.CurrentSnapshot()
		mans, err := s.Manifests(fsys)
		require.NoError(t, err)
		for _, m := range mans {
			if m.SnapshotID() != s.SnapshotID {
				continue
			}
			manifest = lake.LocalPath(m.FilePath())
			ents, err := m.FetchEntries(fsys, true)
			require.NoError(t, err)
			data = lake.LocalPath(ents[0].DataFile().FilePath())
		}
		return data, manifest, lake.LocalPath(tbl.MetadataLocation())
	}

	cases := []struct {
		name     string
		breakIt  func(data, manifest, metadata string) string // returns the path named
		kind     string
		detail   string
		rollback bool // the check offers a rollback
	}{
		{"missing data file", func(d, _, _ string) string { require.NoError(t, os.Remove(d)); return d }, lake.ProblemDataFile, "is missing", true},
		{"truncated data file", func(d, _, _ string) string { require.NoError(t, os.Truncate(d, 10)); return d }, lake.ProblemDataFile, "is 10 bytes, the manifest records", true},
		{"missing manifest", func(_, m, _ string) string { require.NoError(t, os.Remove(m)); return m }, lake.ProblemManifest, "is missing", true},
		{"truncated manifest", func(_, m, _ string) string { require.NoError(t, os.Truncate(m, 100)); return m }, lake.ProblemManifest, "is 100 bytes, the manifest list records", true},
		{"truncated metadata", func(_, _, md string) string { require.NoError(t, os.Truncate(md, 200)); return md }, lake.ProblemMetadata, "does not parse (200 bytes)", false},
		{"missing metadata", func(_, _, md string) string { require.NoError(t, os.Remove(md)); return md }, lake.ProblemMetadata, "is missing", false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "health.t" + string(rune('a'+i))
			other := "health.o" + string(rune('a'+i))
			snaps := build(name)
			build(other)
			d, m, md := newest(name)
			path := tc.breakIt(d, m, md)
			res, err := l.Check(ctx, lake.CheckOptions{})
			require.NoError(t, err)
			var mine []lake.Problem
			for _, p := range res.Problems {
				if p.Table == name {
					mine = append(mine, p)
				}
				assert.NotEqual(t, other, p.Table, "the other table is intact")
			}
			require.Len(t, mine, 1, "%v", mine)
			assert.Equal(t, tc.kind, mine[0].Kind)
			assert.Equal(t, path, mine[0].Path)
			assert.Contains(t, mine[0].Detail, tc.detail)
			assert.True(t, mine[0].Current)
			for _, h := range res.Tables {
				switch h.Table {
				case name:
					assert.True(t, h.Broken)
					if tc.rollback {
						assert.Equal(t, snaps[0], h.RollbackTo, "the way out: roll back to the snapshot before")
					}
				case other:
					assert.False(t, h.Broken)
				}
			}
			if tc.rollback {
				// Recovery: roll back, and the table checks clean.
				tbl, err := l.Load(ctx, name)
				require.NoError(t, err)
				_, err = l.Rollback(ctx, tbl, snaps[0])
				require.NoError(t, err)
				h, probs, err := l.TableState(ctx, name)
				require.NoError(t, err)
				assert.False(t, h.Broken, "%v", probs)
				for _, p := range probs {
					assert.False(t, p.Current, "%v", p)
				}
			} else {
				// Recovery: the catalog points back at the previous metadata
				// file; the table loses its last commit and reads again.
				_, err := l.Load(ctx, name)
				require.Error(t, err, "the table does not load")
				prev, err := l.RevertMetadata(ctx, name)
				require.NoError(t, err)
				assert.NotEqual(t, md, prev)
				tbl, err := l.Load(ctx, name)
				require.NoError(t, err)
				assert.Equal(t, []row{{"a", "2025-01-05", 1}}, read(t, tbl, 0))
				h, _, err := l.TableState(ctx, name)
				require.NoError(t, err)
				assert.False(t, h.Broken)
			}
		})
	}

	t.Run("orphans", func(t *testing.T) {
		build("health.orph")
		d, _, _ := newest("health.orph")
		dir := filepath.Dir(d)
		old := filepath.Join(dir, "00000-killed-write.parquet")
		young := filepath.Join(dir, "00000-write-in-progress.parquet")
		dropped := filepath.Join(root, "health.db", "dropped", "data", "x.parquet")
		require.NoError(t, os.MkdirAll(filepath.Dir(dropped), 0o755))
		for _, p := range []string{old, young, dropped} {
			require.NoError(t, os.WriteFile(p, []byte(strings.Repeat("x", 100)), 0o644))
		}
		week := time.Now().Add(-7 * 24 * time.Hour)
		require.NoError(t, os.Chtimes(old, week, week))
		require.NoError(t, os.Chtimes(dropped, week, week))
		// The files of the table whose metadata file was lost are not
		// orphans, however old: that table needs its metadata restored.
		build("health.lost")
		_, _, lostMD := newest("health.lost")
		require.NoError(t, os.Remove(lostMD))
		lost := filepath.Join(root, "health.db", "lost")
		require.NoError(t, filepath.WalkDir(lost, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				err = os.Chtimes(p, week, week)
			}
			return err
		}))
		res, err := l.Check(ctx, lake.CheckOptions{})
		require.NoError(t, err)
		var paths []string
		for _, o := range res.Orphans {
			paths = append(paths, o.Path)
		}
		assert.Contains(t, paths, old)
		assert.Contains(t, paths, dropped)
		assert.NotContains(t, paths, young, "a file younger than the grace period may be a write in progress")
		assert.NotContains(t, paths, d)
		for _, p := range paths {
			assert.NotContains(t, p, lost)
		}
		res, err = l.Check(ctx, lake.CheckOptions{RemoveOrphans: true})
		require.NoError(t, err)
		assert.NoFileExists(t, old)
		assert.NoFileExists(t, dropped)
		assert.FileExists(t, young)
		assert.FileExists(t, d)
		tbl, err := l.Load(ctx, "health.orph")
		require.NoError(t, err)
		assert.Len(t, read(t, tbl, 0), 2, "the table reads whole after the repair")
	})
}
