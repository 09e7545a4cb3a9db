package lake_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/lake/laketest"
)

func opsDatabase(t *testing.T, what string) string {
	return laketest.PostgresDSNNamed(t, "ops_"+what)
}

func pgConfig(root, dsn string) lake.Config {
	return lake.Config{Root: root, Catalog: lake.CatalogConfig{Type: "postgres", DSN: dsn}}
}

// catalogRowCount is the number of rows of the catalog tables in a
// PostgreSQL database (0 when they do not exist).
func catalogRowCount(t *testing.T, dsn string) int {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	var n int
	err = db.QueryRowContext(t.Context(), `SELECT count(*) FROM iceberg_tables`).Scan(&n)
	if err != nil && strings.Contains(err.Error(), "does not exist") {
		return 0
	}
	require.NoError(t, err)
	return n
}

// TestBackupRestorePostgresCatalog backs up a lake whose catalog is
// PostgreSQL (the catalog's rows read in one REPEATABLE READ transaction),
// lets the original move on (a merge, a compaction, an expiry, a new
// table), and restores the backup at a new root into a fresh database: the
// restored lake answers every table, at every snapshot the backup held,
// exactly as the original did at the backup's time, and the original,
// untouched, still answers its newer state. A damaged backup is refused
// with the fresh database left empty; a database serving another lake is
// refused and left as it was; restoring over the original's own catalog
// saves its rows first and puts the lake back at the backup's state.
func TestBackupRestorePostgresCatalog(t *testing.T) {
	ctx := t.Context()
	base := t.TempDir()
	orig, bdir := filepath.Join(base, "lake"), filepath.Join(base, "backup")
	origDSN := opsDatabase(t, "orig")
	l, err := lake.Open(ctx, pgConfig(orig, origDSN))
	require.NoError(t, err)
	tbl, err := l.Ensure(ctx, "health.t", rowIceberg, byMonth, nil)
	require.NoError(t, err)
	tbl = commit(t, l, tbl, lake.Append, "p", row{"a", "2025-01-05", 1}, row{"b", "2025-02-05", 2})
	tbl = commit(t, l, tbl, lake.Merge, "p", row{"b", "2025-02-05", 20}, row{"c", "2025-03-01", 3})
	other, err := l.Ensure(ctx, "education.u", rowIceberg, byMonth, nil)
	require.NoError(t, err)
	other = commit(t, l, other, lake.Append, "q", row{"x", "2025-01-01", 7})

	// What every query answers at the backup's time: each table at each of
	// its snapshots.
	atBackup := map[string]map[int64][]row{}
	for _, tb := range []string{"health.t", "education.u"} {
		x, err := l.Load(ctx, tb)
		require.NoError(t, err)
		atBackup[tb] = map[int64][]row{0: read(t, x, 0)}
		for _, s := range lake.Snapshots(x) {
			atBackup[tb][s.ID] = read(t, x, s.ID)
		}
	}
	res, err := l.Backup(ctx, bdir)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Tables)
	assert.Equal(t, res.Files, res.Copied)
	assert.FileExists(t, filepath.Join(bdir, "lake", "catalog.db"))
	backupState := laketest.TreeState(t, bdir)

	// The original moves on.
	tbl = commit(t, l, tbl, lake.Merge, "p", row{"a", "2025-01-05", 100}, row{"d", "2025-04-01", 4})
	tbl, _, err = l.Compact(ctx, tbl)
	require.NoError(t, err)
	third, err := l.Ensure(ctx, "health.new", rowIceberg, byMonth, nil)
	require.NoError(t, err)
	commit(t, l, third, lake.Append, "r", row{"n", "2025-05-01", 9})
	origNow := read(t, tbl, 0)
	require.NotEqual(t, atBackup["health.t"][0], origNow)
	require.NoError(t, l.Close())
	origState := laketest.TreeState(t, orig)
	origRel := relState(t, orig)

	// A damaged backup is refused; the fresh database stays empty.
	restDSN := opsDatabase(t, "restored")
	restRoot := filepath.Join(base, "restored")
	damaged := filepath.Join(base, "damaged")
	require.NoError(t, os.CopyFS(damaged, os.DirFS(bdir)))
	files, err := filepath.Glob(filepath.Join(damaged, "lake", "health.db", "t", "data", "*", "*.parquet"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	require.NoError(t, os.Remove(files[0]))
	_, err = lake.Restore(ctx, damaged, pgConfig(restRoot, restDSN))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is missing")
	assert.Contains(t, err.Error(), "was not touched")
	assert.Zero(t, catalogRowCount(t, restDSN), "the catalog database was not written")
	assert.NoDirExists(t, restRoot)

	// A database serving another lake is refused and left as it was.
	otherDSN := opsDatabase(t, "other")
	ol, err := lake.Open(ctx, pgConfig(filepath.Join(base, "other"), otherDSN))
	require.NoError(t, err)
	ot, err := ol.Ensure(ctx, "x.y", rowIceberg, byMonth, nil)
	require.NoError(t, err)
	commit(t, ol, ot, lake.Append, "p", row{"z", "2025-01-01", 1})
	require.NoError(t, ol.Close())
	_, err = lake.Restore(ctx, bdir, pgConfig(filepath.Join(base, "r2"), otherDSN))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "serves another lake")
	assert.Equal(t, 1, catalogRowCount(t, otherDSN))

	// Restored at a new root into a fresh database.
	rr, err := lake.Restore(ctx, bdir, pgConfig(restRoot, restDSN))
	require.NoError(t, err)
	assert.Equal(t, 2, rr.Tables)
	assert.Empty(t, rr.PreviousCatalog, "a fresh database had nothing to save")
	assert.NoFileExists(t, filepath.Join(restRoot, "catalog.db"), "the catalog is the PostgreSQL database")
	answersAsAtBackup := func(cfg lake.Config) {
		t.Helper()
		r, err := lake.Open(ctx, cfg)
		require.NoError(t, err)
		defer r.Close()
		names, err := r.Tables(ctx)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"health.t", "education.u"}, names, "the tables of the backup's time")
		for tb, snaps := range atBackup {
			x, err := r.Load(ctx, tb)
			require.NoError(t, err)
			for _, loc := range everyLocation(t, x) {
				assert.True(t, strings.HasPrefix(lake.LocalPath(loc), cfg.Root+"/"), "%s is under the restored root %s", loc, cfg.Root)
			}
			for id, want := range snaps {
				assert.Equal(t, want, read(t, x, id), "%s at snapshot %d", tb, id)
			}
		}
		chk, err := r.Check(ctx, lake.CheckOptions{})
		require.NoError(t, err)
		assert.Empty(t, chk.Problems)
	}
	answersAsAtBackup(pgConfig(restRoot, restDSN))
	assert.Equal(t, backupState, laketest.TreeState(t, bdir), "the backup is unchanged by a restore")
	assert.Equal(t, origState, laketest.TreeState(t, orig), "the original lake is byte-identical")

	// The original still answers its own, newer state.
	l, err = lake.Open(ctx, pgConfig(orig, origDSN))
	require.NoError(t, err)
	tbl, err = l.Load(ctx, "health.t")
	require.NoError(t, err)
	assert.Equal(t, origNow, read(t, tbl, 0))
	require.NoError(t, l.Close())

	// The restored lake works on, apart from the original.
	r, err := lake.Open(ctx, pgConfig(restRoot, restDSN))
	require.NoError(t, err)
	rt, err := r.Load(ctx, "health.t")
	require.NoError(t, err)
	rt = commit(t, r, rt, lake.Append, "p", row{"e", "2025-06-01", 5})
	assert.Len(t, read(t, rt, 0), len(atBackup["health.t"][0])+1)
	require.NoError(t, r.Close())
	assert.Equal(t, origState, laketest.TreeState(t, orig), "a write in the restored lake leaves the original alone")

	// Restored over the original itself (its root, its database): the rows
	// the catalog held are saved first, and the lake is back at the
	// backup's state.
	time.Sleep(5 * time.Millisecond) // a stamp of its own
	back, err := lake.Restore(ctx, bdir, pgConfig(orig, origDSN))
	require.NoError(t, err)
	require.NotEmpty(t, back.PreviousCatalog)
	assert.FileExists(t, back.PreviousCatalog)
	assert.DirExists(t, back.Previous)
	answersAsAtBackup(pgConfig(orig, origDSN))
	assert.Equal(t, origRel, relState(t, back.Previous), "the replaced lake is kept as it was")
}

// relState is laketest.TreeState with paths relative to root, to compare a
// folder with itself moved.
func relState(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for p, v := range laketest.TreeState(t, root) {
		rel, err := filepath.Rel(root, p)
		require.NoError(t, err)
		out[rel] = v
	}
	return out
}
