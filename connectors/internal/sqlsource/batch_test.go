package sqlsource

import (
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
)

// TestBatch appends values of every kind in the forms drivers give them;
// values that do not fit make their row bad, naming column, value and types.
func TestBatch(t *testing.T) {
	cols := []Column{
		{Name: "so", SourceType: "bigint", Kind: Int},
		{Name: "tien", SourceType: "decimal(10,2)", Kind: Decimal, Precision: 10, Scale: 2},
		{Name: "x", SourceType: "float", Kind: Float},
		{Name: "co", SourceType: "tinyint(1)", Kind: Bool},
		{Name: "ngay", SourceType: "date", Kind: Date},
		{Name: "luc", SourceType: "datetime", Kind: LocalTime},
		{Name: "ten", SourceType: "text", Kind: Text},
		{Name: "b", SourceType: "blob", Kind: Binary},
	}
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	b := NewBatch(alloc, cols, "mysql://db/nn/t", 5)
	defer b.Release()
	rows := [][]any{
		{int64(1), []byte("12.50"), float32(0.1), int64(1), []byte("2025-07-01"), []byte("2025-07-01 00:00:00"), []byte("Sơn La"), []byte{0, 1}},
		{uint64(math.MaxUint64), "NaN", "x", int64(2), []byte("0000-00-00"), []byte("2025-02-30 08:00:00"), []byte{0xff}, nil},
		{nil, int64(7), math.NaN(), []byte{1}, nil, []byte("2025-06-30 23:59:59.999999"), int64(5), "s"},
	}
	for _, r := range rows {
		for i, v := range r {
			b.Set(i, v)
		}
		b.EndRow()
	}
	assert.Equal(t, 3, b.Len())
	assert.Equal(t, 3, b.MaxHeld())
	rec := b.Flush()
	require.NotNil(t, rec)
	defer rec.Release()
	assert.Nil(t, b.Flush(), "nothing appended since")

	get := func(name string, row int) string {
		i := rec.Schema().FieldIndices(name)[0]
		c := rec.Column(i)
		switch a := c.(type) {
		case *array.Decimal128:
			if a.IsValid(row) {
				return a.Value(row).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
			}
		case *array.Timestamp:
			if a.IsValid(row) {
				return a.Value(row).ToTime(arrow.Microsecond).UTC().Format(time.RFC3339Nano)
			}
		}
		if c.IsNull(row) {
			return "null"
		}
		return c.ValueStr(row)
	}
	assert.Equal(t, "1", get("so", 0))
	assert.Equal(t, "12.50", get("tien", 0))
	assert.Equal(t, "0.1", get("x", 0))
	assert.Equal(t, "true", get("co", 0))
	assert.Equal(t, "2025-07-01", get("ngay", 0))
	assert.Equal(t, "2025-06-30T17:00:00Z", get("luc", 0))
	assert.Equal(t, "Sơn La", get("ten", 0))
	assert.Equal(t, "null", get(connectors.ColError, 0))
	assert.Equal(t, "mysql://db/nn/t", get(connectors.ColFile, 1))
	assert.Equal(t, "2", get(connectors.ColRow, 1))

	reason := get(connectors.ColError, 1)
	for _, want := range []string{
		`column "so": 18446744073709551615 does not fit a 64-bit integer (bigint → int64)`,
		`column "tien": "NaN" is not a decimal number (decimal(10,2) → decimal(10, 2))`,
		`column "x": "x" is not a number (float → float64)`,
		`column "co": 2 is not a boolean (0 or 1) (tinyint(1) → bool)`,
		`column "luc": "2025-02-30 08:00:00" is not a date and time`,
		`column "ten": bytes x'FF' is not valid UTF-8 (text → utf8)`,
	} {
		assert.Contains(t, reason, want)
	}
	assert.NotContains(t, reason, `"ngay"`, "a zero date is NULL, not an error")
	assert.Equal(t, "null", get("ngay", 1))
	assert.Equal(t, "null", get(connectors.ColError, 2))
	assert.Equal(t, "7.00", get("tien", 2))
	assert.Equal(t, "5", get("ten", 2))

	high, ok := b.High()
	require.True(t, ok)
	assert.Equal(t, "2025-07-01T00:00:00+07:00", high.String(), "the highest valid value; the bad one does not count")
	arr := rec.Column(2).(*array.Float64)
	assert.True(t, math.IsNaN(arr.Value(2)))
}

// TestBatchNaNWatermark: NaN never becomes the watermark.
func TestBatchNaNWatermark(t *testing.T) {
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	b := NewBatch(alloc, []Column{{Name: "x", Kind: Float}}, "o", 0)
	defer b.Release()
	for _, v := range []any{1.5, math.NaN(), 0.5} {
		b.Set(0, v)
		b.EndRow()
	}
	rec := b.Flush()
	rec.Release()
	high, _ := b.High()
	assert.Equal(t, "1.5", high.String())
}
