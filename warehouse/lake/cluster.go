package lake

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
)

// partitionOrdinal returns a function giving the partition of a value under
// the transforms Kho's schemas partition by (nil for others). Only equality
// of its results matters: rows with equal results share a partition.
func partitionOrdinal(tr iceberg.Transform) func(arrow.Array, int) (any, bool) {
	when := func(a arrow.Array, i int) (time.Time, bool) {
		switch a := a.(type) {
		case *array.Timestamp:
			return a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit).UTC(), true
		case *array.Date32:
			return a.Value(i).ToTime(), true
		}
		return time.Time{}, false
	}
	switch tr.(type) {
	case iceberg.MonthTransform:
		return func(a arrow.Array, i int) (any, bool) {
			t, ok := when(a, i)
			return t.Year()*12 + int(t.Month()), ok
		}
	case iceberg.YearTransform:
		return func(a arrow.Array, i int) (any, bool) {
			t, ok := when(a, i)
			return t.Year(), ok
		}
	case iceberg.DayTransform:
		return func(a arrow.Array, i int) (any, bool) {
			t, ok := when(a, i)
			sec := t.Unix()
			day := sec / 86400
			if sec%86400 < 0 { // before 1970: the day it falls in, not towards zero
				day--
			}
			return int(day), ok
		}
	case iceberg.IdentityTransform:
		return func(a arrow.Array, i int) (any, bool) { return a.ValueStr(i), true }
	}
	return nil
}
