package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake/laketest"
)

// TestCopiedProjectIsIndependent copies a project whose lake has run, then in
// the copy runs the pipelines again (full refresh), maintains the lake
// (compaction, expiry, check) and backs it up; the original project's lake is
// byte-identical and answers as before, and the copy answers the same.
func TestCopiedProjectIsIndependent(t *testing.T) {
	base := t.TempDir()
	orig, cp := filepath.Join(base, "orig"), filepath.Join(base, "copy")
	kho(t, "init", orig)
	kho(t, "--config", filepath.Join(orig, "kho.yaml"), "run", "--all")
	q := "SELECT count(*) AS n, sum(length(name)) AS s FROM reference.admin_units"
	want := kho(t, "--config", filepath.Join(orig, "kho.yaml"), "query", q)
	require.NoError(t, os.CopyFS(cp, os.DirFS(orig)))
	lakeDir := filepath.Join(orig, "kho-data", "lake")
	before := laketest.TreeState(t, lakeDir)

	cfg := filepath.Join(cp, "kho.yaml")
	assert.Equal(t, want, kho(t, "--config", cfg, "query", q), "the copy answers as the original")
	kho(t, "--config", cfg, "run", "--all", "--full-refresh")
	kho(t, "--config", cfg, "lake", "maintain")
	kho(t, "--config", cfg, "lake", "backup", filepath.Join(base, "backup"))
	assert.Equal(t, want, kho(t, "--config", cfg, "query", q))

	assert.Equal(t, before, laketest.TreeState(t, lakeDir), "the original lake is byte-identical")
	assert.Equal(t, want, kho(t, "--config", filepath.Join(orig, "kho.yaml"), "query", q))
}

// TestBackupKeepsPseudonymKey: a restored warehouse keeps the secret the
// masked identifiers' pseudonyms are keyed with, so every token sees the
// same pseudonyms after a restore as before.
func TestBackupKeepsPseudonymKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	cfg := filepath.Join(dir, "kho.yaml")
	kho(t, "--config", cfg, "run", "reference_admin_units")
	data := filepath.Join(dir, "kho-data")
	key, err := pseudonymSecret(data)
	require.NoError(t, err)
	backup := filepath.Join(t.TempDir(), "b")
	kho(t, "--config", cfg, "lake", "backup", backup)
	kho(t, "--config", cfg, "lake", "backup", backup) // incremental: again over the first
	require.NoError(t, os.Remove(filepath.Join(data, "pseudonym.key")))
	kho(t, "--config", cfg, "lake", "restore", backup)
	fi, err := os.Stat(filepath.Join(data, "pseudonym.key"))
	require.NoError(t, err, "restore puts the pseudonym key back")
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	again, err := pseudonymSecret(data)
	require.NoError(t, err)
	assert.Equal(t, key, again)
}
