package pipelines_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/lake/laketest"
)

// The dataset of the input-fingerprint tests: a rule (max) that quarantines
// some rows, so the quarantine's part of an unchanged rerun is checked too.
const visitsSchema = `
dataset: labour.rerun_visits
label: Lượt thử
owner: Sở Nội vụ
classification: open
key: [id]
columns:
  - {name: id, label: Mã, type: string, required: true}
  - {name: name, label: Tên, type: string}
  - {name: n, label: Số, type: int, min: 0, max: %d}
`

// inputFixture is a lake and a runner whose dataset's max rule can be changed.
type inputFixture struct {
	*fixture
	set *schemas.Set
}

func newInputFixture(t *testing.T) *inputFixture {
	f := newFixture(t)
	set, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	f.runner.Schemas = set
	fx := &inputFixture{fixture: f, set: set}
	fx.setMax(100)
	return fx
}

// setMax replaces the dataset's schema by one whose n must be at most max.
func (f *inputFixture) setMax(max int) {
	ds, err := schemas.Parse("rerun_visits.yaml", []byte(fmt.Sprintf(visitsSchema, max)))
	require.NoError(f.t, err)
	f.set.Add(ds)
}

func (f *inputFixture) parse(text string) *pipelines.Pipeline {
	f.t.Helper()
	l := pipelines.Loader{Registry: connectors.Default, BaseDir: f.dir}
	p, err := l.Parse("rerun_visits.yaml", []byte(text))
	require.NoError(f.t, err)
	require.NoError(f.t, pipelines.Validate(p, f.set, []*pipelines.Pipeline{p}))
	return p
}

// snapshotsOf counts the snapshots of a table (0 when it does not exist).
func (f *inputFixture) snapshotsOf(name string) int {
	ok, err := f.lake.Exists(f.t.Context(), name)
	require.NoError(f.t, err)
	if !ok {
		return 0
	}
	return f.snapshots(name)
}

// loaded checks that a run conformed its source (n rows) and reports
// whether it committed.
func loaded(t *testing.T, res *pipelines.Result, n int64, why string) {
	t.Helper()
	assert.False(t, res.InputUnchanged, "%s: the run reads a changed input", why)
	assert.EqualValues(t, n, res.Quality.Read, "%s: the conform step saw every row", why)
	assert.EqualValues(t, n, res.Read, why)
}

// unchanged checks that a run conformed nothing and committed nothing to
// the table or its quarantine, reporting the last load's counts.
func (f *inputFixture) unchanged(res *pipelines.Result, want *pipelines.Result, snaps [2]int, why string) {
	t := f.t
	t.Helper()
	assert.True(t, res.InputUnchanged, "%s: the input is the last load's", why)
	assert.True(t, res.NothingCommitted, "%s: nothing committed", why)
	assert.EqualValues(t, 0, res.Quality.Read, "%s: the conform step saw no row", why)
	assert.Equal(t, [3]int64{want.Read, want.Written, want.Quarantined}, [3]int64{res.Read, res.Written, res.Quarantined},
		"%s: the counts are the last load's", why)
	assert.Equal(t, res.Read, res.Written+res.Quarantined, why)
	assert.EqualValues(t, want.Written, res.Unchanged, "%s: every row unchanged", why)
	assert.Equal(t, snaps, f.counts(), "%s: no snapshot added to the table or its quarantine", why)
}

func (f *inputFixture) counts() [2]int {
	return [2]int{f.snapshotsOf("labour.rerun_visits"), f.snapshotsOf("labour.rerun_visits__quarantine")}
}

func (f *inputFixture) history(runID string) pipelines.Run {
	runs, err := f.runner.History.Runs(f.t.Context(), "rerun_visits", 100)
	require.NoError(f.t, err)
	for _, r := range runs {
		if r.ID == runID {
			return r
		}
	}
	f.t.Fatalf("run %s not in the history", runID)
	return pipelines.Run{}
}

