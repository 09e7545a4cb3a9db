package lake_test

import (
	"database/sql"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/lake/laketest"
)

// copyTree copies the folder src to dst (files, modes; no links).
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(to)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}))
}

// everyLocation lists the metadata file, the manifest lists, the manifests
// and the data files that the table's metadata names, for every snapshot.
func everyLocation(t *testing.T, tbl *table.Table) []string {
	t.Helper()
	out := []string{tbl.MetadataLocation(), tbl.Location()}
	for _, s := range tbl.Metadata().Snapshots() {
		out = append(out, s.ManifestList)
		fsys, err := tbl.FS(t.Context())
		require.NoError(t, err)
		mans, err := s.Manifests(fsys)
		require.NoError(t, err)
		for _, m := range mans {
			out = append(out, m.FilePath())
			ents, err := m.FetchEntries(fsys, false)
			require.NoError(t, err)
			for _, e := range ents {
				out = append(out, e.DataFile().FilePath())
			}
		}
	}
	return out
}

// TestCopiedLakeIsIndependent copies a lake whose table has several
// snapshots (appends, a merge, a compaction), opens the copy, writes,
// compacts and expires there, and finds the original byte-identical: the
// copy rewrote its locations on open and never read or wrote the
// original's files. Every snapshot of the copy reads its own files, with
// the rows the original has.
func TestCopiedLakeIsIndependent(t *testing.T) {
	ctx := t.Context()
	base := t.TempDir()
	orig, cp := filepath.Join(base, "lake"), filepath.Join(base, "copy")
	cfg := lake.Config{Root: orig, MinSnapshots: 1, Retention: "0s"}
	l, err := lake.Open(ctx, cfg)
	require.NoError(t, err)
	assert.Nil(t, l.Relocated(), "a new lake is not relocated")
	tbl, err := l.Ensure(ctx, "health.t", rowIceberg, byMonth, nil)
	require.NoError(t, err)
	tbl = commit(t, l, tbl, lake.Append, "p", row{"a", "2025-01-05", 1}, row{"b", "2025-02-05", 2})
	tbl = commit(t, l, tbl, lake.Append, "p", row{"c", "2025-01-07", 3})
	tbl = commit(t, l, tbl, lake.Merge, "p", row{"b", "2025-02-05", 20}, row{"d", "2025-02-06", 4})
	tbl, _, err = l.Compact(ctx, tbl)
	require.NoError(t, err)
	want := read(t, tbl, 0)
	snaps := lake.Snapshots(tbl)
	first := read(t, tbl, snaps[0].ID)
	require.NoError(t, l.Close())

	copyTree(t, orig, cp)
	before := laketest.TreeState(t, orig)

	c, err := lake.Open(ctx, lake.Config{Root: cp, MinSnapshots: 1, Retention: "0s"})
	require.NoError(t, err)
	rel := c.Relocated()
	require.NotNil(t, rel, "the copy is found at a new root")
	assert.Equal(t, lake.Relocation{From: orig, To: cp, Tables: 1}, *rel)
	ct, err := c.Load(ctx, "health.t")
	require.NoError(t, err)
	for _, loc := range everyLocation(t, ct) {
		assert.True(t, strings.HasPrefix(lake.LocalPath(loc), cp+"/"), "%s is under the copy", loc)
	}
	assert.Equal(t, want, read(t, ct, 0), "the copy reads what the original reads")
	assert.Equal(t, first, read(t, ct, snaps[0].ID), "time travel in the copy reads the copy's files")
	assert.Len(t, lake.Snapshots(ct), len(snaps), "every snapshot is kept")

	// The version before the relocation names the original's files: the
	// repair of a damaged metadata file never goes back to it.
	_, err = c.RevertMetadata(ctx, "health.t")
	require.Error(t, err, "the metadata reads: nothing to revert")
	// Write, compact and expire in the copy.
	ct = commit(t, c, ct, lake.Merge, "p", row{"a", "2025-01-05", 100}, row{"e", "2025-03-01", 5})
	ct = commit(t, c, ct, lake.Append, "q", row{"f", "2025-03-02", 6})
	ct, _, err = c.Compact(ctx, ct)
	require.NoError(t, err)
	ct, exp, err := c.Expire(ctx, ct)
	require.NoError(t, err)
	assert.NotEmpty(t, exp.Expired, "expiry removed snapshots (and their files) in the copy")
	got := read(t, ct, 0)
	assert.Len(t, got, 6)
	require.NoError(t, c.Close())

	assert.Equal(t, before, laketest.TreeState(t, orig), "the original lake is byte-identical, with no file added or removed")

	// A relocated table whose metadata is damaged before any new commit is
	// not reverted to the pre-relocation version (it names the original's
	// files).
	cp2 := filepath.Join(base, "copy2")
	copyTree(t, orig, cp2)
	c2, err := lake.Open(ctx, lake.Config{Root: cp2})
	require.NoError(t, err)
	t2, err := c2.Load(ctx, "health.t")
	require.NoError(t, err)
	require.NoError(t, os.Truncate(lake.LocalPath(t2.MetadataLocation()), 10))
	_, err = c2.RevertMetadata(ctx, "health.t")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "before the lake was moved")
	require.NoError(t, c2.Close())
	assert.Equal(t, before, laketest.TreeState(t, orig))

	// Reopening the copy does not relocate again; the original still reads
	// as it did.
	c, err = lake.Open(ctx, lake.Config{Root: cp})
	require.NoError(t, err)
	assert.Nil(t, c.Relocated())
	ct, err = c.Load(ctx, "health.t")
	require.NoError(t, err)
	assert.Equal(t, got, read(t, ct, 0))
	require.NoError(t, c.Close())
	l, err = lake.Open(ctx, lake.Config{Root: orig})
	require.NoError(t, err)
	defer l.Close()
	assert.Nil(t, l.Relocated())
	tbl, err = l.Load(ctx, "health.t")
	require.NoError(t, err)
	assert.Equal(t, want, read(t, tbl, 0))
}

