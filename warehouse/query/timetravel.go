package query

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Time travel inside SQL is by name: a table's name with a suffix is a view
// of the table in the past, created when a statement names it.
//
//	health.visits__snapshot_8512334401     the table at that snapshot
//	health.visits__asof_20250701           as it was at 2025-07-01 00:00 (Asia/Ho_Chi_Minh)
//	health.visits__asof_20250701_0830      … at 08:30; _083015 for seconds
//
// They are plain views in the table's schema, so a sandbox that allows the
// views a role may read allows them by their base table (TimeTravelBase)
// without opening table functions, and any SQL engine's parser reads them.
// A snapshot that expired is an error naming it; a time before the table's
// first snapshot is an empty view.
var timeTravelRe = regexp.MustCompile(`(?i)"?\b([a-z_][a-z0-9_]*)"?\s*\.\s*"?([a-z_][a-z0-9_]*?)__(snapshot_([0-9]+)|asof_([0-9]{8})(?:_([0-9]{6}|[0-9]{4}))?)\b"?`)

// TimeTravelBase reads a time-travel view's name ("visits__snapshot_42",
// "visits__asof_20250701_0830") into its base table's name and the point in
// time; ok is false for any other name.
func TimeTravelBase(table string) (base string, at AsOf, ok bool) {
	m := timeTravelRe.FindStringSubmatch("x." + table)
	if m == nil || len(m[0]) != len(table)+2 {
		return "", AsOf{}, false
	}
	at, err := parseTravel(m)
	if err != nil {
		return "", AsOf{}, false
	}
	return strings.ToLower(m[2]), at, true
}

func parseTravel(m []string) (AsOf, error) {
	if m[4] != "" {
		id, err := strconv.ParseInt(m[4], 10, 64)
		if err != nil || id <= 0 {
			return AsOf{}, fmt.Errorf("%q is not a snapshot id", m[4])
		}
		return AsOf{SnapshotID: id}, nil
	}
	layout, value := "20060102", m[5]
	switch len(m[6]) {
	case 4:
		layout, value = "20060102_1504", m[5]+"_"+m[6]
	case 6:
		layout, value = "20060102_150405", m[5]+"_"+m[6]
	}
	t, err := time.ParseInLocation(layout, value, hcm)
	if err != nil {
		return AsOf{}, fmt.Errorf("%q is not a date (yyyymmdd[_hhmm[ss]])", value)
	}
	return AsOf{Time: t}, nil
}

// Prepare creates the time-travel views a statement names (see
// TimeTravelBase). QueryContext and ArrowQuery call it; a caller running SQL
// through DB() directly calls it first.
func (e *Engine) Prepare(ctx context.Context, query string) error {
	ms := timeTravelRe.FindAllStringSubmatch(query, -1)
	if len(ms) == 0 {
		return nil
	}
	known, err := e.lake.Tables(ctx)
	if err != nil {
		return err
	}
	isTable := map[string]bool{}
	for _, n := range known {
		isTable[n] = true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range ms {
		ns, base := strings.ToLower(m[1]), strings.ToLower(m[2])
		name := ns + "." + base
		if !isTable[name] {
			continue // DuckDB says the table does not exist
		}
		at, err := parseTravel(m)
		if err != nil {
			return fmt.Errorf("%s: %w", m[0], err)
		}
		t, err := e.lake.Load(ctx, name)
		if err != nil {
			return err
		}
		snap := snapshotFor(t, at)
		if at.SnapshotID != 0 && snap != at.SnapshotID {
			return fmt.Errorf("%s: table %s has no snapshot %d (expired, or of another table; see `kho lake snapshots %s`)", m[0], name, at.SnapshotID, name)
		}
		view := ns + "." + base + "__" + strings.ToLower(m[3])
		if v, ok := e.travel[view]; ok && v == snap {
			continue
		}
		if err := e.createView(ctx, view, t, snap); err != nil {
			return err
		}
		e.travel[view] = snap
	}
	return nil
}

// QueryContext runs a query after creating the time-travel views it names.
func (e *Engine) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := e.Prepare(ctx, query); err != nil {
		return nil, err
	}
	return e.db.QueryContext(ctx, query, args...)
}
