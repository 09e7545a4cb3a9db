package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
)

// The load suites: one source kind each, Kho's `kho run` against the
// reference on the same input, at each size.

// load runs one bench pipeline through `kho run` (with profiles when asked).
func (b *bench) load(ctx context.Context, p pipeline, env []string, extra ...string) (khoRun, error) {
	if err := b.loads.add(p); err != nil {
		return khoRun{}, err
	}
	if b.o.Profile != "" {
		extra = append(extra, "--cpuprofile", filepath.Join(b.o.Profile, p.name+".cpu.pprof"),
			"--memprofile", filepath.Join(b.o.Profile, p.name+".allocs.pprof"))
	}
	b.progress("kho run %s", p.name)
	r, err := runKho(ctx, b.kho, b.loads, env, p.name, extra...)
	if err != nil {
		return r, err
	}
	b.progress("  %.2f s (cpu %.2f s), %d rows read (%.0f rows/s), %d quarantined, peak %0.f MB", r.Seconds, r.CPUSeconds, r.Read, r.RowsPerSec(), r.Quarantined, mb(r.MaxRSSKiB))
	return r, nil
}

// loadFigures adds the time and memory figures of one load.
func (b *bench) loadFigures(name string, n int64, kho khoRun, refName string, ref measure, goal float64) {
	f := Figure{Name: name, Size: size(n) + " rows", Unit: "s", Kho: kho.Seconds,
		KhoDetail: fmt.Sprintf("%.0fk rows/s", kho.RowsPerSec()/1000),
		RefName:   refName, Ref: ref.Seconds, RefDetail: fmt.Sprintf("%.0fk rows/s", ref.RowsPerSec()/1000),
		Ratio: ratio(kho.Seconds, ref.Seconds),
		Note:  fmt.Sprintf("cpu %.1f s vs %.1f s", kho.CPUSeconds, ref.CPUSeconds),
		Raw: map[string]any{"kho": kho.measure, "kho_run_seconds": kho.RunSeconds, "read": kho.Read,
			"written": kho.Written, "quarantined": kho.Quarantined, "ref": ref},
	}
	if goal > 0 {
		f.Goal = "<= " + strconv.FormatFloat(goal, 'f', -1, 64) + "x"
		f.Met = boolp(f.Ratio <= goal)
	}
	if kho.Read != n {
		f.Note += fmt.Sprintf("; kho read %d rows of %d", kho.Read, n)
	}
	b.report.Figures = append(b.report.Figures, f)
	b.rss(name, n, kho, refName, ref)
}

// rss adds the peak-memory figure of a load. The goal is under 300 MB, and
// as much at the largest size as at the smallest (within 20%).
func (b *bench) rss(name string, n int64, kho khoRun, refName string, ref measure) {
	f := Figure{Name: "peak RSS " + name, Size: size(n) + " rows", Unit: "MB", Kho: mb(kho.MaxRSSKiB),
		RefName: refName, Ref: mb(ref.MaxRSSKiB), Ratio: ratio(float64(kho.MaxRSSKiB), float64(ref.MaxRSSKiB)),
		Goal: "< 300 MB", Met: boolp(mb(kho.MaxRSSKiB) < 300)}
	for _, g := range b.report.Figures {
		if g.Name == f.Name && g.Size != f.Size && g.Kho > 0 {
			f.Goal = fmt.Sprintf("< 300 MB, <= 1.2x of %s", g.Size)
			f.Note = fmt.Sprintf("%.2fx the peak at %s", f.Kho/g.Kho, g.Size)
			f.Met = boolp(f.Kho < 300 && f.Kho <= 1.2*g.Kho)
		}
	}
	b.report.Figures = append(b.report.Figures, f)
}

func (b *bench) csvFile(n int64) (string, error) {
	path := filepath.Join(b.cache, fmt.Sprintf("dossiers_%s_%d.csv", dataVersion, n))
	b.progress("writing %s", path)
	return path, writeCSV(path, n, b.cc)
}

func (b *bench) csvSuite(ctx context.Context) error {
	for _, n := range b.o.Rows {
		path, err := b.csvFile(n)
		if err != nil {
			return err
		}
		b.progress("duckdb COPY %s", size(n))
		ref, err := runRef(ctx, "duckdb-csv", "-in", path, "-out", filepath.Join(b.work, "duckdb_"+size(n)+".parquet"))
		if err != nil {
			return err
		}
		b.progress("  %.2f s (cpu %.2f s), %d rows", ref.Seconds, ref.CPUSeconds, ref.Rows)
		name := "bench_csv_" + lsize(n)
		p := pipeline{name: name, mode: "overwrite", source: fmt.Sprintf("  type: csv\n  path: %s\n", path)}
		kho, err := b.load(ctx, p, nil)
		if err != nil {
			return err
		}
		b.loadFigures("csv to lake", n, kho, "duckdb COPY to parquet", ref, 1.5)
		b.biggest = "admin_procedures." + name
	}
	return nil
}

