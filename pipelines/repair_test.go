package pipelines_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/lake"
)

// TestDeadRunsAndUncommittedQuarantine: a run left "running" by a killed
// process is found (nobody holds its table's lock) and marked killed, while a
// run whose table is locked is alive; quarantine rows of a run that never
// committed its data are removed at once, those of a committed run kept.
func TestDeadRunsAndUncommittedQuarantine(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	l, err := lake.Open(ctx, lake.Config{Root: filepath.Join(dir, "lake"), LockTimeout: "1s"})
	require.NoError(t, err)
	defer l.Close()
	h, err := pipelines.OpenHistory(ctx, filepath.Join(dir, "runs.db"))
	require.NoError(t, err)
	defer h.Close()
	old := time.Now().Add(-time.Hour)
	require.NoError(t, h.Save(ctx, pipelines.Run{ID: "dead", Pipeline: "p", Dataset: "health.visits", TriggeredBy: "cli", Started: old, Status: pipelines.StatusRunning}))
	require.NoError(t, h.Save(ctx, pipelines.Run{ID: "alive", Pipeline: "q", Dataset: "health.clinics", TriggeredBy: "cli", Started: old, Status: pipelines.StatusRunning}))
	require.NoError(t, h.Save(ctx, pipelines.Run{ID: "young", Pipeline: "r", Dataset: "health.staff", TriggeredBy: "cli", Started: time.Now(), Status: pipelines.StatusRunning}))
	unlock, err := l.Lock(ctx, "health.clinics")
	require.NoError(t, err)
	defer unlock()

	dead, err := pipelines.DeadRuns(ctx, h, l, 10*time.Minute, false)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, "dead", dead[0].ID)
	assert.False(t, dead[0].Marked)
	dead, err = pipelines.DeadRuns(ctx, h, l, 10*time.Minute, true)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.True(t, dead[0].Marked)
	runs, err := h.Runs(ctx, "", 10)
	require.NoError(t, err)
	status := map[string]string{}
	for _, r := range runs {
		status[r.ID] = r.Status
	}
	assert.Equal(t, map[string]string{"dead": pipelines.StatusKilled, "alive": pipelines.StatusRunning, "young": pipelines.StatusRunning}, status)

	// Quarantine: run "ok" committed its data, run "crashed" only its
	// quarantine.
	sc := iceberg.NewSchema(0, iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.String})
	target, err := l.Ensure(ctx, "health.visits", sc, *iceberg.UnpartitionedSpec, nil)
	require.NoError(t, err)
	q, err := l.Ensure(ctx, "health.visits"+pipelines.QuarantineSuffix, pipelines.QuarantineSchema(), *iceberg.UnpartitionedSpec, nil)
	require.NoError(t, err)
	q = commitRows(t, l, q, quarantineArrow(t), "ok", "p")
	target = commitRows(t, l, target, arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true}}, nil), "ok", "p")
	_ = target
	q = commitRows(t, l, q, quarantineArrow(t), "crashed", "p")
	assert.EqualValues(t, 2, lake.RowCount(q))

	found, err := pipelines.RepairQuarantine(ctx, l, false)
	require.NoError(t, err)
	require.Len(t, found, 1)
	assert.Equal(t, []string{"crashed"}, found[0].Runs)
	assert.False(t, found[0].Removed)
	found, err = pipelines.RepairQuarantine(ctx, l, true)
	require.NoError(t, err)
	require.Len(t, found, 1)
	assert.True(t, found[0].Removed)
	q, err = l.Load(ctx, "health.visits"+pipelines.QuarantineSuffix)
	require.NoError(t, err)
	assert.EqualValues(t, 1, lake.RowCount(q), "only the committed run's quarantine row is left")
	found, err = pipelines.RepairQuarantine(ctx, l, true)
	require.NoError(t, err)
	assert.Empty(t, found)
}

func quarantineArrow(t *testing.T) *arrow.Schema {
	t.Helper()
	sc := pipelines.QuarantineSchema()
	fs := make([]arrow.Field, 0, len(sc.Fields()))
	for _, f := range sc.Fields() {
		var dt arrow.DataType = arrow.BinaryTypes.String
		switch f.Name {
		case "source_row":
			dt = arrow.PrimitiveTypes.Int64
		case "quarantined_at":
			dt = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
		}
		fs = append(fs, arrow.Field{Name: f.Name, Type: dt, Nullable: true})
	}
	return arrow.NewSchema(fs, nil)
}

// commitRows appends one row (run_id or id = runID, the rest null) as run
// runID of pipeline p.
func commitRows(t *testing.T, l *lake.Lake, tbl *table.Table, sc *arrow.Schema, runID, p string) *table.Table {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i, f := range sc.Fields() {
		switch {
		case f.Name == "run_id" || f.Name == "id":
			b.Field(i).(*array.StringBuilder).Append(runID)
		case f.Name == "pipeline":
			b.Field(i).(*array.StringBuilder).Append(p)
		default:
			b.Field(i).AppendNull()
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	sp, err := lake.NewSpool(t.TempDir(), sc, memory.DefaultAllocator, nil)
	require.NoError(t, err)
	defer sp.Release()
	require.NoError(t, sp.Write(rec))
	require.NoError(t, sp.Finish())
	nt, err := l.Commit(t.Context(), tbl, sp, lake.Write{Mode: lake.Append, Summary: map[string]string{lake.SumRunID: runID, lake.SumPipeline: p}})
	require.NoError(t, err)
	return nt
}
