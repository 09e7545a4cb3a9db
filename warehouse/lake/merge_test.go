package lake_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/lake/laketest"
)

var mergeArrow = arrow.NewSchema([]arrow.Field{
	{Name: "k_int", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "k_text", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "k_date", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "k_ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "k_dec", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
	{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

var mergeIceberg = iceberg.NewSchema(0,
	iceberg.NestedField{ID: 1, Name: "k_int", Type: iceberg.PrimitiveTypes.Int64},
	iceberg.NestedField{ID: 2, Name: "k_text", Type: iceberg.PrimitiveTypes.String},
	iceberg.NestedField{ID: 3, Name: "k_date", Type: iceberg.PrimitiveTypes.Date},
	iceberg.NestedField{ID: 4, Name: "k_ts", Type: iceberg.PrimitiveTypes.TimestampTz},
	iceberg.NestedField{ID: 5, Name: "k_dec", Type: iceberg.DecimalTypeOf(12, 2)},
	iceberg.NestedField{ID: 6, Name: "v", Type: iceberg.PrimitiveTypes.String},
)

// mrow is a row of the merge tests; id makes every key column.
type mrow struct {
	id int
	v  string
}

func (r mrow) canonical(key []string) string {
	return fmt.Sprintf("k_date=%s|k_dec=%s|k_int=%d|k_text=t%05d|k_ts=%s|v=%s",
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.id%50).Format("2006-01-02"),
		decimal128.FromI64(int64(r.id)*125).ToString(2), r.id, r.id,
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.id)*time.Minute).Format(time.RFC3339Nano), r.v)
}

func mbatch(alloc memory.Allocator, rows []mrow) arrow.RecordBatch {
	b := array.NewRecordBuilder(alloc, mergeArrow)
	defer b.Release()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range rows {
		b.Field(0).(*array.Int64Builder).Append(int64(r.id))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("t%05d", r.id))
		b.Field(2).(*array.Date32Builder).Append(arrow.Date32FromTime(base.AddDate(0, 0, r.id%50)))
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(base.Add(time.Duration(r.id) * time.Minute).UnixMicro()))
		b.Field(4).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(r.id) * 125))
		b.Field(5).(*array.StringBuilder).Append(r.v)
	}
	return b.NewRecordBatch()
}

// TestMergeOnReadAnyKey merges random rounds of inserts, updates, unchanged
// rows and deletes into tables keyed by one or several columns of every
// kind, and checks after each round that iceberg-go reads what a model of
// the table holds, that the counts are right, that no data file is ever
// rewritten (position deletes only), and that a round that changes nothing
// commits nothing. Some tables are merged with a version column
// (Write.Version) that screens the table's rows: one that changes with the
// row (v), one that never does (k_ts beside another key: every row is
// compared whole), one the rows lack; the outcome must not depend on it.
func TestMergeOnReadAnyKey(t *testing.T) {
	keys := map[string]struct {
		key     []string
		version string
	}{
		"int":                {[]string{"k_int"}, ""},
		"int_version":        {[]string{"k_int"}, "v"},
		"text_date":          {[]string{"k_text", "k_date"}, ""},
		"text_date_constant": {[]string{"k_text", "k_date"}, "k_ts"},
		"timestamp":          {[]string{"k_ts"}, "no_such_column"},
		"decimal":            {[]string{"k_dec"}, ""},
	}
	// Each table is merged once with the key index in memory and once with
	// a bound of 5 keys, so that it spills and every merge runs in passes
	// by group of hash buckets: the outcome must be the same.
	for name, kv := range keys {
		for _, bound := range []int{0, 5} {
			mergeRounds(t, name, kv.key, kv.version, bound)
		}
	}
}

// spoolOf spools rows of mergeArrow, keeping the keys of key (nil: none)
// in an index bounded by bound (0: the default), clustered by cluster's
// partitions when it is set.
func spoolOf(t *testing.T, alloc memory.Allocator, rows []mrow, key []string, bound int, cluster *table.Table) *lake.Spool {
	t.Helper()
	sp, err := lake.NewSpool(t.TempDir(), mergeArrow, alloc, key)
	require.NoError(t, err)
	if bound > 0 {
		sp.KeyBound(bound)
	}
	if cluster != nil {
		sp.ClusterBy(cluster)
	}
	b := mbatch(alloc, rows)
	require.NoError(t, sp.Write(b))
	b.Release()
	require.NoError(t, sp.Finish())
	return sp
}

