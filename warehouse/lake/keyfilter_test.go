package lake

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyFilter checks the merge probe's compact key set: every key of the
// indexes it summarises passes (a key it dropped would leave a replaced row
// alive), and few others do.
func TestKeyFilter(t *testing.T) {
	sc := arrow.NewSchema([]arrow.Field{{Name: "code", Type: arrow.BinaryTypes.String}, {Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	batch := func(from, to int) arrow.RecordBatch {
		b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		defer b.Release()
		for i := from; i < to; i++ {
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("HS-%08d", i))
			b.Field(1).(*array.Int64Builder).Append(int64(i))
		}
		return b.NewRecordBatch()
	}
	keys, deletes := NewKeyIndex([]string{"code", "n"}), NewKeyIndex([]string{"code", "n"})
	run, gone := batch(0, 20000), batch(20000, 21000)
	defer run.Release()
	defer gone.Release()
	require.NoError(t, keys.Add(run, nil))
	require.NoError(t, deletes.Add(gone, nil))
	f := newKeyFilter(keys, deletes, nil)
	for key := range keys.m {
		require.True(t, f.mayHold([]byte(key)), "a key of the run")
	}
	for key := range deletes.m {
		require.True(t, f.mayHold([]byte(key)), "a key to delete")
	}
	others := batch(21000, 221000)
	defer others.Release()
	cols, err := keys.keyColumns(others)
	require.NoError(t, err)
	pass := 0
	for i := 0; i < int(others.NumRows()); i++ {
		if f.mayHold(keys.key(cols, i)) {
			pass++
		}
	}
	assert.Less(t, float64(pass)/float64(others.NumRows()), 0.05, "the share of other keys let through (about 0.1%% expected)")
	assert.LessOrEqual(t, f.f.Bytes(), 2*16*21000/8, "at most 32 bits a key")
	// an empty filter lets nothing through
	assert.False(t, newKeyFilter(nil).mayHold([]byte("x")))
}
