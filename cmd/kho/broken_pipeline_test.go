package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrokenPipelineFileIsolated: one pipeline file that does not parse and
// one that needs an unset secret are left out with a warning naming them;
// kho query, status and the other pipelines' runs work; kho validate still
// fails naming both files.
func TestBrokenPipelineFileIsolated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	config := filepath.Join(dir, "kho.yaml")
	pdir := filepath.Join(dir, "configs", "pipelines")
	require.NoError(t, os.WriteFile(filepath.Join(pdir, "zz_yaml.yaml"), []byte("name: broken\nsource: [\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(pdir, "zz_secret.yaml"), []byte("name: needs_secret\nsource: {type: postgres, dsn: ${KHO_TEST_UNSET_SECRET_DSN}, table: t}\ntarget: {dataset: health.visits, mode: append}\n"), 0o644))

	out := kho(t, "--config", config, "query", "select 42 AS answer")
	assert.Contains(t, out, "42")
	kho(t, "--config", config, "run", "reference_admin_units")
	assert.Contains(t, kho(t, "--config", config, "status"), "reference_admin_units")

	var buf bytes.Buffer
	root := newRoot()
	root.SetOut(&buf)
	root.SetErr(&buf)
	root.SetArgs([]string{"--config", config, "validate"})
	err := root.ExecuteContext(t.Context())
	require.Error(t, err, "kho validate stays strict")
	assert.Contains(t, err.Error(), "zz_yaml.yaml")
	assert.Contains(t, err.Error(), "zz_secret.yaml:2: environment variable KHO_TEST_UNSET_SECRET_DSN is not set")
}

// TestRunBrokenPipelineNamesItsFile: `kho run NAME` (and `kho runs NAME`)
// for a pipeline whose file does not load says that its file is broken,
// naming the file and the problem with its line, instead of "no pipeline";
// the pipeline is found by the name its file declares, whatever the file is
// called. A name no file holds is still "no pipeline".
func TestRunBrokenPipelineNamesItsFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	config := filepath.Join(dir, "kho.yaml")
	pdir := filepath.Join(dir, "configs", "pipelines")
	require.NoError(t, os.WriteFile(filepath.Join(pdir, "zz_yaml.yaml"), []byte("name: broken_yaml\nsource: [\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(pdir, "other.yaml"), []byte("name: needs_secret\nsource: {type: postgres, dsn: ${KHO_TEST_UNSET_SECRET_DSN}, table: t}\ntarget: {dataset: health.visits, mode: append}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(pdir, "badkey.yaml"), []byte("name: bad_key\ndescriptoin: x\nsource: {type: csv, path: data/le_hoi/*.csv}\ntarget: {dataset: culture_tourism.festivals, mode: overwrite}\n"), 0o644))

	for _, c := range []struct{ name, file, problem string }{
		{"broken_yaml", "zz_yaml.yaml", ":2"},
		{"needs_secret", "other.yaml", "other.yaml:2: environment variable KHO_TEST_UNSET_SECRET_DSN is not set"},
		{"bad_key", "badkey.yaml", "badkey.yaml:2:1"},
	} {
		for _, cmd := range [][]string{{"run", c.name}, {"runs", c.name}} {
			_, err := khoErr(t, append([]string{"--config", config}, cmd...)...)
			require.Error(t, err, "kho %v", cmd)
			msg := err.Error()
			assert.NotContains(t, msg, "no pipeline", "kho %v", cmd)
			assert.Contains(t, msg, `pipeline "`+c.name+`"`, "kho %v", cmd)
			assert.Contains(t, msg, "does not load", "kho %v", cmd)
			assert.Contains(t, msg, filepath.Join("configs", "pipelines", c.file), "kho %v", cmd)
			assert.Contains(t, msg, c.problem, "kho %v", cmd)
		}
	}
	_, err := khoErr(t, "--config", config, "run", "nonesuch")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no pipeline "nonesuch"`)
}

// TestDuplicatePipelineNameIsolated: a pipeline file copied under another
// name without changing the pipeline's name (a new user's first edit) made
// every command fail, kho query "SELECT 1" included. The copy is now left
// out with a warning naming both files, as any broken pipeline file; the
// pipeline of the first file runs; kho validate still fails on it.
func TestDuplicatePipelineNameIsolated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	config := filepath.Join(dir, "kho.yaml")
	pdir := filepath.Join(dir, "configs", "pipelines")
	b, err := os.ReadFile(filepath.Join(pdir, "culture_festivals.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(pdir, "culture_festivals_copy.yaml"), b, 0o644))

	assert.Equal(t, "x\n1\n", kho(t, "--config", config, "query", "-f", "csv", "SELECT 1 AS x"))
	out := kho(t, "--config", config, "run", "culture_festivals", "reference_admin_units")
	assert.Regexp(t, `ok\s+culture_festivals\s+-> culture_tourism.festivals\s+read\s+5\s+written\s+4`, out)
	kho(t, "--config", config, "status")

	_, err = khoErr(t, "--config", config, "validate")
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(pdir, "culture_festivals_copy.yaml")+`:1: pipeline "culture_festivals" is also defined in `+filepath.Join(pdir, "culture_festivals.yaml"))
}
