package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/schemas"
)

// TestMissingPipelinesFolderIsSaid: a kho.yaml whose pipelines folder is not
// there (the default configs/pipelines beside it, a pipelines_dir that names
// nothing or a file, KHO_PIPELINES_DIR) no longer gives a project of 0
// pipelines in silence: kho validate, run, runs and schedule say what was
// looked for, where it was set and the ways out; the commands on the lake
// (query, status) go on. An empty folder makes run --all say so.
func TestMissingPipelinesFolderIsSaid(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kho.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("log: {level: error}\nlake:\n  root: lk\n"), 0o644))
	want := cfg + " sets no pipelines_dir, and its default, configs/pipelines beside it (" + filepath.Join(dir, "configs", "pipelines") + "), does not exist: no pipeline is loaded"
	for _, args := range [][]string{{"validate"}, {"run", "--all"}, {"run", "reference_admin_units"}, {"runs", "reference_admin_units"}, {"schedule"}} {
		out, err := khoErr(t, append([]string{"--config", cfg}, args...)...)
		require.Error(t, err, "kho %v: %s", args, out)
		assert.Contains(t, err.Error(), want, "kho %v", args)
		assert.Contains(t, err.Error(), `pipelines_dir: "" for the pipelines built into Kho`)
	}
	assert.Equal(t, "x\n1\n", kho(t, "--config", cfg, "query", "-f", "csv", "SELECT 1 AS x"))
	kho(t, "--config", cfg, "status")

	// A pipelines_dir that names nothing, or a file: its place in kho.yaml.
	require.NoError(t, os.WriteFile(cfg, []byte("log: {level: error}\nlake:\n  root: lk\npipelines_dir: mes pipelines\n"), 0o644))
	_, err := khoErr(t, "--config", cfg, "validate")
	require.Error(t, err)
	assert.Contains(t, err.Error(), cfg+":4:1: pipelines_dir: "+filepath.Join(dir, "mes pipelines")+" does not exist: no pipeline is loaded")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mes pipelines"), nil, 0o644))
	_, err = khoErr(t, "--config", cfg, "run", "--all")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "mes pipelines is not a folder")

	// Set by the environment: named so.
	t.Setenv("KHO_PIPELINES_DIR", filepath.Join(dir, "nowhere"))
	_, err = khoErr(t, "--config", cfg, "validate")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "KHO_PIPELINES_DIR: pipelines_dir: "+filepath.Join(dir, "nowhere")+" does not exist")

	// An empty folder: run --all says it holds nothing to run.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "empty"), 0o755))
	t.Setenv("KHO_PIPELINES_DIR", filepath.Join(dir, "empty"))
	_, err = khoErr(t, "--config", cfg, "run", "--all")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no pipeline to run: the folder "+filepath.Join(dir, "empty")+" (pipelines_dir) holds no pipeline file")

	// pipelines_dir: "" is the pipelines built into Kho (an empty variable
	// is unset, as viper reads it).
	t.Setenv("KHO_PIPELINES_DIR", "")
	require.NoError(t, os.WriteFile(cfg, []byte("log: {level: error}\nlake:\n  root: lk\npipelines_dir: \"\"\n"), 0o644))
	assert.Contains(t, kho(t, "--config", cfg, "validate"), " 36 pipelines,")
}

// TestProjectFoldersWithoutConfig: in a folder holding configs/pipelines/,
// schemas/ and sql/marts/ but no kho.yaml, all three are the project's (the
// pipelines already were; the schemas and marts were ignored), as they are
// beside a kho.yaml.
func TestProjectFoldersWithoutConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "du an")
	kho(t, "init", dir)
	require.NoError(t, os.Remove(filepath.Join(dir, "kho.yaml")))
	t.Chdir(dir)
	builtIn, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	out := kho(t, "validate")
	assert.Contains(t, out, "ok: "+strconv.Itoa(len(builtIn.All())+1)+" schemas, 3 pipelines, ")
	out = kho(t, "run", "--all")
	assert.Regexp(t, `ok\s+culture_festivals\s+-> culture_tourism.festivals\s+read\s+5\s+written\s+4`, out)
	assert.Regexp(t, `ok\s+mart festival_visitors\s`, out)
	assert.True(t, strings.HasPrefix(kho(t, "query", "-f", "csv", "SELECT count(*) AS n FROM marts.festival_visitors"), "n\n"))
}

// TestSummaryWithoutDossierMarts: kho summary in a project that has no
// dossier pipelines (kho init's) printed DuckDB's "Catalog Error: Table
// with name dossier_kpi_province_monthly does not exist! Did you mean
// festival_visitors?"; it now says which mart it reads and how it is built.
func TestSummaryWithoutDossierMarts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	cfg := filepath.Join(dir, "kho.yaml")
	kho(t, "--config", cfg, "run", "--all")
	_, err := khoErr(t, "--config", cfg, "summary")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the leadership summary reads marts.dossier_kpi_province_monthly, which is not built")
	assert.NotContains(t, err.Error(), "Catalog Error")
}
