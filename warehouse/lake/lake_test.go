package lake

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

func spoolOf(t *testing.T, alloc memory.Allocator, key []string, rows map[string]int64, order []string) *Spool {
	t.Helper()
	sp, err := NewSpool(t.TempDir(), testSchema, alloc, key)
	require.NoError(t, err)
	b := array.NewRecordBuilder(alloc, testSchema)
	defer b.Release()
	for _, id := range order {
		b.Field(0).(*array.StringBuilder).Append(id)
		b.Field(1).(*array.Int64Builder).Append(rows[id])
	}
	rec := b.NewRecordBatch()
	require.NoError(t, sp.Write(rec))
	rec.Release()
	require.NoError(t, sp.Finish())
	return sp
}

// scan reads a table's current snapshot with iceberg-go's own scan.
func scan(t *testing.T, ctx context.Context, l *Lake, name string) map[string]int64 {
	tbl, err := l.Load(ctx, name)
	require.NoError(t, err)
	at, err := tbl.Scan().ToArrowTable(ctx)
	require.NoError(t, err)
	defer at.Release()
	out := map[string]int64{}
	tr := array.NewTableReader(at, 1024)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		ids := rec.Column(0).(*array.String)
		ns := rec.Column(1).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			out[ids.Value(i)] = ns.Value(i)
		}
	}
	return out
}

func TestCommitModes(t *testing.T) {
	ctx := context.Background()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	l, err := Open(ctx, Config{Root: t.TempDir()})
	require.NoError(t, err)
	defer l.Close()
	sc := iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.String},
		iceberg.NestedField{ID: 2, Name: "n", Type: iceberg.PrimitiveTypes.Int64})
	tbl, err := l.Ensure(ctx, "health.t", sc, *iceberg.UnpartitionedSpec, nil)
	require.NoError(t, err)

	commit := func(mode string, rows map[string]int64, order ...string) {
		sp := spoolOf(t, alloc, []string{"id"}, rows, order)
		defer sp.Release()
		tbl, err = l.Commit(ctx, tbl, sp, Write{Mode: mode, Key: []string{"id"}, Summary: map[string]string{SumPipeline: "p", SumRunID: mode}})
		require.NoError(t, err)
	}
	commit(Append, map[string]int64{"a": 1, "b": 2}, "a", "b")
	assert.Equal(t, map[string]int64{"a": 1, "b": 2}, scan(t, ctx, l, "health.t"))
	commit(Merge, map[string]int64{"b": 20, "c": 3}, "b", "c")
	assert.Equal(t, map[string]int64{"a": 1, "b": 20, "c": 3}, scan(t, ctx, l, "health.t"))
	commit(Overwrite, map[string]int64{"z": 9}, "z")
	assert.Equal(t, map[string]int64{"z": 9}, scan(t, ctx, l, "health.t"))
	assert.EqualValues(t, 1, RowCount(tbl))
	assert.Equal(t, "overwrite", LastSummary(tbl, "p")[SumRunID])

	files, err := DataFiles(ctx, tbl, 0)
	require.NoError(t, err)
	assert.Len(t, files, 1)

	// An empty source never silently empties a table.
	sp := spoolOf(t, alloc, nil, nil, nil)
	_, err = l.Commit(ctx, tbl, sp, Write{Mode: Overwrite})
	sp.Release()
	assert.ErrorIs(t, err, ErrEmptyOverwrite)

	names, err := l.Tables(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"health.t"}, names)
}
