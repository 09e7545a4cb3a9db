package lake

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/apache/iceberg-go/table"
)

// SnapshotInfo is one snapshot of a table, as `kho lake snapshots` shows it.
type SnapshotInfo struct {
	ID        int64
	ParentID  int64 // 0: none
	Time      time.Time
	Operation string // append, overwrite, delete, replace
	RunID     string
	Pipeline  string
	// KhoOp is what Kho did: write, delete, compact (empty for snapshots
	// written by other engines).
	KhoOp       string
	AddedRows   int64
	DeletedRows int64
	TotalRows   int64 // the data files' rows (position deletes not taken off)
	TotalFiles  int64
	SchemaID    int
	// Current is the table's current snapshot; InHistory says the snapshot
	// is an ancestor of it (false for a snapshot a rollback stepped over).
	Current   bool
	InHistory bool
	Summary   map[string]string
}

// Snapshots lists the snapshots of a table, oldest first.
func Snapshots(t *table.Table) []SnapshotInfo {
	ancestors := map[int64]bool{}
	var cur int64
	if s := t.CurrentSnapshot(); s != nil {
		cur = s.SnapshotID
		for a := s; a != nil; {
			ancestors[a.SnapshotID] = true
			if a.ParentSnapshotID == nil {
				break
			}
			a = t.SnapshotByID(*a.ParentSnapshotID)
		}
	}
	snaps := t.Metadata().Snapshots()
	out := make([]SnapshotInfo, 0, len(snaps))
	for _, s := range snaps {
		si := SnapshotInfo{
			ID:        s.SnapshotID,
			Time:      time.UnixMilli(s.TimestampMs),
			Current:   s.SnapshotID == cur,
			InHistory: ancestors[s.SnapshotID],
			Summary:   map[string]string{},
		}
		if s.ParentSnapshotID != nil {
			si.ParentID = *s.ParentSnapshotID
		}
		if s.SchemaID != nil {
			si.SchemaID = *s.SchemaID
		}
		if s.Summary != nil {
			si.Operation = string(s.Summary.Operation)
			for k, v := range s.Summary.Properties {
				si.Summary[k] = v
			}
			p := s.Summary.Properties
			si.RunID, si.Pipeline, si.KhoOp = p[SumRunID], p[SumPipeline], p[SumOperation]
			si.AddedRows = atoi(p["added-records"])
			si.DeletedRows = atoi(p["deleted-records"])
			si.TotalRows = atoi(p["total-records"])
			si.TotalFiles = atoi(p["total-data-files"])
		}
		out = append(out, si)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// SnapshotAt is the snapshot that was the table's current one at a time
// (from the table's snapshot log, so rollbacks are honoured). ok is false
// when the table had no snapshot yet.
func SnapshotAt(t *table.Table, at time.Time) (id int64, ok bool) {
	s := t.SnapshotAsOf(at.UnixMilli(), true)
	if s == nil {
		return 0, false
	}
	return s.SnapshotID, true
}

// HasSnapshot reports whether a table still has a snapshot (not expired).
func HasSnapshot(t *table.Table, id int64) bool { return t.SnapshotByID(id) != nil }

// CheckSnapshot returns an error naming the table when it has no such
// snapshot (never had, or expired).
func CheckSnapshot(t *table.Table, id int64) error {
	if HasSnapshot(t, id) {
		return nil
	}
	return fmt.Errorf("table %s has no snapshot %d (see `kho lake snapshots %s`; expired snapshots cannot be read)", name(t), id, name(t))
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
