package pipelines_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/warehouse/lake"
)

const reportsSchema = `
dataset: labour.test_reports
label: Báo cáo thử
owner: Sở Nội vụ
classification: open
key: [id]
columns:
  - {name: id, label: Mã, type: string, required: true}
  - {name: commune, label: Xã, type: admin_unit}
  - {name: n, label: Số, type: int, min: 0}
  - {name: updated_at, label: Cập nhật, type: timestamp}
`

// fixture is a SQLite source table, a lake and a runner in a temporary folder.
type fixture struct {
	t      *testing.T
	dir    string
	db     *sql.DB
	lake   *lake.Lake
	runner *pipelines.Runner
	alloc  *memory.CheckedAllocator
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "src.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec(`CREATE TABLE bao_cao (ma TEXT, xa TEXT, so INTEGER, cap_nhat TEXT)`)
	require.NoError(t, err)
	l, err := lake.Open(t.Context(), lake.Config{Root: filepath.Join(dir, "lake")})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	ds, err := schemas.Parse("test_reports.yaml", []byte(reportsSchema))
	require.NoError(t, err)
	set, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	set.Add(ds)
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { alloc.AssertSize(t, 0) })
	h, err := pipelines.OpenHistory(t.Context(), filepath.Join(dir, "runs.db"))
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return &fixture{t: t, dir: dir, db: db, lake: l, alloc: alloc,
		runner: &pipelines.Runner{Lake: l, Schemas: set, Units: units.MustLoad(), Alloc: alloc, SpoolDir: dir, History: h}}
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	_, err := f.db.Exec(q, args...)
	require.NoError(f.t, err)
}

// pipeline is a pipeline over the fixture's table; extra is YAML appended.
func (f *fixture) pipeline(extra string) *pipelines.Pipeline {
	f.t.Helper()
	text := fmt.Sprintf(`name: test_reports
source:
  type: sqlite
  path: %s
  table: bao_cao
  incremental: {column: cap_nhat}
target:
  dataset: labour.test_reports
  mode: merge
mapping: {ma: id, xa: commune, so: n, cap_nhat: updated_at}
%s`, filepath.Join(f.dir, "src.db"), extra)
	l := pipelines.Loader{Registry: connectors.Default, BaseDir: f.dir}
	p, err := l.Parse("test_reports.yaml", []byte(text))
	require.NoError(f.t, err)
	require.NoError(f.t, pipelines.Validate(p, f.runner.Schemas, []*pipelines.Pipeline{p}))
	return p
}

func (f *fixture) run(p *pipelines.Pipeline, opt pipelines.RunOptions) *pipelines.Result {
	f.t.Helper()
	res, err := f.runner.Run(f.t.Context(), p, opt)
	require.NoError(f.t, err)
	require.Equal(f.t, res.Read, res.Written+res.Quarantined)
	return res
}

// crashAt runs p as a process killed at the named point of the run would:
// the run stops there (a panic from Hooks.At), leaving what it committed.
func (f *fixture) crashAt(p *pipelines.Pipeline, point string) {
	f.t.Helper()
	crash := fmt.Errorf("crash")
	f.runner.Hooks.At = func(_, at string) {
		if at == point {
			panic(crash)
		}
	}
	defer func() { f.runner.Hooks.At = nil }()
	defer func() { assert.Equal(f.t, crash, recover(), "the run reached %s", point) }()
	_, _ = f.runner.Run(f.t.Context(), p, pipelines.RunOptions{})
}

// rows reads a lake table with iceberg-go's own scan: column values by key.
func (f *fixture) rows(name, key string, cols ...string) map[string][]string {
	f.t.Helper()
	tbl, err := f.lake.Load(f.t.Context(), name)
	require.NoError(f.t, err)
	at, err := tbl.Scan().ToArrowTable(f.t.Context())
	require.NoError(f.t, err)
	defer at.Release()
	tr := array.NewTableReader(at, 1000)
	defer tr.Release()
	out := map[string][]string{}
	for tr.Next() {
		rec := tr.RecordBatch()
		idx := func(c string) int { return rec.Schema().FieldIndices(c)[0] }
		for i := 0; i < int(rec.NumRows()); i++ {
			var vals []string
			for _, c := range cols {
				vals = append(vals, rec.Column(idx(c)).ValueStr(i))
			}
			k := rec.Column(idx(key)).ValueStr(i)
			_, dup := out[k]
			require.False(f.t, dup, "%s: key %s twice", name, k)
			out[k] = vals
		}
	}
	return out
}

func (f *fixture) snapshots(name string) int {
	tbl, err := f.lake.Load(f.t.Context(), name)
	require.NoError(f.t, err)
	return len(tbl.Metadata().Snapshots())
}