func mergeRounds(t *testing.T, name string, key []string, version string, bound int) {
	if bound > 0 {
		name += "_spilled"
	}
	t.Run(name, func(t *testing.T) {
		ctx := t.Context()
		alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer alloc.AssertSize(t, 0)
		l, tbl := monthlyMergeTable(t, "health.m_"+name)
		rng := rand.New(rand.NewPCG(7, uint64(len(name))))
		model := map[int]string{}
		next := 0
		for round := range 8 {
			var rows []mrow
			var dels []int
			want := lake.Changes{}
			seen := map[int]bool{}
			for range 40 {
				switch op := rng.IntN(10); {
				case op < 4 || len(model) == 0: // insert
					rows = append(rows, mrow{next, fmt.Sprintf("r%d", round)})
					model[next] = fmt.Sprintf("r%d", round)
					seen[next] = true
					next++
					want.Inserted++
				default:
					id := rng.IntN(next)
					if _, ok := model[id]; !ok || seen[id] {
						continue
					}
					seen[id] = true
					switch {
					case op < 7: // update
						v := fmt.Sprintf("u%d-%d", round, id)
						rows = append(rows, mrow{id, "stale"}, mrow{id, v}) // the newer row wins
						model[id] = v
						want.Updated++
					case op < 9: // re-read unchanged
						rows = append(rows, mrow{id, model[id]})
						want.Unchanged++
					default:
						dels = append(dels, id)
						delete(model, id)
						want.Deleted++
					}
				}
			}
			sp := spoolOf(t, alloc, rows, key, bound, nil)
			var di *lake.KeyIndex
			if len(dels) > 0 {
				di = lake.NewKeyIndex(key)
				var drows []mrow
				for _, id := range dels {
					drows = append(drows, mrow{id, ""})
				}
				db := mbatch(alloc, drows)
				require.NoError(t, di.Add(db, nil))
				db.Release()
			}
			before := tbl.CurrentSnapshot()
			out, err := l.Write(ctx, tbl, sp, lake.Write{Mode: lake.Merge, Key: key, Deletes: di, Version: version, Summary: map[string]string{lake.SumPipeline: "p"}})
			sp.Release()
			require.NoError(t, err, "round %d", round)
			tbl = out.Table
			got := out.Changes
			assert.Equal(t, []int64{want.Inserted, want.Updated, want.Unchanged, want.Deleted},
				[]int64{got.Inserted, got.Updated, got.Unchanged, got.Deleted}, "round %d: inserted, updated, unchanged, deleted", round)
			if before != nil && out.Committed {
				p := tbl.CurrentSnapshot().Summary.Properties
				assert.Equal(t, "", p["deleted-data-files"], "round %d: no data file is rewritten", round)
			}
			var wantRows []string
			for id, v := range model {
				wantRows = append(wantRows, mrow{id, v}.canonical(key))
			}
			sort.Strings(wantRows)
			assert.Equal(t, wantRows, laketest.IcebergRows(t, ctx, tbl, 0), "round %d", round)
			assert.EqualValues(t, len(model), lake.RowCount(tbl), "round %d: the live rows", round)
		}
		// The same rows again: nothing changes, nothing is committed.
		var rows []mrow
		for id, v := range model {
			rows = append(rows, mrow{id, v})
		}
		sp := spoolOf(t, alloc, rows, key, bound, nil)
		if bound > 0 {
			require.True(t, sp.Keys().Spilled(), "the rerun's keys spill")
		}
		out, err := l.Write(ctx, tbl, sp, lake.Write{Mode: lake.Merge, Key: key, Version: version})
		sp.Release()
		require.NoError(t, err)
		assert.False(t, out.Committed)
		assert.EqualValues(t, len(model), out.Changes.Unchanged)
		// Compaction folds the deletes into the data files.
		files, err := lake.Files(ctx, tbl, 0)
		require.NoError(t, err)
		require.NotEmpty(t, files.Deletes)
		tbl, _, err = l.Compact(ctx, tbl)
		require.NoError(t, err)
		files, err = lake.Files(ctx, tbl, 0)
		require.NoError(t, err)
		assert.Empty(t, files.Deletes, "compaction leaves no delete file")
		var wantRows []string
		for id, v := range model {
			wantRows = append(wantRows, mrow{id, v}.canonical(key))
		}
		sort.Strings(wantRows)
		assert.Equal(t, wantRows, laketest.IcebergRows(t, ctx, tbl, 0))
	})
}

