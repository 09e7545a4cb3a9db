package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// changesLine reads the run line's "changes: …; files +A -R".
var changesLine = regexp.MustCompile(`changes: (\d+) inserted, (\d+) updated, (\d+) deleted, (\d+) unchanged; files \+(\d+) -(\d+)`)

// runChanges is what a run did to its table, from its run line.
type runChanges struct {
	inserted, updated, deleted, unchanged, filesAdded, filesRemoved int64
	nothing                                                         bool // "unchanged: nothing committed"
}

func changesOf(out string) runChanges {
	var c runChanges
	if strings.Contains(out, "unchanged: nothing committed") {
		c.nothing = true
		return c
	}
	if m := changesLine.FindStringSubmatch(out); m != nil {
		v := make([]int64, 6)
		for i := range v {
			v[i], _ = strconv.ParseInt(m[i+1], 10, 64)
		}
		c = runChanges{v[0], v[1], v[2], v[3], v[4], v[5], false}
	}
	return c
}

// mergeSuite (issue 13) measures, on a copy of the PostgreSQL table of
// -inc-rows rows: a merge of 1% changed rows (incremental, no lag, merge on
// the key: merge-on-read) against appending the same rows to a table as
// large, with the data files the merge rewrote (the goal is none); and an
// unchanged rerun of an overwrite pipeline over the whole table against
// reading the source (COPY TO STDOUT binary).
func (b *bench) mergeSuite(ctx context.Context) error {
	n := b.o.IncRows
	base, err := b.pgTable(ctx, n)
	if err != nil {
		return err
	}
	table, changed := "bench_merge_"+lsize(n), "bench_merge_changed_"+lsize(n)
	b.progress("copying %s to %s", base, table)
	if err := pgExec(ctx, b.pgDSN, "DROP TABLE IF EXISTS "+table, "DROP TABLE IF EXISTS "+changed,
		"CREATE TABLE "+table+" AS SELECT * FROM "+base,
		"ALTER TABLE "+table+" ADD PRIMARY KEY (stt)",
		"CREATE INDEX ON "+table+" (cap_nhat_luc)",
		"ANALYZE "+table); err != nil {
		return err
	}
	pm := pipeline{name: "bench_pg_merge_" + lsize(n), mode: "merge", source: pgSource(b.pgDSN, table, "") + "  incremental: {column: cap_nhat_luc}\n"}
	pa := pipeline{name: "bench_pg_append_" + lsize(n), mode: "append", source: pgSource(b.pgDSN, table, "")}
	po := pipeline{name: "bench_pg_overwrite_" + lsize(n), mode: "overwrite", source: pgSource(b.pgDSN, table, "")}
	var firstOverwrite khoRun
	for _, p := range []pipeline{pm, pa, po} {
		r, err := b.load(ctx, p, nil)
		if err != nil {
			return err
		}
		if p.name == po.name {
			firstOverwrite = r
		}
	}

	// 1% of the rows change; the appended table gets the same rows.
	b.progress("changing 1%% of %s", table)
	if err := pgExec(ctx, b.pgDSN,
		"UPDATE "+table+" SET trang_thai = 1 + trang_thai % 10, cap_nhat_luc = (SELECT max(cap_nhat_luc) FROM "+table+") + interval '1 day' WHERE stt % 100 = 0",
		"CREATE TABLE "+changed+" AS SELECT * FROM "+table+" WHERE stt % 100 = 0",
		"ANALYZE "+table); err != nil {
		return err
	}
	merge, err := b.load(ctx, pm, nil)
	if err != nil {
		return err
	}
	mc := changesOf(merge.stdout)
	pa.source = pgSource(b.pgDSN, changed, "")
	app, err := b.load(ctx, pa, nil)
	if err != nil {
		return err
	}
	f := Figure{Name: "merge of 1% changed rows", Size: size(n) + " rows", Unit: "s", Kho: merge.Seconds,
		KhoDetail: fmt.Sprintf("%d read, %d updated, files +%d -%d", merge.Read, mc.updated, mc.filesAdded, mc.filesRemoved),
		RefName:   "kho append of the same rows", Ref: app.Seconds, RefDetail: fmt.Sprintf("%d rows", app.Read),
		Ratio: ratio(merge.Seconds, app.Seconds), Goal: "<= 2x, no data file rewritten",
		Met: boolp(ratio(merge.Seconds, app.Seconds) <= 2 && mc.filesRemoved == 0),
		Raw: map[string]any{"kho": merge.measure, "kho_run_seconds": merge.RunSeconds, "append": app.measure,
			"append_run_seconds": app.RunSeconds, "files_added": mc.filesAdded, "files_removed": mc.filesRemoved}}
	b.report.Figures = append(b.report.Figures, f)

	// The overwrite pipeline's source changed above: one run takes it in
	// (it spools the source while fingerprinting it, finds it changed and
	// conforms from the spool: against the first load, that is the spool's
	// cost), the next is the unchanged rerun.
	changedRun, err := b.load(ctx, po, nil)
	if err != nil {
		return err
	}
	b.report.Figures = append(b.report.Figures, Figure{Name: "changed rerun of an overwrite", Size: size(n) + " rows", Unit: "s",
		Kho: changedRun.Seconds, KhoDetail: fmt.Sprintf("cpu %.2f s; source spooled while fingerprinted, then conformed", changedRun.CPUSeconds),
		RefName: "first load of the same table", Ref: firstOverwrite.Seconds, RefDetail: fmt.Sprintf("cpu %.2f s", firstOverwrite.CPUSeconds),
		Ratio: ratio(changedRun.Seconds, firstOverwrite.Seconds), Note: "the raw spool's cost on a changed source (no goal)",
		Raw: map[string]any{"kho": changedRun.measure, "kho_run_seconds": changedRun.RunSeconds, "ref": firstOverwrite.measure, "ref_run_seconds": firstOverwrite.RunSeconds}})
	same, err := b.load(ctx, po, nil)
	if err != nil {
		return err
	}
	// A run after an unchanged run bets on no change: it hashes the source
	// without spooling it (the steady state of a daily schedule).
	again, err := b.load(ctx, po, nil)
	if err != nil {
		return err
	}
	b.progress("COPY %s TO STDOUT (FORMAT binary)", table)
	ref, err := runRef(ctx, "pg-copy", "-dsn", b.pgDSN, "-table", table)
	if err != nil {
		return err
	}
	b.progress("kho postgres source drain %s", table)
	drain, err := runRef(ctx, "kho-pg-source", "-dsn", b.pgDSN, "-table", "public."+table)
	if err != nil {
		return err
	}
	b.report.Figures = append(b.report.Figures,
		unchangedFigure("unchanged rerun of an overwrite", "", n, same, ref, drain),
		unchangedFigure("unchanged rerun of an overwrite, after an unchanged run", "; the source hashed, not spooled", n, again, ref, drain))
	return nil
}