// dropPipeline writes rows to a.csv of a drop folder and parses the
// overwrite pipeline of the folder's CSV files into labour.rerun_visits.
func (f *inputFixture) dropPipeline(rows [][3]string) (dir string, p *pipelines.Pipeline) {
	f.t.Helper()
	dir = filepath.Join(f.dir, "drop")
	require.NoError(f.t, os.MkdirAll(dir, 0o755))
	writeCSV(f.t, filepath.Join(dir, "a.csv"), rows)
	return dir, f.parse(fmt.Sprintf(`name: rerun_visits
source: {type: csv, path: "%s/*.csv"}
target: {dataset: labour.rerun_visits, mode: overwrite}
mapping: {ma: id, ten: name, so: n}
`, dir))
}

func writeCSV(t *testing.T, path string, rows [][3]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("ma,ten,so\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s,%s\n", r[0], r[1], r[2])
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}

// TestUnchangedRerunCSV: an overwrite over real CSV files whose input did
// not change reads the files but conforms and commits nothing, and keeps its
// quarantine as it was; a change of a source value, of the pipeline's YAML
// or of a rule of the schema each makes the next run load, and so does
// --full-refresh.
func TestUnchangedRerunCSV(t *testing.T) {
	f := newInputFixture(t)
	dir := filepath.Join(f.dir, "drop")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	rows := [][3]string{{"A", "an", "1"}, {"B", "bình", "2"}, {"C", "chi", "500"}, {"D", "dung", "-4"}, {"E", "em", "30"}}
	writeCSV(t, filepath.Join(dir, "a.csv"), rows)
	writeCSV(t, filepath.Join(dir, "b.csv"), [][3]string{{"F", "phong", "7"}})
	yamlText := func(extra string) string {
		return fmt.Sprintf(`name: rerun_visits
source:
  type: csv
  path: %s/*.csv
target:
  dataset: labour.rerun_visits
  mode: overwrite
mapping: {ma: id, ten: name, so: n}
%s`, dir, extra)
	}
	p := f.parse(yamlText(""))

	first := f.run(p, pipelines.RunOptions{})
	loaded(t, first, 6, "first load")
	assert.EqualValues(t, 4, first.Written)
	assert.EqualValues(t, 2, first.Quarantined, "500 is above max, -4 below min")
	require.Len(t, f.rows("labour.rerun_visits__quarantine", "record_key", "rule"), 2)

	snaps := f.counts()
	same := f.run(p, pipelines.RunOptions{})
	f.unchanged(same, first, snaps, "rerun")
	h := f.history(same.ID)
	assert.True(t, h.NothingCommitted, "the history says the run committed nothing")
	assert.EqualValues(t, 4, h.Unchanged)
	assert.Equal(t, [3]int64{6, 4, 2}, [3]int64{h.Read, h.Written, h.Quarantined})
	assert.Len(t, f.rows("labour.rerun_visits__quarantine", "record_key", "rule"), 2, "the quarantine neither doubled nor lost")

	// One value changes in one file.
	rows[4][2] = "31"
	writeCSV(t, filepath.Join(dir, "a.csv"), rows)
	res := f.run(p, pipelines.RunOptions{})
	loaded(t, res, 6, "a source value changed")
	assert.False(t, res.NothingCommitted)
	assert.Equal(t, []string{"31"}, f.rows("labour.rerun_visits", "id", "n")["E"])
	snaps = f.counts()
	f.unchanged(f.run(p, pipelines.RunOptions{}), res, snaps, "rerun after the value change")

	// The pipeline's YAML changes (a transform).
	p = f.parse(yamlText("transforms: {ten: [upper]}\n"))
	res = f.run(p, pipelines.RunOptions{})
	loaded(t, res, 6, "the pipeline changed")
	assert.False(t, res.NothingCommitted)
	assert.Equal(t, []string{"BÌNH"}, f.rows("labour.rerun_visits", "id", "name")["B"])
	snaps = f.counts()
	f.unchanged(f.run(p, pipelines.RunOptions{}), res, snaps, "rerun after the pipeline change")

	// A rule of the schema changes: 30 and 31 are now above max.
	f.setMax(20)
	res = f.run(p, pipelines.RunOptions{})
	loaded(t, res, 6, "the schema's rule changed")
	assert.False(t, res.NothingCommitted)
	assert.EqualValues(t, 3, res.Written)
	assert.EqualValues(t, 3, res.Quarantined)
	assert.Len(t, f.rows("labour.rerun_visits__quarantine", "record_key", "rule"), 3)
	snaps = f.counts()
	f.unchanged(f.run(p, pipelines.RunOptions{}), res, snaps, "rerun after the schema change")
	assert.Len(t, f.rows("labour.rerun_visits__quarantine", "record_key", "rule"), 3)

	// A change that conforms to the same rows (the pipeline's description)
	// commits nothing; the run keeps its input fingerprint in a table
	// property (no snapshot), so the next run conforms nothing.
	p = f.parse(yamlText("transforms: {ten: [upper]}\ndescription: Lượt thử, mô tả mới\n"))
	res = f.run(p, pipelines.RunOptions{})
	loaded(t, res, 6, "the description changed")
	assert.True(t, res.NothingCommitted, "the rows are the same")
	assert.Equal(t, snaps, f.counts())
	f.unchanged(f.run(p, pipelines.RunOptions{}), res, snaps, "rerun after a change that conformed to the same rows")

	// --full-refresh conforms again (and, the rows being the same, the
	// content fingerprint still commits nothing).
	res = f.run(p, pipelines.RunOptions{FullRefresh: true})
	loaded(t, res, 6, "--full-refresh")
	assert.EqualValues(t, 3, res.Written)

	// A file added is a change too.
	writeCSV(t, filepath.Join(dir, "c.csv"), [][3]string{{"G", "giang", "8"}})
	res = f.run(p, pipelines.RunOptions{})
	loaded(t, res, 7, "a file added")
	assert.EqualValues(t, 4, res.Written)
	assert.Len(t, f.rows("labour.rerun_visits", "id", "n"), 4)
}