// monthlyMergeTable is a new lake (closed when the test ends) with the
// table name of the merge tests' columns, partitioned by the month of k_date.
func monthlyMergeTable(t *testing.T, name string) (*lake.Lake, *table.Table) {
	t.Helper()
	l, err := lake.Open(t.Context(), laketest.Config(t, "sqlite"))
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	spec := iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{3}, FieldID: 1000, Name: "k_date_month", Transform: iceberg.MonthTransform{}})
	tbl, err := l.Ensure(t.Context(), name, mergeIceberg, spec, nil)
	require.NoError(t, err)
	return l, tbl
}

// TestOverwriteAfterMerge overwrites a partitioned table that merges left
// with position-delete files: the table then holds exactly the new rows
// (iceberg-go's scan), in one overwrite snapshot that drops every old data
// file, with one new data file per partition (the spool is clustered by
// partition and written one partition at a time, not through a fan-out
// writer holding every partition's file open), and the counts are right.
func TestOverwriteAfterMerge(t *testing.T) {
	ctx := t.Context()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	l, tbl := monthlyMergeTable(t, "health.ow")
	key := []string{"k_int"}
	write := func(mode string, rows []mrow, cluster bool) lake.Outcome {
		t.Helper()
		var keyCols []string
		if mode == lake.Merge {
			keyCols = key
		}
		var by *table.Table
		if cluster {
			by = tbl
		}
		sp := spoolOf(t, alloc, rows, keyCols, 0, by)
		defer sp.Release()
		out, err := l.Write(ctx, tbl, sp, lake.Write{Mode: mode, Key: keyCols, Summary: map[string]string{lake.SumPipeline: "p"}})
		require.NoError(t, err)
		require.True(t, out.Committed)
		tbl = out.Table
		return out
	}
	var first []mrow
	for id := range 120 { // 50 days from 2024-01-01: two months
		first = append(first, mrow{id, "a"})
	}
	write(lake.Merge, first, false)
	write(lake.Merge, []mrow{{3, "b"}, {77, "b"}}, false)
	files, err := lake.Files(ctx, tbl, 0)
	require.NoError(t, err)
	require.NotEmpty(t, files.Deletes, "the merge left position deletes")
	oldData := len(files.Data)

	var rows []mrow
	var want []string
	for id := 1000; id < 1300; id++ {
		rows = append(rows, mrow{id, "c"})
		want = append(want, mrow{id, "c"}.canonical(key))
	}
	sort.Strings(want)
	out := write(lake.Overwrite, rows, true)
	assert.Equal(t, want, laketest.IcebergRows(t, ctx, tbl, 0))
	assert.EqualValues(t, 300, lake.RowCount(tbl))
	p := tbl.CurrentSnapshot().Summary
	assert.Equal(t, table.OpOverwrite, p.Operation)
	assert.Equal(t, fmt.Sprint(oldData), p.Properties["deleted-data-files"], "every old data file is dropped")
	assert.Equal(t, "2", p.Properties["added-data-files"], "one file per month: the clustered spool is written a partition at a time")
	assert.Equal(t, 2, out.Changes.FilesAdded)
	assert.Equal(t, oldData, out.Changes.FilesRemoved)
	assert.EqualValues(t, 300, out.Changes.Inserted)
	assert.EqualValues(t, 120, out.Changes.Deleted)
}
