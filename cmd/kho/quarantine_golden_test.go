package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/internal/valtext"
	"github.com/sonla-data/kho/pipelines"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of cmd/kho/testdata")

// TestSampleQuarantineUnchanged runs every pipeline of the sample province
// (scale 1, seed 7) and compares its whole quarantine, row by row — dataset,
// source file, source row, key, column, rule, raw value and both reasons —
// with testdata/sample_quarantine.golden, written by the conform engine
// before its typed path (issue 14). A faster conform step must quarantine
// exactly the same rows for exactly the same reasons. Regenerate with
// `go test ./cmd/kho -run TestSampleQuarantineUnchanged -update` only when
// a rule is meant to change.
func TestSampleQuarantineUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the sample province's pipelines; skipped with -short")
	}
	dir, config := workspace(t)
	sample := filepath.Join(dir, "kho-data", "sample")
	kho(t, "sample-data", "--out", sample, "--scale", "1", "--seed", "7")
	// A row without a date is matched to the administrative units valid
	// today in Vietnam, and its reason names that day: the golden file says
	// {today} (the run may cross midnight: both days count).
	days := []string{time.Now().In(valtext.HoChiMinh).Format("02/01/2006")}
	kho(t, "--config", config, "run", "--all")
	days = append(days, time.Now().In(valtext.HoChiMinh).Format("02/01/2006"))
	today := func(s string) string {
		for _, d := range days {
			s = strings.ReplaceAll(s, "valid on "+d, "valid on {today}")
			s = strings.ReplaceAll(s, "hiệu lực ngày "+d, "hiệu lực ngày {today}")
		}
		return s
	}

	ctx := context.Background()
	cfg, err := loadConfig(config)
	require.NoError(t, err)
	a, err := openApp(ctx, cfg, true)
	require.NoError(t, err)
	defer a.close()

	var lines []string
	for _, table := range a.engine.Tables() {
		if !strings.HasSuffix(table, pipelines.QuarantineSuffix) {
			continue
		}
		ns, name, _ := strings.Cut(table, ".")
		rows, err := a.engine.DB().QueryContext(ctx, `SELECT coalesce(source_file, ''), coalesce(source_row, -1),
			coalesce(record_key, ''), coalesce(column_name, ''), coalesce(rule, ''), coalesce(raw_value, '<null>'),
			coalesce(reason_vi, ''), coalesce(reason_en, '') FROM "`+ns+`"."`+name+`"`)
		require.NoError(t, err)
		for rows.Next() {
			var file, key, column, rule, raw, vi, en string
			var row int64
			require.NoError(t, rows.Scan(&file, &row, &key, &column, &rule, &raw, &vi, &en))
			// the sample's own folder differs from run to run
			file = strings.ReplaceAll(filepath.ToSlash(file), filepath.ToSlash(sample)+"/", "")
			lines = append(lines, fmt.Sprintf("%s\t%s\t%d\t%q\t%s\t%s\t%q\t%q\t%q",
				strings.TrimSuffix(table, pipelines.QuarantineSuffix), file, row, key, column, rule, raw, today(vi), today(en)))
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
	slices.Sort(lines)
	require.NotEmpty(t, lines, "the sample province plants bad rows: its quarantine cannot be empty")
	got := strings.Join(lines, "\n") + "\n"

	golden := filepath.Join("testdata", "sample_quarantine.golden")
	if *updateGolden {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got, "the quarantine of the sample province changed")
}
