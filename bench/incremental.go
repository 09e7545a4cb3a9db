package main

import (
	"context"
	"fmt"
)

// incSuite times the reruns of an incremental PostgreSQL pipeline (merge on
// the key, watermark on cap_nhat_luc with a 10-minute lag) on a copy of the
// cached table: with no change, and with 1% of the rows changed. The
// reference is the pipeline's first, full, run.
func (b *bench) incSuite(ctx context.Context) error {
	n := b.o.IncRows
	base, err := b.pgTable(ctx, n)
	if err != nil {
		return err
	}
	table := "bench_inc_" + lsize(n)
	b.progress("copying %s to %s", base, table)
	if err := pgExec(ctx, b.pgDSN, "DROP TABLE IF EXISTS "+table,
		"CREATE TABLE "+table+" AS SELECT * FROM "+base,
		"ALTER TABLE "+table+" ADD PRIMARY KEY (stt)",
		"CREATE INDEX ON "+table+" (cap_nhat_luc)",
		"ANALYZE "+table); err != nil {
		return err
	}
	p := pipeline{name: "bench_pg_inc_" + lsize(n), mode: "merge", source: pgSource(b.pgDSN, table, "cap_nhat_luc")}
	full, err := b.load(ctx, p, nil)
	if err != nil {
		return err
	}
	same, err := b.load(ctx, p, nil)
	if err != nil {
		return err
	}
	f := Figure{Name: "incremental rerun, no change", Size: size(n) + " rows", Unit: "s", Kho: same.Seconds,
		KhoDetail: fmt.Sprintf("%d rows read", same.Read),
		RefName:   "full first run", Ref: full.Seconds, Ratio: ratio(same.Seconds, full.Seconds),
		Goal: "< 1 s", Met: boolp(same.Seconds < 1),
		Raw: map[string]any{"kho": same.measure, "kho_run_seconds": same.RunSeconds, "full": full.measure}}
	if same.Read > 0 {
		f.Note = fmt.Sprintf("the 10-minute lag re-reads the %d row(s) updated in the 10 minutes before the watermark, and merging them rewrites (copy-on-write) every file whose key statistics cannot rule them out", same.Read)
	}
	b.report.Figures = append(b.report.Figures, f)

	// The same without a lag: the rerun reads nothing.
	p0 := pipeline{name: "bench_pg_inc0_" + lsize(n), mode: "merge", source: pgSource(b.pgDSN, table, "")}
	p0.source += "  incremental: {column: cap_nhat_luc}\n"
	full0, err := b.load(ctx, p0, nil)
	if err != nil {
		return err
	}
	same0, err := b.load(ctx, p0, nil)
	if err != nil {
		return err
	}
	b.report.Figures = append(b.report.Figures, Figure{Name: "incremental rerun, no change, no lag", Size: size(n) + " rows", Unit: "s",
		Kho: same0.Seconds, KhoDetail: fmt.Sprintf("%d rows read", same0.Read),
		RefName: "full first run", Ref: full0.Seconds, Ratio: ratio(same0.Seconds, full0.Seconds),
		Goal: "< 1 s", Met: boolp(same0.Seconds < 1),
		Raw: map[string]any{"kho": same0.measure, "kho_run_seconds": same0.RunSeconds, "full": full0.measure}})

	changed := n / 100
	b.progress("changing %d rows of %s", changed, table)
	if err := pgExec(ctx, b.pgDSN,
		"UPDATE "+table+" SET trang_thai = 1 + trang_thai % 10, cap_nhat_luc = (SELECT max(cap_nhat_luc) FROM "+table+") + interval '1 day' WHERE stt % 100 = 0",
		"ANALYZE "+table); err != nil {
		return err
	}
	one, err := b.load(ctx, p, nil)
	if err != nil {
		return err
	}
	f = Figure{Name: "incremental rerun, 1% changed", Size: size(n) + " rows", Unit: "s", Kho: one.Seconds,
		KhoDetail: fmt.Sprintf("%d rows read", one.Read),
		RefName:   "full first run", Ref: full.Seconds, Ratio: ratio(one.Seconds, full.Seconds),
		Raw: map[string]any{"kho": one.measure, "kho_run_seconds": one.RunSeconds, "full": full.measure}}
	if one.Read < changed {
		f.Note = fmt.Sprintf("read %d rows, %d were changed", one.Read, changed)
	}
	b.report.Figures = append(b.report.Figures, f)
	return nil
}