// TestUnchangedRerunAfterOtherWrite: the input fingerprint is not
// trusted when the table or its quarantine no longer hold what the last
// load left (another writer changed them).
func TestUnchangedRerunAfterOtherWrite(t *testing.T) {
	f := newInputFixture(t)
	_, p := f.dropPipeline([][3]string{{"A", "an", "1"}, {"B", "bình", "200"}})
	f.run(p, pipelines.RunOptions{})
	// Someone else appends a row to the table.
	tbl, err := f.lake.Load(t.Context(), "labour.rerun_visits")
	require.NoError(t, err)
	sc, err := lake.Schema(tbl)
	require.NoError(t, err)
	extra := oneRow(t, f, sc)
	_, err = f.lake.Commit(t.Context(), tbl, extra, lake.Write{Mode: lake.Append, Summary: map[string]string{lake.SumPipeline: "someone_else"}})
	extra.Release()
	require.NoError(t, err)
	require.Len(t, f.rows("labour.rerun_visits", "id", "n"), 2)

	res := f.run(p, pipelines.RunOptions{})
	loaded(t, res, 2, "the table was written by another")
	assert.False(t, res.NothingCommitted, "the overwrite puts the source's rows back")
	assert.Len(t, f.rows("labour.rerun_visits", "id", "n"), 1)
	res2 := f.run(p, pipelines.RunOptions{})
	assert.True(t, res2.InputUnchanged)
}

