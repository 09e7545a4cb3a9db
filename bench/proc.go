package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// measure is one timed process: wall time and peak resident memory.
type measure struct {
	Seconds   float64 `json:"seconds"`
	MaxRSSKiB int64   `json:"max_rss_kib"`
	// CPUSeconds is user + system time: what the work cost whatever else
	// the machine was doing.
	CPUSeconds float64 `json:"cpu_seconds"`
	Rows       int64   `json:"rows,omitempty"`
	Bytes      int64   `json:"bytes,omitempty"`
	stdout     string
	stderr     string
}

// RowsPerSec is the throughput of a measure.
func (m measure) RowsPerSec() float64 {
	if m.Seconds == 0 {
		return 0
	}
	return float64(m.Rows) / m.Seconds
}

// run runs a command to its end and measures it. The peak RSS is the
// child's own (wait4's rusage, KiB on Linux).
func run(ctx context.Context, env []string, name string, args ...string) (measure, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	m := measure{Seconds: time.Since(start).Seconds(), stdout: out.String(), stderr: errb.String()}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.MaxRSSKiB = ru.Maxrss
			m.CPUSeconds = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
		}
	}
	if err != nil {
		return m, fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, tail(out.String()), tail(errb.String()))
	}
	return m, nil
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// runRef runs a reference in a child process of this binary (-ref), so that
// it is measured like kho: its own process, its own peak memory.
func runRef(ctx context.Context, ref string, args ...string) (measure, error) {
	self, err := os.Executable()
	if err != nil {
		return measure{}, err
	}
	m, err := run(ctx, nil, self, append([]string{"-ref", ref}, args...)...)
	if err != nil {
		return m, err
	}
	var res refResult
	if err := json.Unmarshal([]byte(lastLine(m.stdout)), &res); err != nil {
		return m, fmt.Errorf("reference %s: reading its result %q: %w", ref, m.stdout, err)
	}
	m.Rows, m.Bytes = res.Rows, res.Bytes
	return m, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// khoRun is the outcome of `kho run` for one pipeline.
type khoRun struct {
	measure
	Read, Written, Quarantined int64
	RunSeconds                 float64 // as kho reports it (the run alone)
}

var runLine = regexp.MustCompile(`(?m)^ok\s+(\S+)\s+->\s+\S+\s+read\s+(\d+)\s+written\s+(\d+)\s+quarantined\s+(\d+)\s+([\d.]+)s`)

// runKho runs `kho --config cfg run NAME --no-marts` and reads its summary line.
func runKho(ctx context.Context, kho string, cfg *khoConfig, env []string, name string, extra ...string) (khoRun, error) {
	args := append([]string{"--config", cfg.file, "run", name, "--no-marts"}, extra...)
	m, err := run(ctx, env, kho, args...)
	r := khoRun{measure: m}
	if err != nil {
		return r, err
	}
	sm := runLine.FindStringSubmatch(m.stdout)
	if sm == nil {
		return r, fmt.Errorf("kho run %s: no summary line in %q", name, m.stdout)
	}
	r.Read, _ = strconv.ParseInt(sm[2], 10, 64)
	r.Written, _ = strconv.ParseInt(sm[3], 10, 64)
	r.Quarantined, _ = strconv.ParseInt(sm[4], 10, 64)
	r.RunSeconds, _ = strconv.ParseFloat(sm[5], 64)
	r.Rows = r.Read
	return r, nil
}
