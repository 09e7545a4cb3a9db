package main

import (
	"context"
	"path/filepath"
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
