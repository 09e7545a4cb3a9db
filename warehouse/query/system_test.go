package query_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/query"
)

func TestParseAsOf(t *testing.T) {
	hcm := time.FixedZone("ICT", 7*3600)
	tests := []struct {
		in   string
		want query.AsOf
		err  bool
	}{
		{"", query.AsOf{}, false},
		{"8512334401", query.AsOf{SnapshotID: 8512334401}, false},
		{"2025-07-01", query.AsOf{Time: time.Date(2025, 7, 1, 0, 0, 0, 0, hcm)}, false},
		{"2025-07-01 08:30", query.AsOf{Time: time.Date(2025, 7, 1, 8, 30, 0, 0, hcm)}, false},
		{"2025-07-01 08:30:15", query.AsOf{Time: time.Date(2025, 7, 1, 8, 30, 15, 0, hcm)}, false},
		{"2025-07-01T01:30:15Z", query.AsOf{Time: time.Date(2025, 7, 1, 8, 30, 15, 0, hcm)}, false},
		{"yesterday", query.AsOf{}, true},
		{"-5", query.AsOf{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := query.ParseAsOf(tt.in)
			if tt.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want.SnapshotID, got.SnapshotID)
			assert.True(t, tt.want.Time.Equal(got.Time), "%s != %s", tt.want.Time, got.Time)
		})
	}
}

func TestTimeTravelBase(t *testing.T) {
	hcm := time.FixedZone("ICT", 7*3600)
	tests := []struct {
		name string
		base string
		at   query.AsOf
		ok   bool
	}{
		{"visits__snapshot_42", "visits", query.AsOf{SnapshotID: 42}, true},
		{"visits__asof_20250701", "visits", query.AsOf{Time: time.Date(2025, 7, 1, 0, 0, 0, 0, hcm)}, true},
		{"dossier_kpi_monthly__asof_20250701_0830", "dossier_kpi_monthly", query.AsOf{Time: time.Date(2025, 7, 1, 8, 30, 0, 0, hcm)}, true},
		{"visits__asof_20250701_083015", "visits", query.AsOf{Time: time.Date(2025, 7, 1, 8, 30, 15, 0, hcm)}, true},
		{"visits__quarantine", "", query.AsOf{}, false},
		{"visits", "", query.AsOf{}, false},
		{"visits__asof_20251301", "", query.AsOf{}, false},
		{"visits__snapshot_42x", "", query.AsOf{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, at, ok := query.TimeTravelBase(tt.name)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.base, base)
			assert.Equal(t, tt.at.SnapshotID, at.SnapshotID)
			assert.True(t, tt.at.Time.Equal(at.Time))
		})
	}
}

// TestSystemTables checks kho.tables and kho.snapshots: declared datasets
// whether loaded or not, tables of the lake that no schema declares, the
// counts of the last pipeline run, and one row per snapshot.
func TestSystemTables(t *testing.T) {
	ctx := t.Context()
	l, err := lake.Open(ctx, lake.Config{Root: t.TempDir()})
	require.NoError(t, err)
	defer l.Close()
	tbl, err := l.Ensure(ctx, "health.visits", icebergSchema(false), byMonth, nil)
	require.NoError(t, err)
	write := func(pipeline string, read, written, quarantined string, rows ...gen) {
		sp := spoolRows(t, false, rows...)
		defer sp.Release()
		tbl, err = l.Commit(ctx, tbl, sp, lake.Write{Mode: lake.Merge, Key: []string{"id"}, Summary: map[string]string{
			lake.SumPipeline: pipeline, lake.SumRunID: "r-" + read, lake.SumRead: read, lake.SumWritten: written, lake.SumQuarantined: quarantined}})
		require.NoError(t, err)
	}
	write("health_visits", "5", "3", "2", gen{id: 1}, gen{id: 2}, gen{id: 3})
	write("health_visits", "4", "4", "0", gen{id: 3, g: 1}, gen{id: 4}, gen{id: 5}, gen{id: 6})
	tbl, _, err = l.Compact(ctx, tbl)
	require.NoError(t, err)
	_, err = l.Ensure(ctx, "marts.m", icebergSchema(false), byMonth, map[string]string{"comment": "a mart"})
	require.NoError(t, err)

	e, err := query.Open(ctx, l, query.Options{Datasets: []query.DatasetInfo{
		{Name: "health.visits", Label: "Lượt khám", Owner: "Sở Y tế", Classification: "restricted", FreshWithin: 48 * time.Hour},
		{Name: "health.clinics", Label: "Cơ sở y tế", Owner: "Sở Y tế", Classification: "open"},
	}})
	require.NoError(t, err)
	defer e.Close()

	type tableRow struct {
		dataset, kind, owner, class string
		declared, inLake            bool
		fresh                       sql.NullFloat64
		rows                        int64
		pipeline, runID             sql.NullString
		read, written, quarantined  sql.NullInt64
		lastWriteBeforeLastSnapshot bool
	}
	rows, err := e.QueryContext(ctx, `SELECT dataset, kind, coalesce(owner, ''), coalesce(classification, ''), declared, in_lake,
		fresh_within_hours, "rows", last_pipeline, last_run_id, rows_read, rows_written, rows_quarantined,
		last_write_at < last_snapshot_at FROM kho.tables ORDER BY dataset`)
	require.NoError(t, err)
	var got []tableRow
	for rows.Next() {
		var r tableRow
		var before sql.NullBool
		require.NoError(t, rows.Scan(&r.dataset, &r.kind, &r.owner, &r.class, &r.declared, &r.inLake, &r.fresh, &r.rows,
			&r.pipeline, &r.runID, &r.read, &r.written, &r.quarantined, &before))
		r.lastWriteBeforeLastSnapshot = before.Bool
		got = append(got, r)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	require.Len(t, got, 3)
	assert.Equal(t, tableRow{dataset: "health.clinics", kind: "dataset", owner: "Sở Y tế", class: "open", declared: true}, got[0])
	assert.Equal(t, tableRow{dataset: "health.visits", kind: "dataset", owner: "Sở Y tế", class: "restricted", declared: true, inLake: true,
		fresh: sql.NullFloat64{Float64: 48, Valid: true}, rows: 6,
		pipeline: sql.NullString{String: "health_visits", Valid: true}, runID: sql.NullString{String: "r-4", Valid: true},
		read: sql.NullInt64{Int64: 4, Valid: true}, written: sql.NullInt64{Int64: 4, Valid: true}, quarantined: sql.NullInt64{Int64: 0, Valid: true},
		lastWriteBeforeLastSnapshot: true}, got[1], "the last write is the merge, before the compaction")
	assert.Equal(t, tableRow{dataset: "marts.m", kind: "mart", inLake: true}, got[2])

	var n, written, quarantined int64
	require.NoError(t, e.DB().QueryRowContext(ctx, `SELECT count(*), sum(rows_written), sum(rows_quarantined) FROM kho.snapshots WHERE dataset = 'health.visits'`).
		Scan(&n, &written, &quarantined))
	assert.Equal(t, []int64{3, 7, 2}, []int64{n, written, quarantined})

	// A new commit shows at the next refresh.
	write("health_visits", "1", "1", "0", gen{id: 7})
	require.NoError(t, e.Refresh(ctx))
	require.NoError(t, e.DB().QueryRowContext(ctx, `SELECT "rows" FROM kho.tables WHERE dataset = 'health.visits'`).Scan(&n))
	assert.EqualValues(t, 7, n)
}
