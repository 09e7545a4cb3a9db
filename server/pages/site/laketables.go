package site

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/apache/iceberg-go/catalog"

	"github.com/sonla-data/kho/warehouse/lake"
)

// LakeTables reads TableInfo from the lake's Iceberg catalog.
//
// Loading a table parses its whole metadata file (JSON), which the
// dashboard's freshness table did for every dataset on every request. A
// metadata file is never rewritten (a commit writes a new one and points
// the catalog at it), so what one says is kept by its location: a request
// reads the table's pointer from the catalog (lake.MetadataLocation, one
// indexed row) and parses only a metadata file it has not seen.
type LakeTables struct{ Lake *lake.Lake }

// Table describes a table's current snapshot.
func (l LakeTables) Table(ctx context.Context, name string) (TableInfo, error) {
	loc := l.location(ctx, name)
	if loc != "" {
		if info, ok := metaInfos.get(loc); ok {
			info.Name = name
			return info, nil
		}
	}
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
	if loc != "" && t.MetadataLocation() == loc { // not a commit made meanwhile
		metaInfos.put(loc, info)
	}
	return info, nil
}

// location is the table's current metadata file as the catalog points to
// it; "" when it cannot tell (Load then decides).
func (l LakeTables) location(ctx context.Context, name string) string {
	loc, err := l.Lake.MetadataLocation(ctx, name)
	if err != nil {
		return ""
	}
	return loc
}

// metaInfos keeps what metadata files say, by location, for every lake of
// the process (a location names one file); beyond maxMetaInfos it starts
// again empty.
var metaInfos = &metaMemo{m: map[string]TableInfo{}}

const maxMetaInfos = 8192

type metaMemo struct {
	mu sync.Mutex
	m  map[string]TableInfo
}

func (c *metaMemo) get(loc string) (TableInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	info, ok := c.m[loc]
	return info, ok
}

func (c *metaMemo) put(loc string, info TableInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxMetaInfos {
		c.m = map[string]TableInfo{}
	}
	c.m[loc] = info
}