// TestCatalogNeverMistakenForNew breaks the SQLite catalog of a lake in
// every way seen in the field and finds each refused with a message naming
// the restore command, the catalog file left as it was, and the lake
// working again once the catalog is restored.
func TestCatalogNeverMistakenForNew(t *testing.T) {
	ctx := t.Context()
	root := filepath.Join(t.TempDir(), "lake")
	l, err := lake.Open(ctx, lake.Config{Root: root})
	require.NoError(t, err)
	tbl, err := l.Ensure(ctx, "health.t", rowIceberg, byMonth, nil)
	require.NoError(t, err)
	tbl = commit(t, l, tbl, lake.Append, "p", row{"a", "2025-01-05", 1})
	want := read(t, tbl, 0)
	require.NoError(t, l.Close())
	catPath := filepath.Join(root, "catalog.db")
	good, err := os.ReadFile(catPath)
	require.NoError(t, err)
	require.NoFileExists(t, catPath+"-wal", "closing the lake checkpoints the catalog")

	other := t.TempDir()
	o, err := lake.Open(ctx, lake.Config{Root: other})
	require.NoError(t, err)
	require.NoError(t, o.Close())
	foreign, err := os.ReadFile(filepath.Join(other, "catalog.db"))
	require.NoError(t, err)

	cases := []struct {
		name   string
		break_ func()
		msg    string
	}{
		{"missing", func() { require.NoError(t, os.Remove(catPath)) }, "does not exist"},
		{"empty", func() { require.NoError(t, os.WriteFile(catPath, nil, 0o644)) }, "is empty (0 bytes)"},
		{"truncated", func() { require.NoError(t, os.WriteFile(catPath, good[:len(good)/2], 0o644)) }, "cannot serve it"},
		{"garbage", func() {
			require.NoError(t, os.WriteFile(catPath, []byte(strings.Repeat("not a database ", 500)), 0o644))
		}, "cannot serve it"},
		{"foreign", func() { require.NoError(t, os.WriteFile(catPath, foreign, 0o644)) }, "belongs to lake"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.break_()
			broken, _ := os.ReadFile(catPath)
			_, err := lake.Open(ctx, lake.Config{Root: root})
			require.Error(t, err)
			t.Log(err)
			assert.ErrorIs(t, err, lake.ErrCatalogLost)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, err.Error(), "kho lake restore")
			assert.Less(t, len(err.Error()), 2048, "the message is short: %s", err)
			after, _ := os.ReadFile(catPath)
			assert.Equal(t, broken, after, "the broken catalog is left as it was, never re-created")
			// Recovery: the catalog restored, the lake answers as before.
			require.NoError(t, os.WriteFile(catPath, good, 0o644))
			l, err := lake.Open(ctx, lake.Config{Root: root})
			require.NoError(t, err)
			defer l.Close()
			tbl, err := l.Load(ctx, "health.t")
			require.NoError(t, err)
			assert.Equal(t, want, read(t, tbl, 0))
		})
	}
}

