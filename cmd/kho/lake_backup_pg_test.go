package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake/laketest"
)

// usePostgresCatalog points a project made by `kho init` at a PostgreSQL
// catalog.
func usePostgresCatalog(t *testing.T, dir, dsn string) {
	t.Helper()
	path := filepath.Join(dir, "kho.yaml")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	s := strings.Replace(string(b), "catalog: {type: sqlite}", fmt.Sprintf("catalog: {type: postgres, dsn: %q}", dsn), 1)
	require.NotEqual(t, string(b), s, "kho init's kho.yaml names the catalog")
	require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
}

// TestBackupRestorePostgresProject: `kho lake backup` of a project whose
// catalog is PostgreSQL, then the original moves on (a new pipeline's
// tables, a full refresh); `kho lake restore` into another project with a
// fresh database answers every query as the original did at the backup's
// time (the tables, their rows, the run history, time travel to the first
// snapshot), while the original answers its newer state.
func TestBackupRestorePostgresProject(t *testing.T) {
	base := t.TempDir()
	orig, rest, backup := filepath.Join(base, "orig"), filepath.Join(base, "restored"), filepath.Join(base, "backup")
	kho(t, "init", orig)
	usePostgresCatalog(t, orig, laketest.PostgresDSNNamed(t, "ops_proj_orig"))
	ocfg := filepath.Join(orig, "kho.yaml")
	kho(t, "--config", ocfg, "run", "reference_admin_units")
	kho(t, "--config", ocfg, "run", "reference_admin_units", "--full-refresh")

	queries := []string{
		"SELECT count(*) AS n, sum(length(name)) AS s FROM reference.admin_units",
		"SELECT dataset, rows, snapshots FROM kho.tables WHERE in_lake ORDER BY 1",
		"SELECT count(*) AS n FROM kho.snapshots",
	}
	answers := func(cfg string) []string {
		var out []string
		for _, q := range queries {
			out = append(out, kho(t, "--config", cfg, "query", q))
		}
		return out
	}
	first := firstSnapshot(t, ocfg, "reference.admin_units")
	asOf := func(cfg string) string {
		return kho(t, "--config", cfg, "query", "--as-of", first, "SELECT count(*) AS n FROM reference.admin_units")
	}
	want, wantAsOf := answers(ocfg), asOf(ocfg)
	wantRuns := kho(t, "--config", ocfg, "runs", "reference_admin_units")
	out := kho(t, "--config", ocfg, "lake", "backup", backup)
	assert.Contains(t, out, "backed up")

	// The original moves on.
	kho(t, "--config", ocfg, "run", "culture_festivals")
	kho(t, "--config", ocfg, "run", "reference_admin_units", "--full-refresh")
	moved := answers(ocfg)
	require.NotEqual(t, want[1], moved[1], "the original has moved on")

	kho(t, "init", rest)
	usePostgresCatalog(t, rest, laketest.PostgresDSNNamed(t, "ops_proj_restored"))
	rcfg := filepath.Join(rest, "kho.yaml")
	out = kho(t, "--config", rcfg, "lake", "restore", backup)
	assert.Contains(t, out, "verified")
	assert.Equal(t, want, answers(rcfg), "the restored lake answers as the original at the backup's time")
	assert.Equal(t, wantAsOf, asOf(rcfg), "time travel too")
	assert.Equal(t, wantRuns, kho(t, "--config", rcfg, "runs", "reference_admin_units"), "and the run history")
	assert.Contains(t, kho(t, "--config", rcfg, "lake", "check"), "ok")
	assert.Equal(t, moved, answers(ocfg), "the original keeps its newer state")
}

// firstSnapshot is the id of a table's first snapshot.
func firstSnapshot(t *testing.T, cfg, table string) string {
	t.Helper()
	out := kho(t, "--config", cfg, "query", "--format", "csv",
		"SELECT snapshot_id FROM kho.snapshots WHERE dataset = '"+table+"' ORDER BY committed_at LIMIT 1")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
