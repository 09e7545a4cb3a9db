package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snapshotCounts is the number of snapshots of every table of the lake.
func snapshotCounts(t *testing.T, config string) map[string]int {
	t.Helper()
	ctx := context.Background()
	cfg, err := loadConfig(config)
	require.NoError(t, err)
	a, err := openApp(ctx, cfg, false)
	require.NoError(t, err)
	defer a.close()
	names, err := a.lake.Tables(ctx)
	require.NoError(t, err)
	out := map[string]int{}
	for _, n := range names {
		tbl, err := a.lake.Load(ctx, n)
		require.NoError(t, err)
		out[n] = len(tbl.Metadata().Snapshots())
	}
	return out
}

// TestSecondRunAllCommitsNothing runs every pipeline of the sample province
// twice: the second run, on unchanged sources, adds no snapshot to any
// table (data, quarantine or mart), and its run lines say unchanged.
func TestSecondRunAllCommitsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("two runs of the sample province take a few seconds; skipped with -short")
	}
	dir, config := workspace(t)
	sample := filepath.Join(dir, "kho-data", "sample")
	kho(t, "sample-data", "--out", sample, "--scale", "1", "--seed", "7")
	out := kho(t, "--config", config, "run", "--all")
	require.NotContains(t, out, "FAIL")
	first := snapshotCounts(t, config)
	require.NotEmpty(t, first)

	out = kho(t, "--config", config, "run", "--all")
	require.NotContains(t, out, "FAIL")
	assert.Equal(t, first, snapshotCounts(t, config), "a second run on unchanged sources commits nothing")
	n := strings.Count(out, "unchanged: nothing committed")
	assert.Positive(t, n)
	assert.NotContains(t, out, "changes:", "no run changed its table:\n%s", out)
}

// TestLakeTablesShowsDeleteShare: after a merge that replaces a few rows,
// `kho lake tables` shows the delete files, the rows they remove and their
// share unrounded (3 rows of 9,857 once printed as a share of 0).
func TestLakeTablesShowsDeleteShare(t *testing.T) {
	dir, config := workspace(t)
	sample := filepath.Join(dir, "kho-data", "sample")
	kho(t, "sample-data", "--out", sample, "--scale", "1")
	kho(t, "--config", config, "run", "health_visits")
	kho(t, "sample-data", "--out", sample, "--scale", "1", "--seed", "7")
	out := kho(t, "--config", config, "run", "health_visits")
	require.Contains(t, out, "updated", "the second load changes rows:\n%s", out)

	out = kho(t, "--config", config, "lake", "tables")
	lines := strings.Split(out, "\n")
	header := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(lines[0]), -1)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, c := range []string{"rows", "delete_files", "deleted_rows", "delete_share"} {
		require.Contains(t, col, c, "kho lake tables shows %s:\n%s", c, lines[0])
	}
	var row []string
	for _, l := range lines {
		if strings.HasPrefix(l, "health.visits ") {
			row = regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(l), -1)
		}
	}
	require.Len(t, row, len(header), "the health.visits line:\n%s", out)
	num := func(c string) float64 {
		v, err := strconv.ParseFloat(row[col[c]], 64)
		require.NoError(t, err, "%s: %q", c, row[col[c]])
		return v
	}
	require.Positive(t, num("delete_files"))
	deleted, rows := num("deleted_rows"), num("rows")
	require.Positive(t, deleted)
	assert.Equal(t, deleted/(rows+deleted), num("delete_share"))
}