// TestCopiedLakePostgresCatalog is the PostgreSQL equivalent: the copy of
// the root alone shares the original's catalog and is refused; with a copy
// of the catalog database (CREATE DATABASE … TEMPLATE, or pg_dump | psql)
// and `kho lake relocate` (Config.Relocate) the copy is independent.
func TestCopiedLakePostgresCatalog(t *testing.T) {
	ctx := t.Context()
	base := t.TempDir()
	orig, cp := filepath.Join(base, "lake"), filepath.Join(base, "copy")
	dsn := laketest.PostgresDSN(t)
	l, err := lake.Open(ctx, lake.Config{Root: orig, Catalog: lake.CatalogConfig{Type: "postgres", DSN: dsn}})
	require.NoError(t, err)
	tbl, err := l.Ensure(ctx, "health.t", rowIceberg, byMonth, nil)
	require.NoError(t, err)
	tbl = commit(t, l, tbl, lake.Append, "p", row{"a", "2025-01-05", 1}, row{"b", "2025-02-05", 2})
	want := read(t, tbl, 0)
	require.NoError(t, l.Close())
	copyTree(t, orig, cp)
	before := laketest.TreeState(t, orig)

	_, err = lake.Open(ctx, lake.Config{Root: cp, Catalog: lake.CatalogConfig{Type: "postgres", DSN: dsn}})
	require.Error(t, err, "a copy sharing the original's catalog is refused")
	assert.Contains(t, err.Error(), "kho lake relocate")

	copyDSN := laketest.PostgresDSN(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	cu, err := url.Parse(copyDSN)
	require.NoError(t, err)
	// The copy's catalog: the original's database copied under the name of
	// a fresh test database (dropped when the test ends).
	admin, err := sql.Open("pgx", os.Getenv("KHO_TEST_PG_DSN"))
	require.NoError(t, err)
	defer admin.Close()
	copyDB := strings.TrimPrefix(cu.Path, "/")
	_, err = admin.ExecContext(ctx, `DROP DATABASE "`+copyDB+`"`)
	require.NoError(t, err)
	_, err = admin.ExecContext(ctx, `CREATE DATABASE "`+copyDB+`" TEMPLATE "`+strings.TrimPrefix(u.Path, "/")+`"`)
	require.NoError(t, err)

	c, err := lake.Open(ctx, lake.Config{Root: cp, Catalog: lake.CatalogConfig{Type: "postgres", DSN: copyDSN}, Relocate: true})
	require.NoError(t, err)
	require.NotNil(t, c.Relocated())
	ct, err := c.Load(ctx, "health.t")
	require.NoError(t, err)
	for _, loc := range everyLocation(t, ct) {
		assert.True(t, strings.HasPrefix(lake.LocalPath(loc), cp+"/"), "%s is under the copy", loc)
	}
	assert.Equal(t, want, read(t, ct, 0))
	ct = commit(t, c, ct, lake.Merge, "p", row{"a", "2025-01-05", 100})
	_, _, err = c.Compact(ctx, ct)
	require.NoError(t, err)
	require.NoError(t, c.Close())
	assert.Equal(t, before, laketest.TreeState(t, orig), "the original lake is byte-identical")

	l, err = lake.Open(ctx, lake.Config{Root: orig, Catalog: lake.CatalogConfig{Type: "postgres", DSN: dsn}})
	require.NoError(t, err)
	defer l.Close()
	assert.Nil(t, l.Relocated())
	tbl, err = l.Load(ctx, "health.t")
	require.NoError(t, err)
	assert.Equal(t, want, read(t, tbl, 0))
}

// TestNewLakeOpenedAtOnce starts several processes' worth of lake.Open on a
// new lake at the same moment, as two schedulers sharing a PostgreSQL
// catalog or a scheduler and a server started together do: every open
// succeeds (on PostgreSQL the catalog's CREATE TABLE IF NOT EXISTS raced and
// one scheduler exited with pg_type's unique violation) and they all agree
// on one lake: one record in kho_lake, the marker's id.
func TestNewLakeOpenedAtOnce(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := t.Context()
			root := filepath.Join(t.TempDir(), "lake")
			cfg := lake.Config{Root: root}
			if kind == "postgres" {
				cfg.Catalog = lake.CatalogConfig{Type: "postgres", DSN: laketest.PostgresDSNNamed(t, "kho_at_once")}
			}
			const n = 8
			var (
				wg    sync.WaitGroup
				start = make(chan struct{})
				lakes = make([]*lake.Lake, n)
				errs  = make([]error, n)
			)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					lakes[i], errs[i] = lake.Open(ctx, cfg)
				}()
			}
			close(start)
			wg.Wait()
			for i := range n {
				require.NoError(t, errs[i], "open %d of %d", i+1, n)
				defer lakes[i].Close()
			}
			var ids []string
			rows, err := lakes[0].CatalogDB().QueryContext(ctx, `SELECT id FROM kho_lake`)
			require.NoError(t, err)
			for rows.Next() {
				var id string
				require.NoError(t, rows.Scan(&id))
				ids = append(ids, id)
			}
			require.NoError(t, rows.Err())
			require.Len(t, ids, 1, "one record of the lake in its catalog")
			b, err := os.ReadFile(filepath.Join(root, lake.MarkerFile))
			require.NoError(t, err)
			assert.Contains(t, string(b), `"`+ids[0]+`"`, "the marker names the catalog's lake")
			left, _ := filepath.Glob(filepath.Join(root, lake.MarkerFile+".tmp*"))
			assert.Empty(t, left, "no temporary marker files left")
			// Each open lake writes; a fresh open sees every table.
			for i, l := range lakes {
				_, err := l.Ensure(ctx, fmt.Sprintf("health.t%d", i), rowIceberg, byMonth, nil)
				require.NoError(t, err)
			}
			l, err := lake.Open(ctx, cfg)
			require.NoError(t, err)
			defer l.Close()
			for i := range n {
				_, err := l.Load(ctx, fmt.Sprintf("health.t%d", i))
				require.NoError(t, err)
			}
		})
	}
}
