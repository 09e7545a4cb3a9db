package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// province is the configuration of the province's own pipelines over the
// synthetic province of `kho sample-data`, sharing the run's lake.
func (b *bench) province() (*khoConfig, []string, error) {
	repo, err := os.Getwd()
	if err != nil {
		return nil, nil, err
	}
	cfg, err := writeConfig(filepath.Join(b.work, "province"), b.dataDir, b.schemas, filepath.Join(repo, "configs", "pipelines"))
	if err != nil {
		return nil, nil, err
	}
	return cfg, []string{"KHO_SAMPLE_DIR=" + b.sampleDir()}, nil
}

func (b *bench) sampleDir() string {
	tree := "unknown"
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD:sampledata").Output(); err == nil {
		tree = strings.TrimSpace(string(out))
	}
	return filepath.Join(b.cache, fmt.Sprintf("sample_scale%d_%s", b.o.Scale, tree))
}

var martLine = regexp.MustCompile(`(?m)^(ok|FAIL|same)\s+mart\s+(\S+)\s+(?:->\s+\S+\s+)?rows\s+(\d+)\s+tests failed (\d+)\s+([\d.]+)s`)

// martsSuite writes the synthetic province at -scale (kept between runs for
// the same sampledata/), runs every pipeline, then times `kho marts build`.
func (b *bench) martsSuite(ctx context.Context) error {
	cfg, env, err := b.province()
	if err != nil {
		return err
	}
	dir := b.sampleDir()
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		b.progress("kho sample-data --scale %d", b.o.Scale)
		os.RemoveAll(dir)
		if _, err := run(ctx, nil, b.kho, "sample-data", "--out", dir, "--scale", strconv.Itoa(b.o.Scale)); err != nil {
			return err
		}
	}
	b.progress("kho run --all (scale %d)", b.o.Scale)
	all, err := run(ctx, env, b.kho, "--config", cfg.file, "run", "--all", "--no-marts")
	if err != nil {
		return err
	}
	var read int64
	for _, m := range runLine.FindAllStringSubmatch(all.stdout, -1) {
		n, _ := strconv.ParseInt(m[2], 10, 64)
		read += n
	}
	b.progress("  %.1f s, %d rows, peak %.0f MB", all.Seconds, read, mb(all.MaxRSSKiB))
	b.report.Figures = append(b.report.Figures, Figure{Name: "province pipelines (kho run --all)", Size: fmt.Sprintf("scale %d, %s rows", b.o.Scale, size(read)),
		Unit: "s", Kho: all.Seconds, KhoDetail: fmt.Sprintf("%.0fk rows/s, peak %.0f MB", float64(read)/all.Seconds/1000, mb(all.MaxRSSKiB)),
		Raw: map[string]any{"kho": all, "rows": read}})
	b.progress("kho marts build")
	mb_, err := run(ctx, env, b.kho, "--config", cfg.file, "marts", "build")
	if err != nil {
		return err
	}
	per := map[string]float64{}
	failed := 0
	for _, m := range martLine.FindAllStringSubmatch(mb_.stdout, -1) {
		s, _ := strconv.ParseFloat(m[5], 64)
		per[m[2]] = s
		if m[1] == "FAIL" {
			failed++
		}
	}
	b.progress("  %.2f s, %d marts, peak %.0f MB", mb_.Seconds, len(per), mb(mb_.MaxRSSKiB))
	f := Figure{Name: "marts build", Size: fmt.Sprintf("scale %d, %d marts", b.o.Scale, len(per)), Unit: "s", Kho: mb_.Seconds,
		KhoDetail: fmt.Sprintf("peak %.0f MB", mb(mb_.MaxRSSKiB)),
		Raw:       map[string]any{"kho": mb_, "marts": per}}
	if failed > 0 {
		f.Note = fmt.Sprintf("%d mart(s) failed their tests", failed)
	}
	b.report.Figures = append(b.report.Figures, f)
	b.marts = true
	return nil
}
