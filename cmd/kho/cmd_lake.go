package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/apache/iceberg-go/catalog"
	"github.com/robfig/cron/v3"
	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/query"
)

func newLakeCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lake",
		Short: "The Iceberg lake: tables, snapshots, rollback, compaction, expiry",
		Long: "Every write to the lake is an Iceberg snapshot. `kho lake snapshots` lists a table's, `kho query\n" +
			"--as-of` and the <table>__snapshot_<id> / <table>__asof_<yyyymmdd> names read the past,\n" +
			"`kho lake rollback` makes an earlier snapshot current again. `kho lake maintain` compacts small\n" +
			"files and expires snapshots older than lake.retention (keeping lake.min_snapshots), under each\n" +
			"table's single-writer lock; schedule it (e.g. nightly).",
	}
	var format string
	snapshots := &cobra.Command{
		Use:   "snapshots DATASET",
		Short: "List a table's snapshots: id, time, operation, run, pipeline, rows added/removed, total",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, ok := query.ParseFormat(format)
			if !ok {
				return usageError{fmt.Errorf("--format %q must be table, csv or json", format)}
			}
			a, err := openFor(cmd, g, true)
			if err != nil {
				return err
			}
			defer a.close()
			if _, err := a.lakeTable(cmd, args[0]); err != nil {
				return err
			}
			rows, err := a.engine.QueryContext(cmd.Context(), `SELECT snapshot_id, committed_at, operation, kho_operation, run_id, pipeline,
				added_rows, deleted_rows, total_rows, total_files,
				CASE WHEN is_current THEN 'current' WHEN in_history THEN 'history' ELSE 'rolled back' END AS state
				FROM kho.snapshots WHERE dataset = ? ORDER BY committed_at, snapshot_id`, args[0])
			if err != nil {
				return err
			}
			defer rows.Close()
			_, err = query.Write(cmd.OutOrStdout(), rows, f)
			return err
		},
	}
	snapshots.Flags().StringVarP(&format, "format", "f", "table", "table, csv or json")
	tables := &cobra.Command{
		Use:   "tables",
		Short: "List the datasets and tables of the lake (kho.tables): owner, rows, files, delete share, last write",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openFor(cmd, g, true)
			if err != nil {
				return err
			}
			defer a.close()
			// delete_share: the share of the data files' rows that position
			// deletes remove (kho lake compact folds them past 0.3 a file),
			// unrounded: 3 deleted rows of 9,857 are not a share of 0
			rows, err := a.engine.QueryContext(cmd.Context(), `SELECT dataset, kind, owner, classification, "rows", data_files,
				delete_files, deleted_rows, deleted_rows / nullif("rows" + deleted_rows, 0) AS delete_share,
				snapshots, last_write_at, last_pipeline FROM kho.tables ORDER BY dataset`)
			if err != nil {
				return err
			}
			defer rows.Close()
			_, err = query.Write(cmd.OutOrStdout(), rows, query.Table)
			return err
		},
	}
	rollback := &cobra.Command{
		Use:   "rollback DATASET SNAPSHOT",
		Short: "Make an earlier snapshot the table's current one (a new metadata version; nothing is deleted)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[1], 10, 64)
			if err != nil {
				return usageError{fmt.Errorf("snapshot %q: must be a snapshot id (see `kho lake snapshots %s`)", args[1], args[0])}
			}
			a, err := openFor(cmd, g, false)
			if err != nil {
				return err
			}
			defer a.close()
			if _, err := a.lakeTable(cmd, args[0]); err != nil {
				return err
			}
			unlock, err := a.lake.Lock(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer unlock()
			t, err := a.lake.Load(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			from := t.CurrentSnapshot()
			if err := lake.CheckSnapshot(t, id); err != nil {
				return usageError{err}
			}
			nt, err := a.lake.Rollback(cmd.Context(), t, id)
			if err != nil {
				return err
			}
			fromID := int64(0)
			if from != nil {
				fromID = from.SnapshotID
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: current snapshot %d -> %d (%d rows); `kho lake rollback %s %d` undoes it\n",
				args[0], fromID, id, lake.RowCount(nt), args[0], fromID)
			return nil
		},
	}
	maintain := func(use, short string, compact, expire bool) *cobra.Command {
		return &cobra.Command{
			Use:   use + " [DATASET...]",
			Short: short,
			RunE: func(cmd *cobra.Command, names []string) error {
				a, err := openFor(cmd, g, false)
				if err != nil {
					return err
				}
				defer a.close()
				err = a.maintain(cmd, names, compact, expire)
				if compact && expire && len(names) == 0 {
					// The nightly maintenance ends with the check: orphans,
					// dead runs and uncommitted quarantine are repaired;
					// broken tables are named with their way out.
					if cerr := a.lakeCheck(cmd.Context(), cmd.OutOrStdout(), true, false, lake.DefaultOrphanGrace); cerr != nil && err == nil {
						err = cerr
					}
				}
				return err
			},
		}
	}
	cmd.AddCommand(snapshots, tables, rollback, newLakeRelocateCmd(g), newLakeCheckCmd(g), newLakeBackupCmd(g), newLakeRestoreCmd(g),
		newLakeMigrateCmd(g), newLakeDropCmd(g),
		maintain("compact", "Rewrite small data files into larger ones (all tables when none is named)", true, false),
		maintain("expire", "Expire snapshots older than lake.retention, keeping lake.min_snapshots and every pipeline's state", false, true),
		maintain("maintain", "Compact, then expire, then check (repairing orphans, dead runs, uncommitted quarantine): the scheduled maintenance", true, true),
	)
	return cmd
}