func TestIncrementalMergeExactlyOnce(t *testing.T) {
	f := newFixture(t)
	f.exec(`INSERT INTO bao_cao VALUES ('A', '03646', 1, '2026-01-01 08:00:00'), ('B', 'Phường Tô Hiệu', 2, '2026-01-01 09:00:00'),
		('C', 'Xã Không Có', 3, '2026-01-01 09:30:00'), ('D', '03646', -4, '2026-01-01 09:40:00')`)
	p := f.pipeline("")
	res := f.run(p, pipelines.RunOptions{})
	assert.EqualValues(t, 4, res.Read)
	assert.EqualValues(t, 2, res.Written)
	assert.EqualValues(t, 2, res.Quarantined)
	assert.Equal(t, map[string][]string{"A": {"1"}, "B": {"2"}}, f.rows("labour.test_reports", "id", "n"))
	assert.Len(t, f.rows("labour.test_reports__quarantine", "record_key", "rule"), 2)

	// A rerun with nothing new reads nothing and commits nothing.
	snaps := f.snapshots("labour.test_reports")
	res = f.run(p, pipelines.RunOptions{})
	assert.EqualValues(t, 0, res.Read)
	assert.Equal(t, snaps, f.snapshots("labour.test_reports"))

	// Changed and new rows, and nothing else, are read; the merge replaces.
	f.exec(`UPDATE bao_cao SET so = 10, cap_nhat = '2026-01-02 08:00:00' WHERE ma = 'A'`)
	f.exec(`INSERT INTO bao_cao VALUES ('E', '03646', 5, '2026-01-02 08:00:01')`)
	res = f.run(p, pipelines.RunOptions{})
	assert.EqualValues(t, 2, res.Read)
	assert.Equal(t, map[string][]string{"A": {"10"}, "B": {"2"}, "E": {"5"}}, f.rows("labour.test_reports", "id", "n"))
	assert.Len(t, f.rows("labour.test_reports__quarantine", "record_key", "rule"), 2, "incremental runs keep earlier quarantine rows")

	// A full refresh reads everything and leaves the same contents.
	res = f.run(p, pipelines.RunOptions{FullRefresh: true})
	assert.EqualValues(t, 5, res.Read)
	assert.Equal(t, map[string][]string{"A": {"10"}, "B": {"2"}, "E": {"5"}}, f.rows("labour.test_reports", "id", "n"))
	assert.Len(t, f.rows("labour.test_reports__quarantine", "record_key", "rule"), 2, "a full read replaces its quarantine rows, never doubles them")
}

// TestCrashBetweenCommits: a run that dies after committing its quarantine
// but before its data leaves nothing doubled once it is rerun.
func TestCrashBetweenCommits(t *testing.T) {
	f := newFixture(t)
	f.exec(`INSERT INTO bao_cao VALUES ('A', '03646', 1, '2026-01-01 08:00:00'), ('B', 'nowhere', 2, '2026-01-01 09:00:00')`)
	p := f.pipeline("")
	f.run(p, pipelines.RunOptions{})
	f.exec(`INSERT INTO bao_cao VALUES ('C', '03646', 3, '2026-01-02 08:00:00'), ('D', 'nowhere', 4, '2026-01-02 09:00:00')`)

	f.crashAt(p, "quarantine_committed")
	assert.Len(t, f.rows("labour.test_reports", "id", "n"), 1, "the crashed run's data is not committed")
	assert.Len(t, f.rows("labour.test_reports__quarantine", "record_key", "rule"), 2, "its quarantine rows are")

	res := f.run(p, pipelines.RunOptions{})
	assert.EqualValues(t, 2, res.Read, "the rerun reads what the crashed run read")
	assert.Equal(t, map[string][]string{"A": {"1"}, "C": {"3"}}, f.rows("labour.test_reports", "id", "n"))
	q := f.rows("labour.test_reports__quarantine", "record_key", "rule")
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	assert.Equal(t, []string{"B", "D"}, keys, "each bad row exactly once")
}

