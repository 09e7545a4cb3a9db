package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	before := hashTree(t, lakeDir)

	cfg := filepath.Join(cp, "kho.yaml")
	assert.Equal(t, want, kho(t, "--config", cfg, "query", q), "the copy answers as the original")
	kho(t, "--config", cfg, "run", "--all", "--full-refresh")
	kho(t, "--config", cfg, "lake", "maintain")
	kho(t, "--config", cfg, "lake", "backup", filepath.Join(base, "backup"))
	assert.Equal(t, want, kho(t, "--config", cfg, "query", q))

	assert.Equal(t, before, hashTree(t, lakeDir), "the original lake is byte-identical")
	assert.Equal(t, want, kho(t, "--config", filepath.Join(orig, "kho.yaml"), "query", q))
}

func hashTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		out[p] = hex.EncodeToString(h[:]) + " " + fi.ModTime().String()
		return nil
	}))
	return out
}
