package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFullDiskIsNotALostCatalog puts a project's lake and history on a
// 3 MB tmpfs, loads it, then fills the disk: every command fails (SQLite
// cannot even open its WAL index), but the message says the disk is full
// and not to restore — it used to say the catalog was "missing, empty,
// corrupt or another lake's" and to restore a backup, which would have
// thrown away every commit since. Once space is freed, the lake answers as
// before and runs go on; mounted read-only, the message says so. Needs to mount a tmpfs (root with CAP_SYS_ADMIN).
func TestFullDiskIsNotALostCatalog(t *testing.T) {
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("a full disk needs a small tmpfs, and mounting one was refused here (%v: %s); the classification itself is covered by warehouse/lake TestCatalogUnreachableTellsMachineFromDamage", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { _ = syscall.Unmount(mnt, syscall.MNT_DETACH) })

	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	cfg := filepath.Join(dir, "kho.yaml")
	b, err := os.ReadFile(cfg)
	require.NoError(t, err)
	text := strings.Replace(string(b), "data_dir: kho-data", "data_dir: "+filepath.Join(mnt, "data"), 1)
	text = strings.Replace(text, "  root: kho-data/lake", "  root: "+filepath.Join(mnt, "lake"), 1)
	require.NoError(t, os.WriteFile(cfg, []byte(text), 0o644))
	kho(t, "--config", cfg, "run", "--all")
	q := "SELECT count(*) AS n FROM reference.admin_units"
	want := kho(t, "--config", cfg, "query", "-f", "csv", q)
	require.Equal(t, "n\n309\n", want)

	// Fill the disk to its last byte.
	filler, err := os.Create(filepath.Join(mnt, "filler"))
	require.NoError(t, err)
	chunk := make([]byte, 64<<10)
	for {
		if _, err := filler.Write(chunk); err != nil {
			break
		}
	}
	for {
		if _, err := filler.Write(chunk[:512]); err != nil {
			break
		}
	}
	require.NoError(t, filler.Close())
	// Remove the SQLite side files so that opening must write them anew.
	for _, f := range []string{"lake/catalog.db-shm", "lake/catalog.db-wal", "data/runs.db-shm", "data/runs.db-wal"} {
		_ = os.Remove(filepath.Join(mnt, f))
	}
	saidFull := 0
	for _, args := range [][]string{{"query", q}, {"status"}, {"run", "--all"}} {
		_, err := khoErr(t, append([]string{"--config", cfg}, args...)...)
		if err == nil {
			continue // nothing needed to be written
		}
		t.Logf("kho %v on a full disk: %v", args, err)
		assert.NotContains(t, err.Error(), "missing, empty, corrupt", "kho %v", args)
		assert.NotContains(t, err.Error(), "Restore the catalog from a backup", "kho %v", args)
		if strings.Contains(err.Error(), "catalog") {
			assert.Contains(t, err.Error(), "do not restore a backup over it", "kho %v", args)
			assert.Contains(t, err.Error(), "the disk may be full", "kho %v", args)
			saidFull++
		}
	}
	require.Positive(t, saidFull, "opening the catalog on the full disk failed and said why")

	require.NoError(t, os.Remove(filepath.Join(mnt, "filler")))
	assert.Equal(t, want, kho(t, "--config", cfg, "query", "-f", "csv", q))

	// The same disk mounted read-only: said so, no restore advice.
	require.NoError(t, exec.Command("mount", "-o", "remount,ro", mnt).Run())
	for _, f := range []string{"lake/catalog.db-shm", "lake/catalog.db-wal"} {
		_, err := os.Stat(filepath.Join(mnt, f))
		require.True(t, os.IsNotExist(err), "no SQLite side file left to open read-only: %v", err)
	}
	_, err = khoErr(t, "--config", cfg, "query", q)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the file system holding it is mounted read-only")
	assert.NotContains(t, err.Error(), "Restore the catalog from a backup")
	require.NoError(t, exec.Command("mount", "-o", "remount,rw", mnt).Run())
	assert.Equal(t, want, kho(t, "--config", cfg, "query", "-f", "csv", q))
	kho(t, "--config", cfg, "run", "--all")
	kho(t, "--config", cfg, "lake", "check")
}