func TestSchemaDrift(t *testing.T) {
	for _, c := range []struct {
		policy      string
		wantErr     string
		written     int64
		quarantined int64
		newColumn   bool
	}{
		{policy: "freeze", wantErr: `added "ghi_chu" (utf8)`},
		{policy: "evolve", written: 2, newColumn: true},
		{policy: "discard_row", written: 1, quarantined: 1},
		{policy: "discard_value", written: 2},
	} {
		t.Run(c.policy, func(t *testing.T) {
			f := newFixture(t)
			f.exec(`INSERT INTO bao_cao VALUES ('A', '03646', 1, '2026-01-01 08:00:00')`)
			p := f.pipeline("schema_drift: " + c.policy + "\n")
			f.run(p, pipelines.RunOptions{})
			f.exec(`ALTER TABLE bao_cao ADD COLUMN ghi_chu TEXT`)
			f.exec(`INSERT INTO bao_cao VALUES ('B', '03646', 2, '2026-01-02 08:00:00', 'mới'), ('C', '03646', 3, '2026-01-02 09:00:00', NULL)`)
			res, err := f.runner.Run(t.Context(), p, pipelines.RunOptions{})
			if c.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{`added "ghi_chu" (utf8)`}, res.Drift)
			assert.Equal(t, c.written, res.Written)
			assert.Equal(t, c.quarantined, res.Quarantined)
			tbl, err := f.lake.Load(t.Context(), "labour.test_reports")
			require.NoError(t, err)
			_, has := tbl.Schema().FindFieldByName("ghi_chu")
			assert.Equal(t, c.newColumn, has)
			if c.newColumn {
				assert.Equal(t, []string{"mới"}, f.rows("labour.test_reports", "id", "ghi_chu")["B"])
			}
		})
	}
}

func TestTransformsDryRunAndEmptyGuard(t *testing.T) {
	f := newFixture(t)
	f.exec(`INSERT INTO bao_cao VALUES (' a1 ', '3646', 1, '2026-01-01 08:00:00'), ('b2', 'x', 2, '2026-01-01 09:00:00')`)
	p := f.pipeline("transforms:\n  ma: [trim, upper]\n  xa: [pad_left:5]\n")
	res := f.run(p, pipelines.RunOptions{DryRun: true})
	assert.True(t, res.DryRun)
	assert.EqualValues(t, 1, res.Written)
	require.Len(t, res.SampleBad, 1)
	assert.Equal(t, "commune", res.SampleBad[0].Column)
	exists, err := f.lake.Exists(t.Context(), "labour.test_reports__quarantine")
	require.NoError(t, err)
	assert.False(t, exists, "a dry run commits nothing")
	assert.Empty(t, f.rows("labour.test_reports", "id", "n"))

	f.run(p, pipelines.RunOptions{})
	assert.Equal(t, map[string][]string{"A1": {"03646"}}, f.rows("labour.test_reports", "id", "commune"))

	// An overwrite from an empty source is refused unless allowed.
	f.exec(`DELETE FROM bao_cao`)
	over := f.pipeline("full_refresh: true\n")
	over.Target.Mode = lake.Overwrite
	_, err = f.runner.Run(t.Context(), over, pipelines.RunOptions{})
	require.ErrorIs(t, err, lake.ErrEmptyOverwrite)
	assert.Len(t, f.rows("labour.test_reports", "id", "n"), 1)
	f.run(over, pipelines.RunOptions{AllowEmpty: true})
	assert.Empty(t, f.rows("labour.test_reports", "id", "n"))
}

// TestSecretsNeverInErrorsOrHistory: a DSN with a password, expanded from a
// secret variable, is redacted in the run's error and in the history.
func TestSecretsNeverInErrorsOrHistory(t *testing.T) {
	f := newFixture(t)
	text := `name: leaky
source:
  type: sqlite
  path: ${KHO_TEST_DB_PASSWORD}/nowhere.db
  table: bao_cao
target:
  dataset: labour.test_reports
`
	l := pipelines.Loader{Registry: connectors.Default, BaseDir: f.dir,
		Lookup: func(k string) (string, bool) { return "hunter2-very-secret", k == "KHO_TEST_DB_PASSWORD" }}
	p, err := l.Parse("leaky.yaml", []byte(text))
	require.NoError(t, err)
	require.NoError(t, pipelines.Validate(p, f.runner.Schemas, nil))
	res, err := f.runner.Run(t.Context(), p, pipelines.RunOptions{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2-very-secret")
	assert.Contains(t, err.Error(), "[redacted]")
	runs, herr := f.runner.History.Runs(t.Context(), "leaky", 5)
	require.NoError(t, herr)
	require.Len(t, runs, 1)
	assert.Equal(t, res.ID, runs[0].ID)
	assert.Equal(t, pipelines.StatusFailed, runs[0].Status)
	assert.NotContains(t, runs[0].Error, "hunter2-very-secret")

	assert.Equal(t, "postgres://kho:[redacted]@db:5432/x", pipelines.Redact("postgres://kho:pa55@db:5432/x", nil))
	assert.Equal(t, "host=db password=[redacted] user=kho", pipelines.Redact("host=db password=pa55 user=kho", nil))
}
