package main

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake/laketest"
)

// relTree is laketest.TreeState with paths relative to root, to compare a
// folder with itself moved.
func relTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for p, v := range laketest.TreeState(t, root) {
		rel, err := filepath.Rel(root, p)
		require.NoError(t, err)
		out[rel] = v
	}
	return out
}

// killedAt runs `kho ARGS` in a subprocess that kills itself with SIGKILL
// at the lake's named point, and fails unless it died there.
func killedAt(t *testing.T, point string, args ...string) {
	t.Helper()
	p := khoProcess(t, []string{"KHO_TEST_CRASH_AT=lake:" + point}, args...)
	out, err := p.CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "kho %s was to be killed at %s:\n%s", strings.Join(args, " "), point, out)
	ws, ok := ee.Sys().(syscall.WaitStatus)
	require.True(t, ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL,
		"kho %s did not reach %s (it ended with %v):\n%s", strings.Join(args, " "), point, err, out)
}

// catalogLocations lists the metadata locations a SQLite catalog records.
func catalogLocations(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT metadata_location FROM iceberg_tables`)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		require.NoError(t, rows.Scan(&s))
		out = append(out, s.String)
	}
	require.NoError(t, rows.Err())
	return out
}

// TestKilledRestoreAndRelocation kills `kho lake restore` and the relocation
// of a copied lake with SIGKILL at every step (after staging, after
// verifying, during the staged copy's relocation, after moving the old root
// aside, after switching, during the switched lake's relocation, while
// putting back the run history), and the backup's writes (a file copied,
// the catalog in place). Each time: the backup is byte-identical, the lake
// that was in place is whole (at its root or moved aside, byte-identical),
// and running the command again succeeds, with the lake answering as at
// the backup's time. A killed relocation leaves the original lake
// byte-identical and is finished by the next command, every table then
// pointing under the copy.
func TestKilledRestoreAndRelocation(t *testing.T) {
	base := t.TempDir()
	orig := filepath.Join(base, "orig")
	kho(t, "init", orig)
	cfg := filepath.Join(orig, "kho.yaml")
	kho(t, "--config", cfg, "run", "--all")
	root := filepath.Join(orig, "kho-data", "lake")
	queries := []string{
		"SELECT count(*) AS n, sum(length(name)) AS s FROM reference.admin_units",
		"SELECT dataset, rows, snapshots FROM kho.tables WHERE in_lake ORDER BY 1",
		"SELECT count(*) AS n, sum(visitors) AS v FROM culture_tourism.festivals",
	}
	answers := func(cfg string) []string {
		var out []string
		for _, q := range queries {
			out = append(out, kho(t, "--config", cfg, "query", q))
		}
		return append(out, kho(t, "--config", cfg, "runs", "culture_festivals"))
	}
	// moveOn adds a festival to a project's CSV and loads it: a new snapshot.
	added := 0
	moveOn := func(project string) {
		added++
		f, err := os.OpenFile(filepath.Join(project, "data", "le_hoi", "le_hoi_2025.csv"), os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = fmt.Fprintf(f, "LH9%02d,Lễ hội thử %d,Phường Tô Hiệu,01/11/2025,1,%d\n", added, added, 100+added)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		kho(t, "--config", filepath.Join(project, "kho.yaml"), "run", "culture_festivals")
	}

	t.Run("relocation", func(t *testing.T) {
		want := answers(cfg)
		before := laketest.TreeState(t, root)
		for i, point := range []string{"relocate:table-written", "relocate:table-updated", "relocate:table-updated#3", "relocate:tables-done", "relocate:before-marker"} {
			cp := filepath.Join(base, "copy", string(rune('a'+i)))
			require.NoError(t, os.CopyFS(cp, os.DirFS(orig)))
			ccfg := filepath.Join(cp, "kho.yaml")
			killedAt(t, point, "--config", ccfg, "query", "SELECT 1")
			assert.Equal(t, before, laketest.TreeState(t, root), "%s: the original lake is byte-identical", point)
			assert.Equal(t, want, answers(ccfg), "%s: the rerun finishes the relocation and the copy answers as the original", point)
			croot := filepath.Join(cp, "kho-data", "lake")
			for _, loc := range catalogLocations(t, filepath.Join(croot, "catalog.db")) {
				assert.True(t, strings.HasPrefix(strings.TrimPrefix(loc, "file://"), croot+"/"), "%s: %s is under the copy", point, loc)
			}
			assert.Contains(t, kho(t, "--config", ccfg, "lake", "check"), "ok")
			moveOn(cp)
			assert.Equal(t, before, laketest.TreeState(t, root), "%s: a write in the copy leaves the original alone", point)
		}
	})

	t.Run("restore", func(t *testing.T) {
		backup := filepath.Join(base, "backup")
		kho(t, "--config", cfg, "lake", "backup", backup)
		want := answers(cfg)
		// The lake moves on after the backup.
		moveOn(orig)
		require.NotEqual(t, want[:3], answers(cfg)[:3])
		points := []string{
			"restore:staged", "restore:verified", "relocate:table-written", "relocate:table-updated#2",
			"restore:aside", "restore:in-place", "relocate:table-updated#4", "relocate:before-marker#2",
			"restore:side-file-aside",
		}
		for _, point := range points {
			bstate := laketest.TreeState(t, backup)
			was := relTree(t, root)
			asideBefore, _ := filepath.Glob(root + ".before-restore-*")
			killedAt(t, point, "--config", cfg, "lake", "restore", backup)
			assert.Equal(t, bstate, laketest.TreeState(t, backup), "%s: the backup is byte-identical", point)
			// The lake that was in place is whole: still at the root, or
			// moved aside as it was.
			aside, _ := filepath.Glob(root + ".before-restore-*")
			if len(aside) > len(asideBefore) {
				sort.Strings(aside)
				assert.Equal(t, was, relTree(t, aside[len(aside)-1]), "%s: the lake moved aside is whole", point)
			} else {
				assert.Equal(t, was, relTree(t, root), "%s: the lake in place was not touched", point)
			}
			out := kho(t, "--config", cfg, "lake", "restore", backup)
			assert.Contains(t, out, "verified", point)
			assert.Equal(t, want, answers(cfg), "%s: the rerun restores the backup's state", point)
			leftover, _ := filepath.Glob(root + ".restoring-*")
			assert.Empty(t, leftover, "%s: nothing of the killed restore is left beside the root", point)
			// The lake moves on again before the next kill.
			moveOn(orig)
		}
	})

	t.Run("backup", func(t *testing.T) {
		backup := filepath.Join(base, "backup2")
		kho(t, "--config", cfg, "lake", "backup", backup)
		want := answers(cfg)
		for _, point := range []string{"backup:file-copied", "backup:catalog-in-place"} {
			moveOn(orig)
			killedAt(t, point, "--config", cfg, "lake", "backup", backup)
			// What the backup holds restores whole: the earlier backup's
			// state, or the new one's.
			probe := filepath.Join(base, "probe-"+strings.ReplaceAll(point, ":", "-"))
			kho(t, "init", probe)
			pcfg := filepath.Join(probe, "kho.yaml")
			kho(t, "--config", pcfg, "lake", "restore", backup)
			got := answers(pcfg)
			if point == "backup:file-copied" {
				assert.Equal(t, want[:3], got[:3], "%s: the earlier backup is whole", point)
			} else {
				assert.Equal(t, answers(cfg)[:3], got[:3], "%s: the new backup is whole", point)
			}
			kho(t, "--config", cfg, "lake", "backup", backup)
			want = answers(cfg)
		}
	})
}
