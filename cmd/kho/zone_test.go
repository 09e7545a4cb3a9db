package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/query"
)

// TestPrintedTimesSayPlus07: with the machine's zone set to UTC and to
// America/New_York, the times `kho status`, `kho runs` and `kho lake
// snapshots` print carry +07 (Asia/Ho_Chi_Minh), and none is printed in the
// machine's zone.
func TestPrintedTimesSayPlus07(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	cfg := filepath.Join(dir, "kho.yaml")
	kho(t, "--config", cfg, "run", "reference_admin_units")
	local := time.Local
	t.Cleanup(func() { time.Local = local })
	stamp := regexp.MustCompile(`\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?( ?[+-]\d\d(:?\d\d)?)?`)
	// An orphan file (a killed write's) of a day ago, so that kho lake check
	// lists it with its time.
	orphan := filepath.Join(dir, "kho-data", "lake", "reference.db", "admin_units", "data", "00000-0-killed.parquet")
	require.NoError(t, os.WriteFile(orphan, []byte("PAR1"), 0o644))
	old := time.Now().Add(-24 * time.Hour)
	require.NoError(t, os.Chtimes(orphan, old, old))
	for _, zone := range []string{"UTC", "America/New_York"} {
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err)
		time.Local = loc
		for _, args := range [][]string{{"status"}, {"runs", "reference_admin_units"}, {"lake", "snapshots", "reference.admin_units"},
			{"lake", "tables"}, {"lake", "check", "--grace", "1h"}, {"quarantine", "culture_tourism.festivals", "--format", "csv"}} {
			out := kho(t, append([]string{"--config", cfg}, args...)...)
			if args[0] == "quarantine" {
				kho(t, "--config", cfg, "run", "culture_festivals")
				out = kho(t, append([]string{"--config", cfg}, args...)...)
			}
			found := stamp.FindAllString(out, -1)
			require.NotEmpty(t, found, "kho %v prints a time", args)
			for _, s := range found {
				assert.Regexp(t, `\+07(:?00)?$`, s, "kho %v under TZ=%s: %q", args, zone, s)
			}
		}
	}
}

// TestLogAndAsOfTimesSayPlus07: the JSON log lines of a run and of the
// scheduler carry their time in +07 (RFC 3339 with the offset), not the
// machine's zone; AsOf prints as the other times do; the folders a restore
// leaves aside are named with a +07 time.
func TestLogAndAsOfTimesSayPlus07(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	cfg := filepath.Join(dir, "kho.yaml")
	for _, zone := range []string{"UTC", "America/New_York"} {
		var stderr bytes.Buffer
		cmd := khoProcess(t, []string{"TZ=" + zone, "KHO_LOG_FORMAT=json"}, "--config", cfg, "run", "culture_festivals", "--full-refresh")
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Run(), stderr.String())
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		require.NotEmpty(t, lines)
		for _, l := range lines {
			var rec map[string]any
			require.NoError(t, json.Unmarshal([]byte(l), &rec), l)
			ts, _ := rec["time"].(string)
			at, err := time.Parse(time.RFC3339Nano, ts)
			require.NoError(t, err, "TZ=%s: %s", zone, l)
			assert.True(t, strings.HasSuffix(ts, "+07:00"), "TZ=%s: %s", zone, l)
			assert.WithinDuration(t, time.Now(), at, time.Hour)
		}

		// The scheduler's lines, stopped by SIGINT once started.
		stderr.Reset()
		sched := khoProcess(t, []string{"TZ=" + zone, "KHO_LOG_FORMAT=json"}, "--config", cfg, "schedule")
		sched.Stderr = &stderr
		require.NoError(t, sched.Start())
		require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "scheduler started") }, time.Minute, 50*time.Millisecond)
		require.NoError(t, sched.Process.Signal(os.Interrupt))
		require.NoError(t, sched.Wait())
		assert.Regexp(t, `"time":"[0-9-]+T[0-9:.]+\+07:00","level":"INFO","msg":"scheduler started"`, stderr.String())
		assert.NotContains(t, stderr.String(), `Z","level"`)
	}

	at, err := query.ParseAsOf("2025-07-01 08:30")
	require.NoError(t, err)
	assert.Equal(t, "2025-07-01 08:30:00 +07", at.String())
	at, err = query.ParseAsOf("2025-07-01T01:30:00Z")
	require.NoError(t, err)
	assert.Equal(t, "2025-07-01 08:30:00 +07", at.String())

	bk := filepath.Join(t.TempDir(), "bk")
	kho(t, "--config", cfg, "lake", "backup", bk)
	kho(t, "--config", cfg, "lake", "restore", bk)
	aside, err := filepath.Glob(filepath.Join(dir, "kho-data", "lake.before-restore-*"))
	require.NoError(t, err)
	require.Len(t, aside, 1)
	assert.Regexp(t, `lake\.before-restore-\d{8}T\d{6}\.\d{3}\+07$`, aside[0])
	runsAside, err := filepath.Glob(filepath.Join(dir, "kho-data", "runs.db.before-restore-*"))
	require.NoError(t, err)
	require.Len(t, runsAside, 1)
	assert.Regexp(t, `runs\.db\.before-restore-\d{8}T\d{6}\+07$`, runsAside[0])
}
