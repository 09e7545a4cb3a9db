package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLakeCheckGraceZero: `kho lake check --grace 0s` lists an unreferenced
// file written a moment ago (0 was read as "unset", so as 72 hours) and
// --repair removes it; the default leaves it alone; a negative grace is
// refused before the lake is opened.
func TestLakeCheckGraceZero(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	cfg := filepath.Join(dir, "kho.yaml")
	kho(t, "--config", cfg, "run", "reference_admin_units")
	orphan := filepath.Join(dir, "kho-data", "lake", "reference.db", "admin_units", "data", "00000-0-killed.parquet")
	require.NoError(t, os.WriteFile(orphan, []byte("PAR1"), 0o644))

	assert.NotContains(t, kho(t, "--config", cfg, "lake", "check"), "00000-0-killed.parquet", "younger than the default grace")
	out := kho(t, "--config", cfg, "lake", "check", "--grace", "0s")
	assert.Contains(t, out, "00000-0-killed.parquet")
	assert.Contains(t, out, "unreferenced for more than 0s")
	kho(t, "--config", cfg, "lake", "check", "--grace", "0s", "--repair")
	assert.NoFileExists(t, orphan)
	assert.Contains(t, kho(t, "--config", cfg, "query", "SELECT count(*) > 0 FROM reference.admin_units"), "true")

	out, err := khoErr(t, "--config", cfg, "lake", "check", "--grace", "-1h")
	require.Error(t, err)
	assert.Contains(t, out+err.Error(), "--grace -1h0m0s: a duration of 0 or more")
}
