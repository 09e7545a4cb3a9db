package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/schemas"
)

// TestInitProjectRuns writes a project with kho init into an empty folder
// and runs it as a new user would: validate, run --all, query the example
// mart, read the quarantine; then lays a project schema over a built-in one.
func TestInitProjectRuns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "du-an")
	out := kho(t, "init", dir)
	for _, f := range []string{"kho.yaml", "README.md", "configs/pipelines/culture_festivals.yaml",
		"schemas/culture_tourism/festivals.yaml", "sql/marts/festival_visitors.sql", "data/le_hoi/le_hoi_2025.csv"} {
		assert.FileExists(t, filepath.Join(dir, f))
		assert.Contains(t, out, filepath.Join(dir, f))
	}

	// A second init refuses to overwrite, naming a file, and writes nothing.
	root := newRoot()
	root.SetArgs([]string{"init", dir})
	root.SetOut(new(strings.Builder))
	root.SetErr(new(strings.Builder))
	err := root.ExecuteContext(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exist already")
	assert.Contains(t, err.Error(), "--force")

	config := filepath.Join(dir, "kho.yaml")
	builtIn, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	out = kho(t, "--config", config, "validate")
	assert.Contains(t, out, "ok: "+strconv.Itoa(len(builtIn.All())+1)+" schemas, 3 pipelines, ")
	assert.NotContains(t, out, "note:", "an untouched project replaces nothing")

	out = kho(t, "--config", config, "run", "--all")
	assert.Regexp(t, `ok\s+culture_festivals\s+-> culture_tourism.festivals\s+read\s+5\s+written\s+4\s+quarantined\s+1`, out)
	assert.Regexp(t, `ok\s+mart festival_visitors\s`, out)
	assert.Regexp(t, `wait mart dossier_kpi_monthly\s.*admin_procedures.dossiers`, out, "marts whose inputs were never loaded wait")

	// The mart's figures, recomputed from the CSV drop: every festival whose
	// commune is a real unit, by commune.
	f, err := os.Open(filepath.Join(dir, "data/le_hoi/le_hoi_2025.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	want := 0
	for _, r := range recs[1:] {
		if r[2] == "Xã Không Có" {
			continue
		}
		if r[5] != "" {
			n, err := strconv.Atoi(r[5])
			require.NoError(t, err)
			want += n
		}
	}
	got := kho(t, "--config", config, "query", "-f", "csv", "SELECT sum(visitors) AS v, count(*) AS n FROM marts.festival_visitors")
	assert.Equal(t, "v,n\n"+strconv.Itoa(want)+",4\n", got)

	q := kho(t, "--config", config, "quarantine", "culture_tourism.festivals")
	assert.Contains(t, q, "LH005")
	assert.Contains(t, q, "commune_code")

	st := kho(t, "--config", config, "status")
	assert.Contains(t, st, "marts.sector_health: health.clinics")

	// A project file with a built-in dataset's name replaces it, and
	// validate says so.
	b, err := schemas.Embedded.ReadFile("culture_tourism/heritage_sites.yaml")
	require.NoError(t, err)
	over := filepath.Join(dir, "schemas/culture_tourism/heritage_sites.yaml")
	require.NoError(t, os.WriteFile(over, []byte(strings.Replace(string(b), "label: Di tích đã được xếp hạng", "label: Di tích (dự án)", 1)), 0o644))
	out = kho(t, "--config", config, "validate")
	assert.Contains(t, out, "note: "+over+" replaces the built-in dataset culture_tourism.heritage_sites")
	assert.Contains(t, out, "ok: "+strconv.Itoa(len(builtIn.All())+1)+" schemas")
	out = kho(t, "--config", config, "schemas")
	assert.Contains(t, out, "Di tích (dự án)")

	// Found without configuration: the same project with no schemas_dir and
	// marts_dir in kho.yaml reads its schemas/ and sql/marts/ all the same.
	b, err = os.ReadFile(config)
	require.NoError(t, err)
	var kept []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "schemas_dir:") && !strings.HasPrefix(line, "marts_dir:") {
			kept = append(kept, line)
		}
	}
	require.NoError(t, os.WriteFile(config, []byte(strings.Join(kept, "\n")), 0o644))
	out = kho(t, "--config", config, "validate")
	assert.Contains(t, out, "ok: "+strconv.Itoa(len(builtIn.All())+1)+" schemas, 3 pipelines, ")
	assert.Contains(t, out, "replaces the built-in dataset culture_tourism.heritage_sites")
	out = kho(t, "--config", config, "marts", "lineage")
	assert.Contains(t, out, "festival_visitors")
}
