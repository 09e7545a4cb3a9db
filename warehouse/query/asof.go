package query

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/warehouse/lake"
)

// AsOf is a point in the lake's past: a snapshot id (of one table: the other
// tables are read as they were when that snapshot was committed) or a time.
// The zero AsOf is now.
type AsOf struct {
	SnapshotID int64
	Time       time.Time
}

// IsZero reports whether a is now.
func (a AsOf) IsZero() bool { return a.SnapshotID == 0 && a.Time.IsZero() }

func (a AsOf) String() string {
	switch {
	case a.SnapshotID != 0:
		return "snapshot " + strconv.FormatInt(a.SnapshotID, 10)
	case !a.Time.IsZero():
		return a.Time.In(hcm).Format("2006-01-02 15:04:05 -07")
	}
	return "now"
}

// asOfLayouts are the times --as-of understands, in Asia/Ho_Chi_Minh unless
// they carry a zone.
var asOfLayouts = []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"}

// ParseAsOf reads a snapshot id (digits only) or a time: "2025-07-01",
// "2025-07-01 08:30", "2025-07-01 08:30:00" (Asia/Ho_Chi_Minh) or RFC 3339.
func ParseAsOf(s string) (AsOf, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return AsOf{}, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return AsOf{SnapshotID: n}, nil
	}
	for _, l := range asOfLayouts {
		if t, err := time.ParseInLocation(l, s, hcm); err == nil {
			return AsOf{Time: t}, nil
		}
	}
	return AsOf{}, fmt.Errorf("%q is neither a snapshot id nor a time (2025-07-01, 2025-07-01 08:30[:00], RFC 3339)", s)
}

// snapshotFor is the snapshot of t that a view as of at reads: 0 for the
// current one, -1 when the table had no snapshot then (an empty view). at
// must be resolved (a time, or the snapshot id of this very table).
func snapshotFor(t *table.Table, at AsOf) int64 {
	if at.IsZero() {
		return 0
	}
	if at.SnapshotID != 0 && t.SnapshotByID(at.SnapshotID) != nil {
		return at.SnapshotID
	}
	id, ok := lake.SnapshotAt(t, at.Time)
	if !ok {
		return -1
	}
	return id
}

// resolve turns an AsOf by snapshot id into the table that has it and the
// time of its commit, which the other tables are read at.
func (e *Engine) resolve(ctx context.Context, at AsOf, names []string) (AsOf, error) {
	if at.SnapshotID == 0 {
		return at, nil
	}
	for _, name := range names {
		t, err := e.lake.Load(ctx, name)
		if err != nil {
			return at, err
		}
		if s := t.SnapshotByID(at.SnapshotID); s != nil {
			return AsOf{SnapshotID: at.SnapshotID, Time: time.UnixMilli(s.TimestampMs)}, nil
		}
	}
	return at, fmt.Errorf("no table of the lake has snapshot %d (expired, or never was; see `kho lake snapshots`)", at.SnapshotID)
}
