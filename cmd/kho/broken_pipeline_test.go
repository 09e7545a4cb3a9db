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
