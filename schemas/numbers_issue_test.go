package schemas

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
)

// TestDecimalCommaDropReadsOneWay is the defect of issue 12 item 14 as it
// was found: in a drop whose numbers use decimal commas, "1,234" was read as
// 1234 while "12,5" was 12.5. Read by the file's convention, it is 1.234.
func TestDecimalCommaDropReadsOneWay(t *testing.T) {
	ds, err := Parse("numbers.yaml", []byte(numbersYAML))
	require.NoError(t, err)
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	tb := connectors.NewTextBatcher(alloc, []string{"id", "area"})
	defer tb.Release()
	for i, r := range [][]string{{"a", "2.317,9"}, {"b", "12,5"}, {"c", "1,234"}} {
		tb.AppendStrings(r, "drop.csv", int64(i+2))
	}
	in := tb.Flush()
	defer in.Release()
	c, err := NewConformer(ds, in.Schema(), nil, ConformOptions{Alloc: alloc})
	require.NoError(t, err)
	out, bad, err := c.Conform(in)
	require.NoError(t, err)
	require.Empty(t, bad)
	defer out.Release()
	area := out.Column(1).(*array.Float64)
	assert.Equal(t, []float64{2317.9, 12.5, 1.234}, area.Float64Values())
}
