package schemas

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/schemas/units"
)

// TestTypedDecimalsKeepTheirValue: a decimal a database gives typed is never
// read as Vietnamese digit grouping (123.456 stays 123.456, not 123456).
func TestTypedDecimalsKeepTheirValue(t *testing.T) {
	ds, err := Parse("d.yaml", []byte(`
dataset: health.decimals
label: Thử
owner: Sở Y tế
classification: open
columns:
  - {name: d, label: D, type: "decimal(12,3)"}
  - {name: f, label: F, type: float}
  - {name: s, label: S, type: string}
  - {name: i, label: I, type: int}
`))
	require.NoError(t, err)
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	dt := &arrow.Decimal128Type{Precision: 12, Scale: 3}
	sc := arrow.NewSchema([]arrow.Field{{Name: "d", Type: dt, Nullable: true}, {Name: "f", Type: dt, Nullable: true},
		{Name: "s", Type: dt, Nullable: true}, {Name: "i", Type: dt, Nullable: true}}, nil)
	b := array.NewRecordBuilder(alloc, sc)
	defer b.Release()
	v := decimal128.FromI64(123456) // 123.456 at scale 3
	whole := decimal128.FromI64(7000)
	for i := 0; i < 3; i++ {
		b.Field(i).(*array.Decimal128Builder).Append(v)
	}
	b.Field(3).(*array.Decimal128Builder).Append(whole)
	in := b.NewRecordBatch()
	defer in.Release()
	c, err := NewConformer(ds, sc, nil, ConformOptions{Alloc: alloc, Units: units.MustLoad(), Today: time.Now()})
	require.NoError(t, err)
	out, bad, err := c.Conform(in)
	require.NoError(t, err)
	require.Empty(t, bad)
	defer out.Release()
	assert.Equal(t, "123.456", out.Column(0).(*array.Decimal128).ValueStr(0))
	assert.InDelta(t, 123.456, out.Column(1).(*array.Float64).Value(0), 1e-12)
	assert.Equal(t, "123.456", out.Column(2).(*array.String).Value(0))
	assert.EqualValues(t, 7, out.Column(3).(*array.Int64).Value(0))
}