func (b *bench) pgDB(ctx context.Context) (string, error) {
	if b.pgDSN != "" {
		return b.pgDSN, nil
	}
	dsn, err := pgEnsureDB(ctx, b.o.PGDSN, b.o.DB)
	b.pgDSN = dsn
	return dsn, err
}

// pgTable is the cached table of n rows.
func (b *bench) pgTable(ctx context.Context, n int64) (string, error) {
	dsn, err := b.pgDB(ctx)
	if err != nil {
		return "", err
	}
	path, err := b.csvFile(n)
	if err != nil {
		return "", err
	}
	table := "bench_dossiers_" + lsize(n)
	b.progress("filling PostgreSQL %s", table)
	return table, pgLoad(ctx, dsn, table, path, n)
}

func pgSource(dsn, table, incremental string) string {
	s := fmt.Sprintf("  type: postgres\n  dsn: '%s'\n  table: public.%s\n", dsn, table)
	if incremental != "" {
		s += "  incremental: {column: " + incremental + ", lag: 10m}\n"
	}
	return s
}

func (b *bench) pgSuite(ctx context.Context) error {
	for _, n := range b.o.Rows {
		table, err := b.pgTable(ctx, n)
		if err != nil {
			return err
		}
		b.progress("COPY %s TO STDOUT (FORMAT binary)", table)
		ref, err := runRef(ctx, "pg-copy", "-dsn", b.pgDSN, "-table", table)
		if err != nil {
			return err
		}
		b.progress("  %.2f s (cpu %.2f s), %d rows, %d MB", ref.Seconds, ref.CPUSeconds, ref.Rows, ref.Bytes>>20)
		if err := b.pgSourceFigure(ctx, n, table, ref); err != nil {
			return err
		}
		p := pipeline{name: "bench_pg_" + lsize(n), mode: "merge", source: pgSource(b.pgDSN, table, "cap_nhat_luc")}
		kho, err := b.load(ctx, p, nil)
		if err != nil {
			return err
		}
		b.loadFigures("postgres to lake", n, kho, "COPY TO STDOUT binary (pgx)", ref, 1.5)
	}
	return nil
}

func (b *bench) mysqlSuite(ctx context.Context) error {
	dsn, err := myEnsureDB(ctx, b.o.MySQLDSN, b.o.DB)
	if err != nil {
		return err
	}
	for _, n := range b.o.MySQLRows {
		path, err := b.csvFile(n)
		if err != nil {
			return err
		}
		table := "bench_dossiers_" + lsize(n)
		b.progress("filling MariaDB %s", table)
		if err := myLoad(ctx, dsn, table, path, n); err != nil {
			return err
		}
		b.progress("SELECT * FROM %s (go-sql-driver/mysql)", table)
		ref, err := runRef(ctx, "mysql-select", "-dsn", dsn, "-table", table)
		if err != nil {
			return err
		}
		b.progress("  %.2f s (cpu %.2f s), %d rows", ref.Seconds, ref.CPUSeconds, ref.Rows)
		src := fmt.Sprintf("  type: mysql\n  dsn: '%s'\n  table: %s\n  incremental: {column: cap_nhat_luc, lag: 10m}\n", dsn, table)
		p := pipeline{name: "bench_mysql_" + lsize(n), mode: "merge", source: src}
		kho, err := b.load(ctx, p, nil)
		if err != nil {
			return err
		}
		b.loadFigures("mariadb to lake", n, kho, "SELECT * drained (go-sql-driver)", ref, 0)
	}
	return nil
}

func (b *bench) xlsxSuite(ctx context.Context) error {
	n := b.o.XLSXRows
	path := filepath.Join(b.cache, fmt.Sprintf("dossiers_%s_%d.xlsx", dataVersion, n))
	b.progress("writing %s", path)
	if err := writeXLSX(path, n, b.cc); err != nil {
		return err
	}
	b.progress("excelize Rows %s", size(n))
	ref, err := runRef(ctx, "xlsx-rows", "-in", path)
	if err != nil {
		return err
	}
	b.progress("  %.2f s (cpu %.2f s), %d rows", ref.Seconds, ref.CPUSeconds, ref.Rows)
	p := pipeline{name: "bench_xlsx_" + lsize(n), mode: "overwrite", source: fmt.Sprintf("  type: excel\n  path: %s\n", path)}
	kho, err := b.load(ctx, p, nil)
	if err != nil {
		return err
	}
	b.loadFigures("xlsx to lake", n, kho, "excelize f.Rows drained", ref, 1.3)
	return nil
}
