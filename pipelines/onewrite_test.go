package pipelines_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
)

// The dataset of the one-write tests: monthly partitions, a key whose
// uniqueness across the table is checked, and a row-count guard.
const oneWriteSchema = `
dataset: labour.onewrite
label: Một lần ghi
owner: Sở Nội vụ
classification: open
key: [id]
partition: {column: ngay, transform: month}
columns:
  - {name: id, label: Mã, type: string, required: true}
  - {name: ngay, label: Ngày, type: date}
  - {name: v, label: Giá trị, type: int}
dataset_checks:
  - {name: unique_id, type: key_unique}
  - {name: no_collapse, type: row_count_change, max_drop: 0.5}
`

// dataFilesOn lists the Parquet files under a table's data folder.
func dataFilesOn(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(root, "labour.db", "onewrite", "data"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") {
			out = append(out, p)
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	})
	require.NoError(t, err)
	sort.Strings(out)
	return out
}

// The one write: an overwrite's and an append's conformed rows go into the
// table's data files while the source is read (no spool), the dataset
// checks read the keys back from those files, and a run a check blocks
// leaves no file behind: the data folder holds exactly the committed
// files after every run.
func TestOneWriteLeavesOnlyCommittedFiles(t *testing.T) {
	f := newInputFixture(t)
	ds, err := schemas.Parse("onewrite.yaml", []byte(oneWriteSchema))
	require.NoError(t, err)
	f.set.Add(ds)
	root := filepath.Join(f.dir, "lake")
	dir := filepath.Join(f.dir, "drop")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	write := func(name string, ids ...int) {
		var b strings.Builder
		b.WriteString("ma,ngay,gia_tri\n")
		for _, i := range ids {
			fmt.Fprintf(&b, "K%03d,2025-%02d-%02d,%d\n", i, 1+i%12, 1+i%28, i)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644))
	}
	committed := func() []string {
		tbl, err := f.lake.Load(t.Context(), "labour.onewrite")
		require.NoError(t, err)
		files, err := lake.DataFiles(t.Context(), tbl, 0)
		require.NoError(t, err)
		var out []string
		for _, p := range files {
			out = append(out, strings.TrimPrefix(p, "file://"))
		}
		sort.Strings(out)
		return out
	}
	overwrite := f.parse(fmt.Sprintf(`name: onewrite
source: {type: csv, path: "%s/a.csv"}
target: {dataset: labour.onewrite, mode: overwrite}
mapping: {ma: id, ngay: ngay, gia_tri: v}
`, dir))
	ids := make([]int, 100)
	for i := range ids {
		ids[i] = i
	}
	write("a.csv", ids...)
	res := f.run(overwrite, pipelines.RunOptions{})
	assert.EqualValues(t, 100, res.Written)
	require.Len(t, f.rows("labour.onewrite", "id", "v"), 100)
	assert.Len(t, committed(), 12, "a file a month")
	assert.Equal(t, committed(), dataFilesOn(t, root))

	// the same rows in another order: conformed (the file differs), the
	// rows are the table's, nothing committed and the run's files gone
	rev := make([]int, len(ids))
	for i, id := range ids {
		rev[len(ids)-1-i] = id
	}
	write("a.csv", rev...)
	res = f.run(overwrite, pipelines.RunOptions{})
	assert.False(t, res.InputUnchanged)
	assert.True(t, res.NothingCommitted)
	assert.Equal(t, committed(), dataFilesOn(t, root), "no file of the unchanged run is left")

	// 70 of the 100 rows go: blocked, its files removed
	write("a.csv", ids[:30]...)
	_, err = f.runner.Run(t.Context(), overwrite, pipelines.RunOptions{})
	var de *schemas.DatasetCheckError
	require.True(t, errors.As(err, &de), "the collapse is blocked: %v", err)
	assert.Equal(t, "no_collapse", de.Failures[0].Check)
	assert.Len(t, f.rows("labour.onewrite", "id", "v"), 100, "nothing committed")
	assert.Equal(t, committed(), dataFilesOn(t, root), "no file of the blocked run is left")

	// an append of keys the table holds: key_unique reads the new keys back
	// from the files the run wrote and blocks it
	appendP := f.parse(fmt.Sprintf(`name: onewrite_add
source: {type: csv, path: "%s/b.csv"}
target: {dataset: labour.onewrite, mode: append}
mapping: {ma: id, ngay: ngay, gia_tri: v}
`, dir))
	write("b.csv", 100, 101, 5)
	_, err = f.runner.Run(t.Context(), appendP, pipelines.RunOptions{})
	require.True(t, errors.As(err, &de), "the duplicate key is blocked: %v", err)
	assert.Equal(t, "unique_id", de.Failures[0].Check)
	assert.Contains(t, de.ReasonVI()+de.Error(), "K005")
	assert.Equal(t, committed(), dataFilesOn(t, root), "no file of the blocked run is left")

	// new keys only: appended, one file more for each month it touches
	before := len(committed())
	write("b.csv", 100, 101)
	res = f.run(appendP, pipelines.RunOptions{})
	assert.EqualValues(t, 2, res.Written)
	rows := f.rows("labour.onewrite", "id", "v")
	require.Len(t, rows, 102)
	assert.Equal(t, []string{"101"}, rows["K101"])
	assert.Len(t, committed(), before+2)
	assert.Equal(t, committed(), dataFilesOn(t, root))

}
