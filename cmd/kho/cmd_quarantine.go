package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/apache/iceberg-go/catalog"
	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/quality"
	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/warehouse/lake"
)

func newQuarantineCmd(g *globals) *cobra.Command {
	var runID, format, out string
	cmd := &cobra.Command{
		Use:   "quarantine DATASET [--run ID] [--format table|csv|json|records] [--out FILE]",
		Short: "Show or export a dataset's quarantined rows, with where they came from and why",
		Long: "Shows the rows of <dataset>__quarantine: source file and row, key, column, rule, raw value and\n" +
			"the reason in Vietnamese (and English in csv and json). --format records writes the rows as an\n" +
			"editable CSV of their source columns: fix the values, then `kho quarantine replay DATASET --file F`.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "table", "csv", "json", "records":
			default:
				return usageError{fmt.Errorf("--format %q must be table, csv, json or records", format)}
			}
			a, err := openFor(cmd, g, false)
			if err != nil {
				return err
			}
			defer a.close()
			if _, ok := a.schemas.Get(args[0]); !ok {
				return usageError{fmt.Errorf("no dataset %q (see kho schemas)", args[0])}
			}
			rows, err := quality.ReadQuarantine(cmd.Context(), a.lake, args[0], runID)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return fmt.Errorf("creating %s: %w", out, err)
				}
				defer f.Close()
				w = f
			}
			if err := writeQuarantine(w, rows, format); err != nil {
				return err
			}
			if out != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "%d quarantined rows of %s written to %s\n", len(rows), args[0], out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&runID, "run", "", "only the rows of this run")
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table, csv, json or records (editable, for replay)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to this file instead of the terminal")
	cmd.AddCommand(newReplayCmd(g))
	return cmd
}

func writeQuarantine(w io.Writer, rows []quality.Quarantined, format string) error {
	switch format {
	case "records":
		return quality.WriteRecords(w, rows)
	case "json":
		if rows == nil {
			rows = []quality.Quarantined{}
		}
		return writeJSON(w, rows)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"run_id", "pipeline", "source_file", "source_row", "record_key", "column_name", "rule", "raw_value", "reason_vi", "reason_en", "quarantined_at"})
		for _, q := range rows {
			cw.Write([]string{q.RunID, q.Pipeline, q.SourceFile, strconv.FormatInt(q.SourceRow, 10), q.RecordKey, q.Column, q.Rule, q.RawValue,
				q.ReasonVI, q.ReasonEN, q.QuarantinedAt.In(hcmZone).Format("2006-01-02T15:04:05-07:00")})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TỆP / FILE\tDÒNG / ROW\tKHÓA / KEY\tCỘT / COLUMN\tQUY TẮC / RULE\tGIÁ TRỊ / VALUE\tLÝ DO / REASON")
	for _, q := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", q.SourceFile, q.SourceRow, q.RecordKey, q.Column, q.Rule, clip(q.RawValue, 40), q.ReasonVI)
	}
	fmt.Fprintf(tw, "(%d rows)\n", len(rows))
	return tw.Flush()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func newReplayCmd(g *globals) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "replay DATASET --file FIXED.csv",
		Short: "Run fixed quarantined rows through the conform step again and merge those that pass into the dataset",
		Long: "FIXED.csv is what `kho quarantine DATASET --format records` wrote, with values corrected. Rows that\n" +
			"pass are merged into the dataset by its key and leave the quarantine; rows that fail again stay\n" +
			"in it with their new reason. Fix the source as well: the next full run of an overwriting pipeline\n" +
			"reads it again. Exits 1 when some rows still fail.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if file == "" {
				return usageError{errors.New("--file FIXED.csv is required")}
			}
			a, err := openFor(cmd, g, false)
			if err != nil {
				return err
			}
			defer a.close()
			ds, ok := a.schemas.Get(args[0])
			if !ok {
				return usageError{fmt.Errorf("no dataset %q (see kho schemas)", args[0])}
			}
			f, err := os.Open(file)
			if err != nil {
				return usageError{fmt.Errorf("opening %s: %w", file, err)}
			}
			defer f.Close()
			rp := &quality.Replayer{Lake: a.lake, Units: units.MustLoad(), SpoolDir: a.cfg.DataDir, RunID: pipelines.NewRunID(timeNow()),
				Pipelines: map[string]quality.ReplayPipeline{}}
			for _, p := range a.pipelines {
				if p.Target.Dataset == ds.Name {
					rp.Pipelines[p.Name] = quality.ReplayPipeline{Mapping: p.Mapping, Numbers: p.NumberFormats()}
				}
			}
			res, err := rp.Replay(cmd.Context(), ds, file, f)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "replay %s of %s: %d rows read, %d merged into %s, %d still failing\n", res.RunID, file, res.Rows, res.Written, ds.Name, len(res.StillBad))
			for _, b := range res.StillBad {
				fmt.Fprintf(out, "  %s row %d (%s): %s\n", b.File, b.Row, b.Key, b.ReasonVI)
			}
			if len(res.StillBad) > 0 {
				return fmt.Errorf("%d replayed rows still fail: fix them and replay again", len(res.StillBad))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "the fixed records (CSV)")
	return cmd
}

func newQualityCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "quality RUN_ID|PIPELINE",
		Short: "The quality report of a run (or of a pipeline's last commit): rules checked, rows failed per rule, warnings, repairs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" && format != "line" {
				return usageError{fmt.Errorf("--format %q must be table, line or json", format)}
			}
			a, err := openFor(cmd, g, false)
			if err != nil {
				return err
			}
			defer a.close()
			r, err := a.qualityReport(cmd, args[0])
			if err != nil {
				return err
			}
			switch format {
			case "json":
				return writeJSON(cmd.OutOrStdout(), r)
			case "line":
				_, err := fmt.Fprintln(cmd.OutOrStdout(), r.Line())
				return err
			}
			return r.Write(cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table, line or json")
	return cmd
}

// qualityReport finds the snapshot a run (by id) or a pipeline (its last
// commit) wrote, and reads the quality stored in its summary.
func (a *app) qualityReport(cmd *cobra.Command, arg string) (*quality.Report, error) {
	ctx := cmd.Context()
	var datasets []string
	pipeline := ""
	if p, ok := a.pipeline(arg); ok {
		datasets, pipeline = []string{p.Target.Dataset}, p.Name
	} else {
		seen := map[string]bool{}
		for _, p := range a.pipelines {
			if !seen[p.Target.Dataset] {
				seen[p.Target.Dataset] = true
				datasets = append(datasets, p.Target.Dataset)
			}
		}
	}
	for _, name := range datasets {
		t, err := a.lake.Load(ctx, name)
		if errors.Is(err, catalog.ErrNoSuchTable) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var sum map[string]string
		if pipeline != "" {
			sum = lake.LastSummary(t, pipeline)
		} else {
			for _, s := range t.Metadata().Snapshots() {
				if s.Summary != nil && s.Summary.Properties[lake.SumRunID] == arg {
					sum = s.Summary.Properties
				}
			}
		}
		if sum == nil {
			continue
		}
		ds, ok := a.schemas.Get(name)
		if !ok {
			return nil, fmt.Errorf("no schema for %s", name)
		}
		n := func(k string) int64 { v, _ := strconv.ParseInt(sum[k], 10, 64); return v }
		if sum[quality.SummaryKey] == "" {
			return nil, fmt.Errorf("run %s of %s was committed before quality reports were kept: see kho quarantine %s --run %s",
				sum[lake.SumRunID], sum[lake.SumPipeline], name, sum[lake.SumRunID])
		}
		st, checks, err := quality.Decode(sum[quality.SummaryKey], n(lake.SumRead), n(lake.SumWritten), n(lake.SumQuarantined))
		if err != nil {
			return nil, err
		}
		r := quality.New(ds, st)
		r.RunID, r.Pipeline, r.DatasetChecks = sum[lake.SumRunID], sum[lake.SumPipeline], checks
		return r, nil
	}
	if pipeline != "" {
		return nil, fmt.Errorf("pipeline %s has committed nothing yet: run it first (kho run %s)", pipeline, pipeline)
	}
	return nil, usageError{fmt.Errorf("%q is neither a pipeline nor the id of a committed run (see kho runs NAME)", arg)}
}
