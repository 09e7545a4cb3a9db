package query_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/lake/laketest"
	"github.com/sonla-data/kho/warehouse/query"
)

const name = "health.agree"

// step is a snapshot the test made and the rows iceberg-go read from it
// right after.
type step struct {
	what string
	id   int64
	rows []string
}

// TestDuckDBAgreesWithIceberg writes, merges, deletes, evolves, compacts,
// expires and rolls back a table, on both catalogs. After each step the
// DuckDB view (what every query path reads) returns row for row what
// iceberg-go's own scan of the current snapshot returns; and every earlier
// snapshot still in the table reads through the time-travel view exactly
// as it did when it was made, and as iceberg-go reads it now.
func TestDuckDBAgreesWithIceberg(t *testing.T) {
	for _, kind := range laketest.Catalogs {
		t.Run(kind, func(t *testing.T) {
			ctx := t.Context()
			cfg := laketest.Config(t, kind)
			l, err := lake.Open(ctx, cfg)
			require.NoError(t, err)
			defer l.Close()
			tbl, err := l.Ensure(ctx, name, icebergSchema(false), byMonth, nil)
			require.NoError(t, err)
			e, err := query.Open(ctx, l, query.Options{})
			require.NoError(t, err)
			defer e.Close()

			var steps []step
			check := func(what string) {
				t.Helper()
				tbl, err = l.Load(ctx, name)
				require.NoError(t, err)
				require.NoError(t, e.Refresh(ctx))
				want := icebergRows(t, tbl, 0)
				got := duckRows(t, e, `SELECT * FROM health.agree`)
				require.Equal(t, want, got, "%s: DuckDB's view and iceberg-go's scan of the current snapshot", what)
				cur := tbl.CurrentSnapshot().SnapshotID
				if len(steps) == 0 || steps[len(steps)-1].id != cur {
					steps = append(steps, step{what, cur, want})
				}
				for _, s := range steps {
					if !lake.HasSnapshot(tbl, s.id) {
						continue
					}
					q := fmt.Sprintf(`SELECT * FROM health.agree__snapshot_%d`, s.id)
					assert.Equal(t, s.rows, duckRows(t, e, q), "after %s: the snapshot of %s reads as it did", what, s.what)
					assert.Equal(t, s.rows, icebergRows(t, tbl, s.id), "after %s: iceberg-go reads the snapshot of %s as it did", what, s.what)
				}
			}
			commit := func(mode string, withNote bool, rows ...gen) {
				t.Helper()
				sp := spoolRows(t, withNote, rows...)
				defer sp.Release()
				tbl, err = l.Commit(ctx, tbl, sp, lake.Write{Mode: mode, Key: []string{"id"}, Summary: map[string]string{lake.SumPipeline: "test"}})
				require.NoError(t, err)
			}

			// write: 60 rows over three months, some with nulls.
			var first []gen
			for i := range 60 {
				first = append(first, gen{id: i, nullish: i%11 == 0})
			}
			commit(lake.Append, false, first...)
			check("write")
			commit(lake.Append, false, gen{id: 60}, gen{id: 61})
			check("a second write")

			// merge: 15 rows change, 5 are new.
			var upd []gen
			for i := 50; i < 70; i++ {
				upd = append(upd, gen{id: i, g: 1})
			}
			commit(lake.Merge, false, upd...)
			check("merge")

			// delete: copy-on-write, rows of every month.
			tbl, err = l.Delete(ctx, tbl, iceberg.LessThan(iceberg.Reference("n"), int64(10)), nil)
			require.NoError(t, err)
			check("delete")

			// evolve: a new column, first with no file holding it, then written.
			tbl, err = l.Ensure(ctx, name, icebergSchema(true), byMonth, nil)
			require.NoError(t, err)
			require.Len(t, tbl.Schema().Fields(), len(fields)+1)
			check("evolve, before any file has the new column")
			commit(lake.Append, true, gen{id: 80, g: 2, note: true})
			check("a write after the evolution")
			commit(lake.Merge, true, gen{id: 20, g: 2, note: true}, gen{id: 21, g: 2}, gen{id: 81, g: 2, note: true})
			check("a merge after the evolution")

			// compact: fewer files, the same rows.
			before := len(filesOf(t, tbl))
			tbl, res, err := l.Compact(ctx, tbl)
			require.NoError(t, err)
			assert.Less(t, len(filesOf(t, tbl)), before)
			assert.Equal(t, 3, res.FilesAfter, "one file per month")
			check("compact")

			// expire: keep four snapshots; the older ones go.
			cfg.Retention, cfg.MinSnapshots = "0s", 4
			l0, err := lake.Open(ctx, cfg)
			require.NoError(t, err)
			defer l0.Close()
			tbl, eres, err := l0.Expire(ctx, tbl)
			require.NoError(t, err)
			assert.Len(t, eres.Expired, len(steps)-4)
			check("expire")
			_, err = e.QueryContext(ctx, fmt.Sprintf(`SELECT * FROM health.agree__snapshot_%d`, steps[0].id))
			assert.ErrorContains(t, err, "has no snapshot", "an expired snapshot is an error naming it")

			// rollback: to the snapshot before the compaction, and back.
			back := steps[len(steps)-3]
			tbl, err = l.Rollback(ctx, tbl, back.id)
			require.NoError(t, err)
			check("rollback")
			assert.Equal(t, back.rows, icebergRows(t, tbl, 0))
			tbl, err = l.Rollback(ctx, tbl, steps[len(steps)-2].id)
			require.NoError(t, err)
			check("rollback forward")

			// An engine as of a snapshot reads that snapshot; as of its time,
			// too; before the table existed, an empty view.
			for _, at := range []query.AsOf{{SnapshotID: back.id}, {Time: snapshotTime(tbl, back.id)}} {
				past, err := query.Open(ctx, l, query.Options{AsOf: at})
				require.NoError(t, err)
				assert.Equal(t, back.rows, duckRows(t, past, `SELECT * FROM health.agree`), "as of %s", at)
				past.Close()
			}
			assert.Empty(t, duckRows(t, e, `SELECT * FROM health.agree__asof_20000101`))
			assert.Equal(t, icebergRows(t, tbl, 0), duckRows(t, e, `SELECT * FROM "health"."agree__asof_20991231_2359"`))
		})
	}
}

func filesOf(t *testing.T, tbl *table.Table) []string {
	files, err := lake.Files(t.Context(), tbl, 0)
	require.NoError(t, err)
	return files.Data
}

func snapshotTime(tbl *table.Table, id int64) time.Time {
	return time.UnixMilli(tbl.SnapshotByID(id).TimestampMs)
}
