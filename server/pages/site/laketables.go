package site

import (
	"context"
	"errors"
	"time"

	"github.com/apache/iceberg-go/catalog"

	"github.com/sonla-data/kho/warehouse/lake"
)

// LakeTables reads TableInfo from the lake's Iceberg catalog.
type LakeTables struct{ Lake *lake.Lake }

// Table describes a table's current snapshot.
func (l LakeTables) Table(ctx context.Context, name string) (TableInfo, error) {
	info := TableInfo{Name: name}
	t, err := l.Lake.Load(ctx, name)
	if errors.Is(err, catalog.ErrNoSuchTable) {
		return info, nil
	}
	if err != nil {
		return info, err
	}
	info.Exists = true
	info.Rows = lake.RowCount(t)
	if s := t.CurrentSnapshot(); s != nil {
		info.Snapshot = s.SnapshotID
		info.Modified = time.UnixMilli(s.TimestampMs)
	}
	return info, nil
}