// TestUnchangedRerunPostgres: the same over a real PostgreSQL table: the
// table is read once (spooled while hashed), and a changed value loads; the
// binary COPY's own bytes are the digest, taken the same way whether the
// rows are decoded (a load) or not (a rerun after an unchanged run).
func TestUnchangedRerunPostgres(t *testing.T) {
	dsn := laketest.PostgresDSNNamed(t, "kho_rerun_test")
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, `CREATE TABLE rerun13_visits (ma int PRIMARY KEY, ten text, so int)`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `INSERT INTO rerun13_visits SELECT g, 'người ' || g, g % 150 FROM generate_series(1, 20000) g`)
	require.NoError(t, err)
	f := newInputFixture(t)
	p := f.parse(fmt.Sprintf(`name: rerun_visits
source: {type: postgres, dsn: '%s', table: public.rerun13_visits}
target: {dataset: labour.rerun_visits, mode: overwrite}
mapping: {ma: id, ten: name, so: n}
`, dsn))
	first := f.run(p, pipelines.RunOptions{})
	loaded(t, first, 20000, "first load")
	assert.EqualValues(t, 20000-first.Written, first.Quarantined)
	assert.Positive(t, first.Quarantined, "so above 100 is quarantined")

	snaps := f.counts()
	f.unchanged(f.run(p, pipelines.RunOptions{}), first, snaps, "rerun")

	_, err = conn.Exec(ctx, `UPDATE rerun13_visits SET ten = 'đổi' WHERE ma = 12345`)
	require.NoError(t, err)
	res := f.run(p, pipelines.RunOptions{})
	loaded(t, res, 20000, "one value changed")
	assert.False(t, res.NothingCommitted)
	assert.Equal(t, []string{"đổi"}, f.rows("labour.rerun_visits", "id", "name")["12345"])
	snaps = f.counts()
	f.unchanged(f.run(p, pipelines.RunOptions{}), res, snaps, "rerun after the change")
	// After an unchanged run the next one only drains the COPY through its
	// digest, without decoding it: that digest must be the load's.
	f.unchanged(f.run(p, pipelines.RunOptions{}), res, snaps, "rerun after an unchanged run")
}

// oneRow is a reader of one row of schema sc, every value "9".
func oneRow(t *testing.T, f *inputFixture, sc *arrow.Schema) array.RecordReader {
	b := array.NewRecordBuilder(f.alloc, sc)
	defer b.Release()
	for i := range sc.Fields() {
		require.NoError(t, b.Field(i).AppendValueFromString("9"))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	require.NoError(t, err)
	return rdr
}

// TestUnchangedRerunAfterCrash: a run that crashed between its quarantine
// commit and its data commit left the quarantine holding its rows; a rerun
// over the input of the last load must not trust the fingerprint then, and
// puts the quarantine back to that input's bad rows, each once.
func TestUnchangedRerunAfterCrash(t *testing.T) {
	f := newInputFixture(t)
	before := [][3]string{{"A", "an", "1"}, {"B", "bình", "200"}, {"C", "chi", "3"}}
	dir, p := f.dropPipeline(before)
	first := f.run(p, pipelines.RunOptions{})
	require.EqualValues(t, 1, first.Quarantined)

	writeCSV(t, filepath.Join(dir, "a.csv"), [][3]string{{"A", "an", "-1"}, {"B", "bình", "200"}, {"C", "chi", "300"}})
	f.crashAt(p, "quarantine_committed")
	require.Len(t, f.rows("labour.rerun_visits__quarantine", "record_key", "rule"), 3, "the crashed run's quarantine rows are committed")

	// The source is back to the last load's input.
	writeCSV(t, filepath.Join(dir, "a.csv"), before)
	res := f.run(p, pipelines.RunOptions{})
	loaded(t, res, 3, "after a crash")
	assert.Equal(t, map[string][]string{"B": {"max"}}, f.rows("labour.rerun_visits__quarantine", "record_key", "rule"),
		"the quarantine holds the input's bad row, once")
	assert.Equal(t, map[string][]string{"A": {"1"}, "C": {"3"}}, f.rows("labour.rerun_visits", "id", "n"))
	snaps := f.counts()
	f.unchanged(f.run(p, pipelines.RunOptions{}), res, snaps, "rerun once the quarantine is right")
}

// TestUnchangedRerunAdminUnitDay: a dataset with an admin_unit column
// matches a row without a date to the unit valid on the day of the run, so
// the same input the next day (in Vietnam: 17:00 UTC) is conformed again.
func TestUnchangedRerunAdminUnitDay(t *testing.T) {
	f := newFixture(t)
	f.exec(`INSERT INTO bao_cao VALUES ('A', '03646', 1, '2026-01-01 08:00:00'), ('B', 'nowhere', 2, '2026-01-01 09:00:00')`)
	now := time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC) // 23:00 in Vietnam
	f.runner.Now = func() time.Time { return now }
	l := pipelines.Loader{Registry: connectors.Default, BaseDir: f.dir}
	p, err := l.Parse("test_reports.yaml", []byte(fmt.Sprintf(`name: test_reports
source: {type: sqlite, path: %s, table: bao_cao}
target: {dataset: labour.test_reports, mode: overwrite}
mapping: {ma: id, xa: commune, so: n, cap_nhat: updated_at}
`, filepath.Join(f.dir, "src.db"))))
	require.NoError(t, err)
	require.NoError(t, pipelines.Validate(p, f.runner.Schemas, []*pipelines.Pipeline{p}))

	first := f.run(p, pipelines.RunOptions{})
	require.EqualValues(t, 1, first.Written)
	now = now.Add(30 * time.Minute) // the same day in Vietnam
	res := f.run(p, pipelines.RunOptions{})
	assert.True(t, res.InputUnchanged, "the same day")
	assert.EqualValues(t, 0, res.Quality.Read)

	now = now.Add(time.Hour) // 00:30 the next day in Vietnam, still the 10th in UTC
	res = f.run(p, pipelines.RunOptions{})
	assert.False(t, res.InputUnchanged, "the next day in Vietnam: the units valid today may differ")
	assert.EqualValues(t, 2, res.Quality.Read)
	res = f.run(p, pipelines.RunOptions{})
	assert.True(t, res.InputUnchanged, "and the rerun that day skips again (the fingerprint was kept)")
}

