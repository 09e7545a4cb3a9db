package dashboard

import (
	"context"
	"math"
	"math/big"
	"slices"
	"time"

	"github.com/sonla-data/kho/server/pages/site"
)

// table is a small query result, read whole.
type table struct {
	Cols  []string
	Types []string
	Rows  [][]any
}

// readAll runs one of the pages' own queries through the serving engine as
// the signed-in reader (site.ReaderOf) and reads at most max rows.
func readAll(ctx context.Context, q *site.Querier, max int, query string, args ...any) (*table, error) {
	t := &table{}
	st := site.Statement{Reader: site.ReaderOf(ctx), SQL: query, Args: args, MaxRows: int64(max)}
	err := q.Scan(ctx, st, func(names, types []string) error {
		t.Cols, t.Types = names, types
		return nil
	}, func(vals []any) error {
		t.Rows = append(t.Rows, slices.Clone(vals))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// num reads a scanned value as a float (NaN for NULL or non-numbers).
func num(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case int32:
		return float64(v)
	case int16:
		return float64(v)
	case int8:
		return float64(v)
	case uint64:
		return float64(v)
	case uint32:
		return float64(v)
	case int:
		return float64(v)
	case float64:
		return v
	case float32:
		return float64(v)
	case *big.Int:
		f, _ := new(big.Float).SetInt(v).Float64()
		return f
	case interface{ Float64() float64 }: // duckdb.Decimal
		return v.Float64()
	case bool:
		if v {
			return 1
		}
		return 0
	}
	return math.NaN()
}

// str reads a scanned value as text.
func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []byte:
		return string(v)
	case time.Time:
		return v.Format("2006-01-02")
	}
	return ""
}

// nullTime reads a DATE.
func asTime(v any) (time.Time, bool) {
	t, ok := v.(time.Time)
	return t, ok
}
