package pipelines_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/pipelines"
)

// fill writes n rows over several source batches: every 97th row repeats an
// earlier key (often of another batch), every 50th has a negative count.
func (f *fixture) fill(n int) {
	f.t.Helper()
	tx, err := f.db.Begin()
	require.NoError(f.t, err)
	for i := 0; i < n; i++ {
		id := fmt.Sprint("B", i)
		if i%97 == 96 {
			id = fmt.Sprint("B", i/3)
		}
		so := i % 40
		if i%50 == 49 {
			so = -1
		}
		_, err := tx.Exec("INSERT INTO bao_cao VALUES (?, ?, ?, ?)", id, "Xã Chiềng Hặc", so, "2025-03-01 08:00:00")
		require.NoError(f.t, err)
	}
	require.NoError(f.t, tx.Commit())
}

// Conforming on several goroutines gives what one gives: the same rows, the
// same quarantine (duplicates across batches found in source order) and
// the same counts.
func TestParallelConformIsSequential(t *testing.T) {
	const n = 40000 // five source batches
	results := map[int][]string{}
	for _, workers := range []int{1, 4} {
		f := newFixture(t)
		f.runner.Workers = workers
		f.fill(n)
		res := f.run(f.pipeline("on_error: quarantine\n"), runOpt())
		assert.EqualValues(t, n, res.Read)
		var out []string
		out = append(out, fmt.Sprintf("read %d written %d quarantined %d", res.Read, res.Written, res.Quarantined))
		out = append(out, fmt.Sprint(res.Quality.FailedRule), fmt.Sprint(res.Quality.Checked))
		for k, v := range f.rows("labour.test_reports", "id", "n") {
			out = append(out, k+"="+strings.Join(v, ","))
		}
		for k, v := range f.rows("labour.test_reports__quarantine", "source_row", "record_key", "rule") {
			out = append(out, "bad "+k+"="+strings.Join(v, ","))
		}
		results[workers] = sortStrings(out)
	}
	require.NotEmpty(t, results[1])
	assert.Equal(t, results[1], results[4])
}

// A bad row with on_error: fail stops a parallel run with its error, and
// every batch in flight is released (the fixture's allocator checks).
func TestParallelConformFails(t *testing.T) {
	f := newFixture(t)
	f.runner.Workers = 3
	f.fill(30000)
	_, err := f.runner.Run(t.Context(), f.pipeline("on_error: fail\n"), runOpt())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "on_error: fail")
}

func runOpt() pipelines.RunOptions { return pipelines.RunOptions{} }

func sortStrings(s []string) []string {
	sort.Strings(s)
	return s
}