// TestUnchangedRerunWithoutSpool: after a run that found its input
// unchanged, the next rerun bets on the same and hashes the source without
// writing it to a raw spool file; when the source did change after all it
// reads the source again and loads that reading, and the run after a load
// spools again (a changed source is then read once).
func TestUnchangedRerunWithoutSpool(t *testing.T) {
	f := newInputFixture(t)
	rows := [][3]string{{"A", "an", "1"}, {"B", "bình", "2"}, {"C", "chi", "500"}}
	dir, p := f.dropPipeline(rows)
	// rawSpools counts, while the source is being read, the raw spool
	// files in the spool folder.
	var rawSpools []int
	f.runner.Hooks.Progress = func(string, int64) {
		m, err := filepath.Glob(filepath.Join(f.runner.SpoolDir, "kho-raw-*"))
		require.NoError(t, err)
		rawSpools = append(rawSpools, len(m))
	}
	run := func() *pipelines.Result {
		rawSpools = nil
		return f.run(p, pipelines.RunOptions{})
	}
	first := run()
	loaded(t, first, 3, "first load")
	assert.NotContains(t, rawSpools, 1, "a first load conforms as it reads: no raw spool")

	snaps := f.counts()
	f.unchanged(run(), first, snaps, "rerun after a load")
	assert.Contains(t, rawSpools, 1, "after a load, a rerun that may be unchanged spools the source")

	f.unchanged(run(), first, snaps, "rerun after an unchanged run")
	require.NotEmpty(t, rawSpools, "the source was read")
	assert.NotContains(t, rawSpools, 1, "after an unchanged run the source is hashed, not spooled")

	// The source changes: the run, betting on no change, reads it again.
	rows[1][2] = "3"
	writeCSV(t, filepath.Join(dir, "a.csv"), rows)
	res := run()
	loaded(t, res, 3, "a value changed")
	assert.False(t, res.NothingCommitted)
	assert.EqualValues(t, 2, res.Written)
	assert.EqualValues(t, 1, res.Quarantined)
	assert.Equal(t, []string{"3"}, f.rows("labour.rerun_visits", "id", "n")["B"])
	assert.NotContains(t, rawSpools, 1)
	// The reading that was loaded is the one fingerprinted: the next run
	// finds it unchanged.
	snaps = f.counts()
	f.unchanged(run(), res, snaps, "rerun after the reread load")
	assert.Contains(t, rawSpools, 1, "after a load the rerun spools again")
}
