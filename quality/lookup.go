package quality

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/warehouse/lake"
)

// Lookup returns the hook of schemas.ConformOptions.Lookup for one run: the
// values of a column in the current snapshot of a dataset's table, read
// once per dataset and column and kept for the hook's life. A dataset
// without a table gives a nil set (the rule is then reported unchecked).
func Lookup(ctx context.Context, l *lake.Lake) func(dataset, column string) (map[string]bool, error) {
	var mu sync.Mutex
	cache := map[[2]string]map[string]bool{}
	return func(dataset, column string) (map[string]bool, error) {
		mu.Lock()
		defer mu.Unlock()
		k := [2]string{dataset, column}
		if set, ok := cache[k]; ok {
			return set, nil
		}
		t, err := l.Load(ctx, dataset)
		if errors.Is(err, catalog.ErrNoSuchTable) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		set, err := columnValues(ctx, t, column)
		if err != nil {
			return nil, fmt.Errorf("reading %s.%s: %w", dataset, column, err)
		}
		cache[k] = set
		return set, nil
	}
}

// columnValues reads the distinct values of one column of a table's current
// snapshot, as text.
func columnValues(ctx context.Context, t *table.Table, column string) (map[string]bool, error) {
	set := map[string]bool{}
	if t.CurrentSnapshot() == nil {
		return set, nil
	}
	if _, ok := t.Schema().FindFieldByName(column); !ok {
		return nil, fmt.Errorf("no column %q", column)
	}
	_, batches, err := t.Scan(table.WithSelectedFields(column)).ToArrowRecords(ctx)
	if err != nil {
		return nil, err
	}
	for b, err := range batches {
		if err != nil {
			return nil, err
		}
		col := b.Column(0)
		for i := 0; i < col.Len(); i++ {
			if col.IsValid(i) {
				set[cellText(col, i)] = true
			}
		}
		b.Release()
	}
	return set, nil
}

// cellText is a cell as the conform step writes values as text: integers in
// decimal, text as it is.
func cellText(a arrow.Array, i int) string {
	switch a := a.(type) {
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	}
	return a.ValueStr(i)
}
