package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake/laketest"
)

// TestProjectUnderOddPath runs a project whose folder holds a space,
// Vietnamese letters, '#', '?' and '%' as a user of the province would name
// it: iceberg-go records such locations percent-encoded (file:///d%E1%BB%B1…),
// and SQLite reads '#' and '?' in its file: URIs. The lake must be read at the
// path it was written to, its catalog opened where it is (nothing created
// beside the folder), and a copy and a restore at other odd paths must be
// independent of the original.
func TestProjectUnderOddPath(t *testing.T) {
	base := t.TempDir()
	orig := filepath.Join(base, "dự án #1 100%41")
	kho(t, "init", orig)
	cfg := filepath.Join(orig, "kho.yaml")
	out := kho(t, "--config", cfg, "run", "--all")
	assert.Regexp(t, `ok\s+mart festival_visitors\s`, out)
	assert.NotRegexp(t, `wait mart commune_today_map`, out, "the reference tables it reads were loaded in this run")
	q := "SELECT (SELECT count(*) FROM reference.admin_units) AS units, (SELECT count(*) FROM culture_tourism.festivals) AS festivals"
	want := kho(t, "--config", cfg, "query", "-f", "csv", q)
	assert.Equal(t, "units,festivals\n309,4\n", want)
	st := kho(t, "--config", cfg, "status")
	assert.NotContains(t, st, "cannot be read")
	kho(t, "--config", cfg, "lake", "check")

	// A copy at another odd path relocates and leaves the original alone.
	lakeDir := filepath.Join(orig, "kho-data", "lake")
	before := laketest.TreeState(t, lakeDir)
	cp := filepath.Join(base, "bản sao?x=1")
	require.NoError(t, os.CopyFS(cp, os.DirFS(orig)))
	ccfg := filepath.Join(cp, "kho.yaml")
	assert.Equal(t, want, kho(t, "--config", ccfg, "query", "-f", "csv", q))
	kho(t, "--config", ccfg, "run", "--all", "--full-refresh")
	kho(t, "--config", ccfg, "lake", "maintain")
	assert.Equal(t, want, kho(t, "--config", ccfg, "query", "-f", "csv", q))
	assert.Equal(t, before, laketest.TreeState(t, lakeDir), "the original lake is byte-identical")

	// A backup into an odd folder, restored into a third project.
	bk := filepath.Join(base, "sao lưu #2")
	kho(t, "--config", cfg, "lake", "backup", bk)
	third := filepath.Join(base, "nơi khác % ?")
	kho(t, "init", third)
	tcfg := filepath.Join(third, "kho.yaml")
	kho(t, "--config", tcfg, "lake", "restore", bk)
	assert.Equal(t, want, kho(t, "--config", tcfg, "query", "-f", "csv", q))
	kho(t, "--config", tcfg, "run", "--all")
	kho(t, "--config", tcfg, "lake", "check")
	assert.Equal(t, before, laketest.TreeState(t, lakeDir), "the original lake is byte-identical")

	ents, err := os.ReadDir(base)
	require.NoError(t, err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"dự án #1 100%41", "bản sao?x=1", "sao lưu #2", "nơi khác % ?"}, names,
		"no catalog or history was created beside the project folders")
}
