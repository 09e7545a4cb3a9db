package pipelines_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
)

// The dataset of the collapse tests: a row_count_change check that blocks
// a commit dropping more than half the rows.
const collapseSchema = `
dataset: labour.collapse
label: Sụt giảm
owner: Sở Nội vụ
classification: open
key: [id]
columns:
  - {name: id, label: Mã, type: string, required: true}
  - {name: v, label: Giá trị, type: int}
  - {name: gone, label: Đã xoá, type: bool}
dataset_checks:
  - {name: no_collapse, type: row_count_change, max_drop: 0.5}
`

// TestMergeDeletesCountForCollapse: the rows a merge deletes (deletes:
// detect, deletes: {soft: …}) count in the row-count check, which blocks a
// merge that would take a table from 10 rows to 2 (the guard against a
// broken export was blind to deletes: it counted every table row whose key
// the run did not hold as kept); a merge that deletes less passes.
func TestMergeDeletesCountForCollapse(t *testing.T) {
	for name, deletes := range map[string]string{"detect": "{detect: true}", "soft": "{soft: gone}"} {
		t.Run(name, func(t *testing.T) {
			f := newInputFixture(t)
			ds, err := schemas.Parse("collapse.yaml", []byte(collapseSchema))
			require.NoError(t, err)
			f.set.Add(ds)
			dir := filepath.Join(f.dir, "drop")
			require.NoError(t, os.MkdirAll(dir, 0o755))
			write := func(live, flagged []int) {
				var b strings.Builder
				b.WriteString("ma,gia_tri,da_xoa\n")
				for _, i := range live {
					fmt.Fprintf(&b, "K%02d,%d,false\n", i, i)
				}
				for _, i := range flagged {
					fmt.Fprintf(&b, "K%02d,%d,true\n", i, i)
				}
				require.NoError(t, os.WriteFile(filepath.Join(dir, "a.csv"), []byte(b.String()), 0o644))
			}
			p := f.parse(fmt.Sprintf(`name: collapse
source: {type: csv, path: "%s/*.csv"}
target: {dataset: labour.collapse, mode: merge, key: [id], deletes: %s}
mapping: {ma: id, gia_tri: v, da_xoa: gone}
`, dir, deletes))
			all := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
			write(all, nil)
			f.run(p, pipelines.RunOptions{})
			require.Len(t, f.rows("labour.collapse", "id", "v"), 10)

			// 8 of the 10 rows go: blocked, nothing committed
			if deletes == "{detect: true}" {
				write([]int{0, 1}, nil)
			} else {
				write([]int{0, 1}, all[2:])
			}
			_, err = f.runner.Run(t.Context(), p, pipelines.RunOptions{})
			var de *schemas.DatasetCheckError
			require.True(t, errors.As(err, &de), "the collapse is blocked: %v", err)
			assert.Equal(t, "no_collapse", de.Failures[0].Check)
			assert.Contains(t, de.ReasonVI(), "giảm từ 10 xuống 2")
			assert.Len(t, f.rows("labour.collapse", "id", "v"), 10, "nothing committed")

			// 3 of the 10 go: 7 after, passes
			live := []int{0, 1, 2, 3, 4, 5, 6}
			if deletes == "{detect: true}" {
				write(live, nil)
			} else {
				write(live, []int{7, 8, 9})
			}
			f.run(p, pipelines.RunOptions{})
			assert.Len(t, f.rows("labour.collapse", "id", "v"), 7)
		})
	}
}
