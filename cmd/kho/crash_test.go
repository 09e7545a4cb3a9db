package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/sonla-data/kho/warehouse/query"
)

// TestMain lets the test binary act as the kho command in a subprocess, so
// that the crash tests can kill a real loader process.
func TestMain(m *testing.M) {
	if os.Getenv("KHO_TEST_AS_KHO") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// khoProcess starts `kho ARGS` as a subprocess of the test binary.
func khoProcess(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "KHO_TEST_AS_KHO=1"), env...)
	return cmd
}

// crashWorkspace is a workspace with its own sample province.
func crashWorkspace(t *testing.T) (config, sample string) {
	dir, config := workspace(t)
	sample = filepath.Join(dir, "kho-data", "sample")
	kho(t, "sample-data", "--out", sample, "--seed", "3")
	return config, sample
}

// dump reads a table's rows as sorted text lines, and the quarantine's rows
// as (file, row, column, rule) lines.
func dump(t *testing.T, config, table string) []string {
	t.Helper()
	cfg, err := loadConfig(config)
	require.NoError(t, err)
	a, err := openApp(context.Background(), cfg, true)
	require.NoError(t, err)
	defer a.close()
	if !slices.Contains(a.engine.Tables(), table) {
		return nil
	}
	ns, name, _ := strings.Cut(table, ".")
	sel := "*"
	if strings.HasSuffix(name, "__quarantine") {
		sel = "source_file, source_row, record_key, column_name, rule, raw_value"
	}
	rows, err := a.engine.DB().Query("SELECT " + sel + " FROM " + query.Ident(ns) + "." + query.Ident(name))
	require.NoError(t, err)
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		require.NoError(t, rows.Scan(ptrs...))
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = query.Text(v)
		}
		line := strings.Join(parts, "|")
		// Source paths differ between workspaces: keep them relative.
		if i := strings.Index(line, "/kho-data/sample/"); i >= 0 {
			line = line[i+len("/kho-data/sample/"):]
		}
		out = append(out, line)
	}
	require.NoError(t, rows.Err())
	slices.Sort(out)
	return out
}

// addVisits adds rows to the health database, as the department's system
// would between two runs: new visits and corrections of old ones.
func addVisits(t *testing.T, sample string) {
	db, err := sql.Open("sqlite", filepath.Join(sample, "health.db"))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`UPDATE luot_kham SET chi_phi = chi_phi + 1000, cap_nhat_luc = '2026-02-01 08:00:00'
		WHERE ma_luot_kham IN (SELECT ma_luot_kham FROM luot_kham WHERE ma_luot_kham <> '' ORDER BY ma_luot_kham LIMIT 300)`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO luot_kham SELECT 'NEW' || ma_luot_kham, ma_co_so, ngay_kham, ma_xa_cu_tru, ho_ten, so_cccd,
		so_dien_thoai, gioi_tinh, nam_sinh, ma_benh_icd10, chi_phi, co_bhyt, '2026-02-02 09:00:00'
		FROM luot_kham WHERE ma_luot_kham <> '' ORDER BY ma_luot_kham LIMIT 500`)
	require.NoError(t, err)
}

// TestKilledLoaderLeavesEveryRowOnce kills `kho run` with SIGKILL at many
// points of a run, then reruns it, and checks the lake holds exactly what an
// uninterrupted run gives: every source row once, every bad row once in the
// quarantine.
func TestKilledLoaderLeavesEveryRowOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash tests run real subprocesses for a minute; skipped with -short")
	}
	type scenario struct {
		pipeline, table string
		twoPhase        bool // a first clean run, then new rows, then the crash
	}
	scenarios := []scenario{
		{"health_visits", "health.visits", true},
		{"admin_procedures_dossiers", "admin_procedures.dossiers", false},
		{"labour_job_reports", "labour.job_reports", false},
	}
	for _, sc := range scenarios {
		t.Run(sc.pipeline, func(t *testing.T) {
			// The reference: the same runs, never interrupted.
			refConfig, refSample := crashWorkspace(t)
			args := []string{"--config", refConfig, "run", "--no-marts", "reference_agencies", sc.pipeline}
			if sc.twoPhase {
				kho(t, args...)
				addVisits(t, refSample)
			}
			kho(t, args...)
			wantRows := dump(t, refConfig, sc.table)
			wantBad := dump(t, refConfig, sc.table+"__quarantine")
			require.NotEmpty(t, wantRows)
			require.NotEmpty(t, wantBad)

			kills := []string{"point:extracted", "point:quarantine_committed", "point:committed", "after:100ms", "after:300ms"}
			for _, kill := range kills {
				t.Run(kill, func(t *testing.T) {
					config, sample := crashWorkspace(t)
					args := []string{"--config", config, "run", "--no-marts", "reference_agencies", sc.pipeline}
					if sc.twoPhase {
						kho(t, args...)
						addVisits(t, sample)
					}
					how, arg, _ := strings.Cut(kill, ":")
					var env []string
					if how == "point" {
						env = append(env, "KHO_TEST_CRASH_AT="+sc.pipeline+":"+arg)
					}
					p := khoProcess(t, env, args...)
					require.NoError(t, p.Start())
					if how == "after" {
						d, _ := time.ParseDuration(arg)
						time.Sleep(d)
						_ = p.Process.Signal(syscall.SIGKILL)
					}
					err := p.Wait()
					if how == "after" {
						t.Logf("killed after %s: %v (a nil error means the run had finished)", arg, err)
					}
					if how == "point" {
						require.Error(t, err, "the process must have been killed at %s", arg)
						assert.Contains(t, err.Error(), "killed")
					}
					// Rerun, uninterrupted, and compare with the reference.
					kho(t, args...)
					assert.Equal(t, len(wantRows), len(dump(t, config, sc.table)), "rows after the rerun")
					assert.Equal(t, wantRows, dump(t, config, sc.table), fmt.Sprintf("%s after a kill (%s) and a rerun", sc.table, kill))
					assert.Equal(t, wantBad, dump(t, config, sc.table+"__quarantine"), "quarantine after a kill and a rerun")
				})
			}
		})
	}
}