// unchangedFigure is the figure of an unchanged rerun against the binary
// COPY drain of its source (ref) and Kho's own postgres source (drain).
func unchangedFigure(name, extra string, n int64, run khoRun, ref, drain measure) Figure {
	detail := "committed a snapshot"
	nothing := changesOf(run.stdout).nothing
	if nothing {
		detail = "nothing committed"
	}
	return Figure{Name: name, Size: size(n) + " rows", Unit: "s",
		Kho: run.Seconds, KhoDetail: fmt.Sprintf("%d rows read, %s%s", run.Read, detail, extra),
		RefName: "COPY TO STDOUT binary (pgx)", Ref: ref.Seconds, Ratio: ratio(run.Seconds, ref.Seconds),
		RefDetail: fmt.Sprintf("cpu %.2f s; Kho's postgres source drained alone %.2f s, cpu %.2f s", ref.CPUSeconds, drain.Seconds, drain.CPUSeconds),
		Goal:      "nothing committed, <= 1x", Met: boolp(nothing && run.Seconds <= ref.Seconds),
		Note: fmt.Sprintf("cpu %.2f s; %.2fx Kho's own source drain", run.CPUSeconds, ratio(run.Seconds, drain.Seconds)),
		Raw:  map[string]any{"kho": run.measure, "kho_run_seconds": run.RunSeconds, "ref": ref, "kho_source_drain": drain}}
}
