package query_test

import (
	"os"
	"testing"

	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/query"
)

// TestBrokenTableFailsAlone: a table whose metadata file is truncated, and
// one whose data file is gone, fail their own queries with the file and the
// way out; the engine opens, the other table and the system tables answer;
// once repaired, a refresh reads the table again.
func TestBrokenTableFailsAlone(t *testing.T) {
	ctx := t.Context()
	l, err := lake.Open(ctx, lake.Config{Root: t.TempDir()})
	require.NoError(t, err)
	defer l.Close()
	mk := func(name string) *table.Table {
		tbl, err := l.Ensure(ctx, name, icebergSchema(false), byMonth, nil)
		require.NoError(t, err)
		for g := range 2 {
			sp := spoolRows(t, false, gen{id: 1 + g, g: g})
			tbl, err = l.Commit(ctx, tbl, sp, lake.Write{Mode: lake.Append, Summary: map[string]string{lake.SumPipeline: "p"}})
			sp.Release()
			require.NoError(t, err)
		}
		return tbl
	}
	good := mk("health.good")
	_ = good
	meta := mk("health.meta")
	data := mk("health.data")
	require.NoError(t, os.Truncate(lake.LocalPath(meta.MetadataLocation()), 100))
	files, err := lake.DataFiles(ctx, data, 0)
	require.NoError(t, err)
	require.NoError(t, os.Remove(files[0]))

	e, err := query.Open(ctx, l, query.Options{})
	require.NoError(t, err, "one broken table does not stop the engine")
	defer e.Close()
	var n int
	require.NoError(t, e.DB().QueryRowContext(ctx, `SELECT count(*) FROM health.good`).Scan(&n))
	assert.Equal(t, 2, n)
	require.NoError(t, e.DB().QueryRowContext(ctx, `SELECT count(*) FROM kho.tables`).Scan(&n))
	require.NoError(t, e.DB().QueryRowContext(ctx, `SELECT 1`).Scan(&n))

	err = e.DB().QueryRowContext(ctx, `SELECT count(*) FROM health.meta`).Scan(&n)
	require.Error(t, err)
	assert.Contains(t, err.Error(), lake.LocalPath(meta.MetadataLocation()))
	assert.Contains(t, err.Error(), "kho lake check")
	assert.Contains(t, e.Broken(), "health.meta")

	err = e.DB().QueryRowContext(ctx, `SELECT count(*) FROM health.data`).Scan(&n)
	require.Error(t, err, "a missing data file fails the table's query")
	assert.Contains(t, err.Error(), files[0])

	// Repaired: the previous metadata file made current again.
	_, err = l.RevertMetadata(ctx, "health.meta")
	require.NoError(t, err)
	require.NoError(t, e.Refresh(ctx))
	require.NoError(t, e.DB().QueryRowContext(ctx, `SELECT count(*) FROM health.meta`).Scan(&n))
	assert.Equal(t, 1, n, "the last commit is undone")
	assert.NotContains(t, e.Broken(), "health.meta")
}