// lakeTable checks that a table exists; an unknown name is a usage error.
func (a *app) lakeTable(cmd *cobra.Command, name string) (string, error) {
	ok, err := a.lake.Exists(cmd.Context(), name)
	if err != nil && !errors.Is(err, catalog.ErrNoSuchTable) {
		if _, ierr := lake.Ident(name); ierr != nil {
			return "", usageError{ierr}
		}
		return "", err
	}
	if !ok {
		return "", usageError{fmt.Errorf("no table %s in the lake (see `kho lake tables`)", name)}
	}
	return name, nil
}

// maintain compacts and/or expires the named tables (every table when none
// is named), each under its lock, printing a line per table.
func (a *app) maintain(cmd *cobra.Command, names []string, compact, expire bool) error {
	ctx := cmd.Context()
	if len(names) == 0 {
		all, err := a.lake.Tables(ctx)
		if err != nil {
			return err
		}
		names = all
	}
	for _, n := range names {
		if _, err := a.lakeTable(cmd, n); err != nil {
			return err
		}
	}
	out := cmd.OutOrStdout()
	var failed []string
	for _, n := range names {
		res, err := a.lake.Maintain(ctx, n, compact, expire)
		if err != nil {
			fmt.Fprintf(out, "FAIL %-44s %v\n", n, err)
			failed = append(failed, n)
			continue
		}
		line := fmt.Sprintf("ok   %-44s", n)
		if compact {
			line += fmt.Sprintf("  files %4d -> %-4d", res.Compact.FilesBefore, res.Compact.FilesAfter)
		}
		if expire {
			line += fmt.Sprintf("  snapshots %4d, expired %-4d", res.Expire.Before, len(res.Expire.Expired))
		}
		fmt.Fprintf(out, "%s %6.2fs\n", line, res.Took.Seconds())
	}
	if len(failed) > 0 {
		return fmt.Errorf("maintenance failed for %d table(s): %v", len(failed), failed)
	}
	return nil
}

// engineOptions are the query engine's options: the config's, the point in
// time to read (zero: now), and the declared datasets for kho.tables.
func (a *app) engineOptions(at query.AsOf) query.Options {
	return query.Options{
		MemoryLimit: a.cfg.Query.MemoryLimit, Threads: a.cfg.Query.Threads,
		TempDir: filepath.Join(a.cfg.DataDir, "duckdb-tmp"), AsOf: at, Datasets: a.datasetInfos(),
	}
}

// datasetInfos are the declared datasets with their owner, classification
// and freshness expectation: twice the shortest schedule interval of the
// pipelines that write them (at least an hour), none without a schedule.
func (a *app) datasetInfos() []query.DatasetInfo {
	if a.schemas == nil {
		return nil
	}
	interval := map[string]time.Duration{}
	for _, p := range a.pipelines {
		d := scheduleInterval(p.Schedule)
		if d == 0 {
			continue
		}
		if cur, ok := interval[p.Target.Dataset]; !ok || d < cur {
			interval[p.Target.Dataset] = d
		}
	}
	var out []query.DatasetInfo
	for _, d := range a.schemas.All() {
		info := query.DatasetInfo{Name: d.Name, Label: d.Label, Owner: d.Owner, Classification: d.Classification}
		if iv := interval[d.Name]; iv > 0 {
			info.FreshWithin = max(2*iv, time.Hour)
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(x, y query.DatasetInfo) int {
		if x.Name < y.Name {
			return -1
		}
		if x.Name > y.Name {
			return 1
		}
		return 0
	})
	return out
}

// scheduleInterval is the time between two firings of a cron schedule (0
// when there is none or it does not parse).
func scheduleInterval(spec string) time.Duration {
	if spec == "" {
		return 0
	}
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return 0
	}
	first := s.Next(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	return s.Next(first).Sub(first)
}
