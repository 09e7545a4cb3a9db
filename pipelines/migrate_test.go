package pipelines_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/lake"
)

// quarantineRules are the rule of each quarantined row, by its record key.
func (f *fixture) quarantineRules() map[string]string {
	out := map[string]string{}
	for k, v := range f.rows("labour.test_reports__quarantine", "record_key", "rule") {
		out[k] = v[0]
	}
	return out
}

// TestKeyChangeIsAMigration: a merge pipeline whose key changes is refused
// at run start, naming the migration (never a merge by the wrong key);
// Runner.Migrate rewrites the table under the new key in one commit,
// quarantining the rows that lack it or repeat it, and the runs go on.
func TestKeyChangeIsAMigration(t *testing.T) {
	f := newFixture(t)
	f.exec(`INSERT INTO bao_cao VALUES ('A', '03646', 1, '2026-01-01 08:00:00'), ('B', '03646', 2, '2026-01-01 09:00:00'),
		('C', '03646', NULL, '2026-01-01 09:30:00')`)
	p := f.pipeline("")
	f.run(p, pipelines.RunOptions{})
	tbl, err := f.lake.Load(t.Context(), "labour.test_reports")
	require.NoError(t, err)
	assert.Equal(t, []string{"id"}, lake.TableKey(tbl), "the table records the key it is merged by")
	snaps := f.snapshots("labour.test_reports")

	p.Target.Key = []string{"commune", "n"}
	_, err = f.runner.Run(t.Context(), p, pipelines.RunOptions{})
	require.Error(t, err)
	assert.True(t, pipelines.IsMigration(err))
	assert.Contains(t, err.Error(), "the key changes from (id) to (commune, n)")
	assert.Contains(t, err.Error(), "kho lake migrate labour.test_reports")
	_, err = f.runner.Run(t.Context(), p, pipelines.RunOptions{DryRun: true})
	assert.True(t, pipelines.IsMigration(err), "a dry run says so too")
	assert.Equal(t, snaps, f.snapshots("labour.test_reports"), "a refused run commits nothing")

	ds, _ := f.runner.Schemas.Get("labour.test_reports")
	res, err := f.runner.Migrate(t.Context(), ds, p.Target.Key)
	require.NoError(t, err)
	assert.Equal(t, []string{"id"}, res.KeyFrom)
	assert.Equal(t, []string{"commune", "n"}, res.KeyTo)
	assert.EqualValues(t, 3, res.Read)
	assert.EqualValues(t, 2, res.Written)
	assert.EqualValues(t, 1, res.Quarantined)
	assert.Equal(t, snaps+1, f.snapshots("labour.test_reports"), "one commit")
	assert.Equal(t, map[string][]string{"A": {"1"}, "B": {"2"}}, f.rows("labour.test_reports", "id", "n"))
	q := f.rows("labour.test_reports__quarantine", "record", "rule", "pipeline", "column_name")
	require.Len(t, q, 1)
	for rec, v := range q {
		assert.Contains(t, rec, `"id":"C"`, "the row without the new key is quarantined")
		assert.Equal(t, []string{"required", pipelines.MigratePipeline, "n"}, v, "the new key is the key of the rows converted")
	}
	tbl, err = f.lake.Load(t.Context(), "labour.test_reports")
	require.NoError(t, err)
	assert.Equal(t, []string{"commune", "n"}, lake.TableKey(tbl))

	// The pipeline runs again under its new key: a row with a known
	// (commune, n) replaces the row it matches.
	f.exec(`INSERT INTO bao_cao VALUES ('Z', '03646', 2, '2026-01-02 08:00:00')`)
	res2 := f.run(p, pipelines.RunOptions{})
	assert.EqualValues(t, 1, res2.Updated)
	assert.Equal(t, map[string][]string{"A": {"1"}, "Z": {"2"}}, f.rows("labour.test_reports", "id", "n"))

	// A second migration to the same key has nothing to do.
	res, err = f.runner.Migrate(t.Context(), ds, p.Target.Key)
	require.NoError(t, err)
	assert.True(t, res.Nothing)
}

// TestNullMergeKeyQuarantined: a merge key column the dataset lets be empty
// does not merge every row without a value into one: such rows are
// quarantined with the rule key_required, and validation warns.
func TestNullMergeKeyQuarantined(t *testing.T) {
	f := newFixture(t)
	f.exec(`INSERT INTO bao_cao VALUES ('A', '03646', 1, '2026-01-01 08:00:00'), ('B', '03646', NULL, '2026-01-01 09:00:00'),
		('C', '03646', NULL, '2026-01-01 09:30:00')`)
	p := f.pipeline("")
	p.Target.Key = []string{"id", "n"}
	warnings := pipelines.Warnings(p, f.runner.Schemas)
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], `merge key column "n" is not required`)
	assert.Contains(t, warnings[0], "key_required")
	assert.Contains(t, warnings[0], "test_reports.yaml:")

	res := f.run(p, pipelines.RunOptions{})
	assert.EqualValues(t, 3, res.Read)
	assert.EqualValues(t, 1, res.Written)
	assert.EqualValues(t, 2, res.Quarantined)
	assert.Equal(t, map[string][]string{"A": {"1"}}, f.rows("labour.test_reports", "id", "n"))
	assert.Equal(t, map[string]string{"B": "key_required", "C": "key_required"}, f.quarantineRules())

	// The dataset's own key is required already: no warning.
	p.Target.Key = []string{"id"}
	assert.Empty(t, pipelines.Warnings(p, f.runner.Schemas))
}

// TestDetectDeletesReadsKeysOnly: an incremental merge with deletes: detect
// compares the lake's keys with the source's by reading the key columns
// alone: a row deleted in the source leaves the lake although another row,
// not re-read, now holds a value that would fail the conform step (a full
// read through it would have skipped the detection).
func TestDetectDeletesReadsKeysOnly(t *testing.T) {
	f := newFixture(t)
	f.exec(`INSERT INTO bao_cao VALUES ('A', '03646', 1, '2026-01-01 08:00:00'), ('B', '03646', 2, '2026-01-01 09:00:00'),
		('C', '03646', 3, '2026-01-01 09:30:00')`)
	p := f.pipeline("")
	p.Target.Deletes = &pipelines.Deletes{Detect: true}
	f.run(p, pipelines.RunOptions{})
	require.Len(t, f.rows("labour.test_reports", "id", "n"), 3)

	f.exec(`DELETE FROM bao_cao WHERE ma = 'B'`)
	f.exec(`UPDATE bao_cao SET so = 'không phải số', xa = 'Xã Không Có' WHERE ma = 'C'`) // the watermark column unchanged: not re-read
	res := f.run(p, pipelines.RunOptions{})
	assert.EqualValues(t, 0, res.Read, "the incremental read finds nothing new")
	assert.EqualValues(t, 1, res.Deleted)
	assert.Equal(t, map[string][]string{"A": {"1"}, "C": {"3"}}, f.rows("labour.test_reports", "id", "n"))

	// The SQL source selects the key column alone (and its incremental one).
	src, err := p.SourceConfig.Open(t.Context(), connectors.Env{BaseDir: f.dir, Alloc: f.alloc, Columns: func(c string) bool { return c == "ma" }})
	require.NoError(t, err)
	defer src.Close()
	var names []string
	for _, fl := range src.Schema().Fields() {
		if !strings.HasPrefix(fl.Name, "_kho_") {
			names = append(names, fl.Name)
		}
	}
	assert.Equal(t, []string{"ma", "cap_nhat"}, names)
}
