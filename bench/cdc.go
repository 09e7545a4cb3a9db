package main

import (
	"context"
	"fmt"
	"strconv"
)

// cdcChanges is the number of changed rows of a CDC round (the issue's
// figure); smaller tables change a tenth of their rows.
const cdcChanges = 100_000

// cdcSuite times a change-data-capture round of a PostgreSQL pipeline
// (incremental mode cdc, merge on the key) on a copy of the cached table:
// UPDATE of cdcChanges rows, then the run that reads them from the
// write-ahead log and merges them. The reference is COPY (binary, drained
// through pgx) of the same rows, a table of their own. The slot and the
// publication are dropped at the end.
func (b *bench) cdcSuite(ctx context.Context) error {
	n := b.o.IncRows
	base, err := b.pgTable(ctx, n)
	if err != nil {
		return err
	}
	table := "bench_cdc_" + lsize(n)
	slot := "cdc_bench_" + lsize(n)
	changes := int64(cdcChanges)
	if n < 10*changes {
		changes = n / 10
	}
	step := strconv.FormatInt(n/changes, 10)
	b.progress("copying %s to %s", base, table)
	if err := pgExec(ctx, b.pgDSN,
		"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"+slot+"'",
		"DROP PUBLICATION IF EXISTS "+slot,
		"DROP TABLE IF EXISTS "+table,
		"CREATE TABLE "+table+" AS SELECT * FROM "+base,
		"ALTER TABLE "+table+" ADD PRIMARY KEY (ma_ho_so)", // the merge key: the deletes' replica identity
		"ANALYZE "+table); err != nil {
		return err
	}
	defer func() {
		_ = pgExec(context.WithoutCancel(ctx), b.pgDSN,
			"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"+slot+"'",
			"DROP PUBLICATION IF EXISTS "+slot)
	}()
	src := fmt.Sprintf("  type: postgres\n  dsn: '%s'\n  table: public.%s\n  incremental: {mode: cdc, slot: %s, publication: %s}\n", b.pgDSN, table, slot, slot)
	p := pipeline{name: "bench_pg_cdc_" + lsize(n), mode: "merge", source: src}
	snap, err := b.load(ctx, p, nil, "--full-refresh")
	if err != nil {
		return err
	}
	b.progress("changing %d rows of %s", changes, table)
	if err := pgExec(ctx, b.pgDSN,
		"UPDATE "+table+" SET trang_thai = 1 + trang_thai % 10 WHERE stt % "+step+" = 0"); err != nil {
		return err
	}
	round, err := b.load(ctx, p, nil)
	if err != nil {
		return err
	}
	copyTable := table + "_changed"
	if err := pgExec(ctx, b.pgDSN, "DROP TABLE IF EXISTS "+copyTable,
		"CREATE TABLE "+copyTable+" AS SELECT * FROM "+table+" WHERE stt % "+step+" = 0"); err != nil {
		return err
	}
	b.progress("COPY %s TO STDOUT (FORMAT binary)", copyTable)
	ref, err := runRef(ctx, "pg-copy", "-dsn", b.pgDSN, "-table", copyTable)
	if err != nil {
		return err
	}
	_ = pgExec(ctx, b.pgDSN, "DROP TABLE IF EXISTS "+copyTable)
	f := Figure{Name: "CDC round", Size: fmt.Sprintf("%s changes of %s rows", size(changes), size(n)), Unit: "s", Kho: round.Seconds,
		KhoDetail: fmt.Sprintf("%d rows read", round.Read),
		RefName:   "COPY of the changed rows (binary, pgx)", Ref: ref.Seconds, RefDetail: fmt.Sprintf("%d rows", ref.Rows),
		Ratio: ratio(round.Seconds, ref.Seconds),
		Note:  fmt.Sprintf("cpu %.1f s vs %.1f s; the snapshot (first run) took %.2f s", round.CPUSeconds, ref.CPUSeconds, snap.Seconds),
		Raw:   map[string]any{"kho": round.measure, "kho_run_seconds": round.RunSeconds, "snapshot": snap.measure, "ref": ref}}
	if round.Read != changes {
		f.Note += fmt.Sprintf("; read %d rows, %d were changed", round.Read, changes)
	}
	b.report.Figures = append(b.report.Figures, f)
	return nil
}
