package sqltest

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
)

// Warehouse is a lake in a temporary folder with a runner over it.
type Warehouse struct {
	// Datasets are the dataset schemas' YAML texts it was made with.
	Datasets []string
	Lake     *lake.Lake
	Schemas  *schemas.Set
	Runner   *pipelines.Runner
	Alloc    *memory.CheckedAllocator
}

// NewWarehouse opens a lake in a temporary folder and a runner on the given
// dataset schemas (YAML texts, parsed like schemas/<domain>/<dataset>.yaml).
// Every Arrow buffer of the runs comes from a checked allocator, asserted
// empty when the test ends.
func NewWarehouse(t *testing.T, datasets ...string) *Warehouse {
	t.Helper()
	set := &schemas.Set{}
	for i, y := range datasets {
		ds, err := schemas.Parse(fmt.Sprintf("dataset%d.yaml", i), []byte(y))
		require.NoError(t, err)
		set.Add(ds)
	}
	l, err := lake.Open(t.Context(), lake.Config{Root: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { alloc.AssertSize(t, 0) })
	return &Warehouse{Datasets: datasets, Lake: l, Schemas: set, Alloc: alloc, Runner: &pipelines.Runner{
		Lake: l, Schemas: set, Alloc: alloc, SpoolDir: t.TempDir(),
	}}
}

// Pipeline loads a pipeline's YAML with the connectors of connectors.Default
// and env as the environment.
func Pipeline(t *testing.T, text string, env map[string]string) *pipelines.Pipeline {
	t.Helper()
	loader := pipelines.Loader{Registry: connectors.Default, Lookup: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}, BaseDir: t.TempDir()}
	p, err := loader.Parse("pipeline.yaml", []byte(text))
	require.NoError(t, err)
	require.NoError(t, p.SourceConfig.Validate())
	return p
}

// Run runs a pipeline and requires it to succeed.
func (w *Warehouse) Run(t *testing.T, p *pipelines.Pipeline, opt pipelines.RunOptions) *pipelines.Result {
	t.Helper()
	res, err := w.Runner.Run(t.Context(), p, opt)
	require.NoError(t, err)
	return res
}

// Scan reads a lake table whole with an Iceberg scan of its current snapshot,
// each row as column -> value: int64, float64, bool, string, a decimal as its
// text, a date as YYYY-MM-DD, a timestamp as a UTC time.Time, nil for null.
func (w *Warehouse) Scan(t *testing.T, name string) []map[string]any {
	t.Helper()
	return Scan(t.Context(), t, w.Lake, name)
}

// Scan reads a lake table whole, as Warehouse.Scan.
func Scan(ctx context.Context, t *testing.T, l *lake.Lake, name string) []map[string]any {
	t.Helper()
	tbl, err := l.Load(ctx, name)
	require.NoError(t, err)
	at, err := tbl.Scan().ToArrowTable(ctx)
	require.NoError(t, err)
	defer at.Release()
	var rows []map[string]any
	base := 0
	for c := 0; c < int(at.NumCols()); c++ {
		col := at.Column(c)
		r := 0
		for _, chunk := range col.Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				for len(rows) <= base+r {
					rows = append(rows, map[string]any{})
				}
				rows[base+r][col.Name()] = Value(chunk, i)
				r++
			}
		}
	}
	return rows
}

// Value is cell i of an Arrow array as a plain Go value (see Scan).
func Value(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Binary:
		return string(a.Value(i))
	case *array.Decimal128:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Date32:
		return a.Value(i).ToTime().Format("2006-01-02")
	case *array.Timestamp:
		return a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit).UTC()
	}
	return a.ValueStr(i)
}

// SameFloat compares floats bit for bit where it matters: NaN equals NaN and
// -0 differs from +0.
func SameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return a == b && math.Signbit(a) == math.Signbit(b)
}

// UTC is a helper for expected instants: the wall clock given in zone.
func UTC(zone *time.Location, layout, value string) time.Time {
	t, err := time.ParseInLocation(layout, value, zone)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}
