package lake

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var monthSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
}, nil)

// monthIceberg is monthSchema as a table's schema; monthSpec partitions it
// by the month of at.
var (
	monthIceberg = iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.String},
		iceberg.NestedField{ID: 2, Name: "at", Type: iceberg.PrimitiveTypes.TimestampTz})
	monthSpec = iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{2}, FieldID: 1000, Name: "at_month", Transform: iceberg.MonthTransform{}})
)

// A spool clustered by a month-partitioned table is read partition after
// partition, every row once, and the commit writes one file per partition;
// rows of interleaved months, nulls and several batches.
func TestClusteredSpoolCommit(t *testing.T) {
	ctx := context.Background()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	l, err := Open(ctx, Config{Root: t.TempDir()})
	require.NoError(t, err)
	defer l.Close()
	tbl, err := l.Ensure(ctx, "health.m", monthIceberg, monthSpec, nil)
	require.NoError(t, err)

	sp, err := NewSpool(t.TempDir(), monthSchema, alloc, nil)
	require.NoError(t, err)
	defer sp.Release()
	sp.ClusterBy(tbl)
	require.True(t, sp.Clustered())
	want := map[string]string{}
	month := func(i int) string { // months interleaved within and across batches, and nulls
		if i%17 == 0 {
			return ""
		}
		return fmt.Sprintf("2025-%02d", 1+(i*7)%5)
	}
	for k := 0; k < 4; k++ {
		b := array.NewRecordBuilder(alloc, monthSchema)
		for i := k * 100; i < (k+1)*100; i++ {
			id := fmt.Sprint("r", i)
			b.Field(0).(*array.StringBuilder).Append(id)
			if m := month(i); m != "" {
				at, _ := time.Parse("2006-01-02", m+"-15")
				b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(at.UnixMicro()))
			} else {
				b.Field(1).AppendNull()
			}
			want[id] = month(i)
		}
		rec := b.NewRecordBatch()
		require.NoError(t, sp.Write(rec))
		rec.Release()
		b.Release()
	}
	require.NoError(t, sp.Finish())
	assert.EqualValues(t, 400, sp.Rows())

	got := map[string]string{}
	var runs []string // the months in reading order, one per run of rows
	for sp.Next() {
		rec := sp.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			m := ""
			if rec.Column(1).IsValid(i) {
				m = rec.Column(1).(*array.Timestamp).Value(i).ToTime(arrow.Microsecond).Format("2006-01")
			}
			got[rec.Column(0).ValueStr(i)] = m
			if len(runs) == 0 || runs[len(runs)-1] != m {
				runs = append(runs, m)
			}
		}
	}
	require.NoError(t, sp.Err())
	assert.Equal(t, want, got)
	assert.Equal(t, []string{"", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05"}, runs, "each partition's rows together")

	sp.Rewind()
	tbl, err = l.Commit(ctx, tbl, sp, Write{Mode: Overwrite, Summary: map[string]string{SumPipeline: "p", SumRunID: "r1"}})
	require.NoError(t, err)
	assert.EqualValues(t, 400, RowCount(tbl))
	files, err := DataFiles(ctx, tbl, 0)
	require.NoError(t, err)
	assert.Len(t, files, 6, "one file per partition")
	assert.Equal(t, "r1", LastSummary(tbl, "p")[SumRunID])
}

// Past maxSpoolParts partitions, the rest share a file and the spool is no
// longer clustered (the commit then writes a file per partition at once).
func TestClusteredSpoolOverflow(t *testing.T) {
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	sp, err := NewSpool(t.TempDir(), monthSchema, alloc, nil)
	require.NoError(t, err)
	defer sp.Release()
	sp.ordinal, sp.col, sp.clustered, sp.byKey = partitionOrdinal(iceberg.DayTransform{}), 1, true, map[any]*spoolPart{}
	b := array.NewRecordBuilder(alloc, monthSchema)
	defer b.Release()
	day0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	n := maxSpoolParts + 20
	for i := 0; i < n; i++ {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprint(i))
		b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(day0.AddDate(0, 0, i).UnixMicro()))
	}
	rec := b.NewRecordBatch()
	require.NoError(t, sp.Write(rec))
	rec.Release()
	require.NoError(t, sp.Finish())
	assert.False(t, sp.Clustered())
	assert.Len(t, sp.parts, maxSpoolParts+1)
	rows := 0
	for sp.Next() {
		rows += int(sp.RecordBatch().NumRows())
	}
	assert.Equal(t, n, rows)
}
