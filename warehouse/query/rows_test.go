package query_test

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
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

// canon renders each row as "col=value|…" in column-name order, sorted: the
// form in which DuckDB's and iceberg-go's results are compared.
func canon(t *testing.T, rdr array.RecordReader) []string {
	t.Helper()
	var out []string
	for rdr.Next() {
		rec := rdr.RecordBatch()
		names := make([]string, rec.NumCols())
		for i := range names {
			names[i] = rec.ColumnName(i)
		}
		order := make([]int, len(names))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool { return names[order[a]] < names[order[b]] })
		for r := 0; r < int(rec.NumRows()); r++ {
			parts := make([]string, 0, len(order))
			for _, c := range order {
				parts = append(parts, names[c]+"="+value(t, rec.Column(c), r))
			}
			out = append(out, strings.Join(parts, "|"))
		}
	}
	require.NoError(t, rdr.Err())
	sort.Strings(out)
	return out
}

func value(t *testing.T, col arrow.Array, i int) string {
	if col.IsNull(i) {
		return "∅"
	}
	switch c := col.(type) {
	case *array.String:
		return c.Value(i)
	case *array.LargeString:
		return c.Value(i)
	case *array.StringView:
		return c.Value(i)
	case *array.Int64:
		return strconv.FormatInt(c.Value(i), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(c.Value(i)), 10)
	case *array.Float64:
		return strconv.FormatFloat(c.Value(i), 'g', -1, 64)
	case *array.Boolean:
		return strconv.FormatBool(c.Value(i))
	case *array.Date32:
		return c.Value(i).FormattedString()
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		return c.Value(i).ToTime(unit).UTC().Format(time.RFC3339Nano)
	case *array.Decimal128:
		return c.Value(i).ToString(c.DataType().(*arrow.Decimal128Type).Scale)
	}
	t.Fatalf("no canonical form for %s", col.DataType())
	return ""
}

// icebergRows scans a table's snapshot (0: current) with iceberg-go.
func icebergRows(t *testing.T, tbl *table.Table, snapshotID int64) []string {
	t.Helper()
	var opts []table.ScanOption
	if snapshotID != 0 {
		opts = append(opts, table.WithSnapshotID(snapshotID))
	}
	at, err := tbl.Scan(opts...).ToArrowTable(t.Context())
	require.NoError(t, err)
	defer at.Release()
	tr := array.NewTableReader(at, 4096)
	defer tr.Release()
	return canon(t, tr)
}

// duckRows runs a query through the engine's Arrow path.
func duckRows(t *testing.T, e *query.Engine, q string) []string {
	t.Helper()
	var out []string
	require.NoError(t, e.ArrowQuery(t.Context(), q, func(rdr array.RecordReader) error {
		out = canon(t, rdr)
		return nil
	}), q)
	return out
}
