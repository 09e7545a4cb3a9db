package query_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/lake/laketest"
	"github.com/sonla-data/kho/warehouse/query"
)

// The test dataset has a column of every type the schemas use, and is
// partitioned by the month of its day, as the province's datasets are.
var (
	fields = []iceberg.NestedField{
		{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.String},
		{ID: 2, Name: "day", Type: iceberg.PrimitiveTypes.Date},
		{ID: 3, Name: "at", Type: iceberg.PrimitiveTypes.TimestampTz},
		{ID: 4, Name: "amount", Type: iceberg.DecimalTypeOf(14, 2)},
		{ID: 5, Name: "n", Type: iceberg.PrimitiveTypes.Int64},
		{ID: 6, Name: "ratio", Type: iceberg.PrimitiveTypes.Float64},
		{ID: 7, Name: "ok", Type: iceberg.PrimitiveTypes.Bool},
		{ID: 8, Name: "commune", Type: iceberg.PrimitiveTypes.String},
	}
	// note is the column the evolve step adds.
	note    = iceberg.NestedField{ID: 9, Name: "note", Type: iceberg.PrimitiveTypes.String}
	byMonth = iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{2}, FieldID: 1000, Name: "day_month", Transform: iceberg.MonthTransform{}})
)

func icebergSchema(withNote bool) *iceberg.Schema {
	fs := slices.Clone(fields)
	if withNote {
		fs = append(fs, note)
	}
	return iceberg.NewSchema(0, fs...)
}

func arrowSchema(t *testing.T, withNote bool) *arrow.Schema {
	sc, err := table.SchemaToArrowSchema(icebergSchema(withNote), nil, false, false)
	require.NoError(t, err)
	return sc
}

// gen is row i of generation g: the same id in two generations is an update.
type gen struct {
	id      int
	g       int
	note    bool
	nullish bool // nulls in the optional columns
}

// spoolRows writes rows into a spool keyed by id.
func spoolRows(t *testing.T, withNote bool, rows ...gen) *lake.Spool {
	t.Helper()
	sc := arrowSchema(t, withNote)
	sp, err := lake.NewSpool(t.TempDir(), sc, memory.DefaultAllocator, []string{"id"})
	require.NoError(t, err)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	hcm := time.FixedZone("ICT", 7*3600)
	for _, r := range rows {
		day := time.Date(2025, time.Month(5+r.id%3), 1+r.id%28, 0, 0, 0, 0, time.UTC)
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("id-%03d", r.id))
		b.Field(1).(*array.Date32Builder).Append(arrow.Date32FromTime(day))
		at := time.Date(2025, time.Month(5+r.id%3), 1+r.id%28, r.id%24, r.g, 7, 0, hcm)
		ts, err := arrow.TimestampFromTime(at, arrow.Microsecond)
		require.NoError(t, err)
		b.Field(2).(*array.TimestampBuilder).Append(ts)
		b.Field(3).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(r.id*1000 + r.g*7 + 5)))
		b.Field(4).(*array.Int64Builder).Append(int64(r.id + 100*r.g))
		if r.nullish {
			b.Field(5).AppendNull()
			b.Field(6).AppendNull()
			b.Field(7).AppendNull()
		} else {
			b.Field(5).(*array.Float64Builder).Append(float64(r.id) / 7)
			b.Field(6).(*array.BooleanBuilder).Append(r.id%2 == 0)
			b.Field(7).(*array.StringBuilder).Append(fmt.Sprintf("14%03d", r.id%75))
		}
		if withNote {
			if r.note {
				b.Field(8).(*array.StringBuilder).Append(fmt.Sprintf("ghi chú %d/%d", r.id, r.g))
			} else {
				b.Field(8).AppendNull()
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	require.NoError(t, sp.Write(rec))
	require.NoError(t, sp.Finish())
	return sp
}

// icebergRows scans a table's snapshot (0: current) with iceberg-go.
func icebergRows(t *testing.T, tbl *table.Table, snapshotID int64) []string {
	return laketest.IcebergRows(t, t.Context(), tbl, snapshotID)
}

// duckRows runs a query through the engine's Arrow path.
func duckRows(t *testing.T, e *query.Engine, q string) []string {
	t.Helper()
	var out []string
	require.NoError(t, e.ArrowQuery(t.Context(), q, func(rdr array.RecordReader) error {
		out = laketest.Rows(t, rdr)
		return nil
	}), q)
	return out
}
