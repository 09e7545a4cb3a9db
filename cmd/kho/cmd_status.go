package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/iceberg-go/catalog"
	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/marts"
	"github.com/sonla-data/kho/warehouse/query"
)

var timeNow = time.Now

func newStatusCmd(g *globals) *cobra.Command {
	var period string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Last run of every pipeline, its rows and failure, freshness, and who has not reported this period",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			at := timeNow()
			if period != "" {
				t, err := time.Parse("2006-01", period)
				if err != nil {
					return usageError{fmt.Errorf("--period %q must be YYYY-MM", period)}
				}
				at = t.Add(12 * time.Hour)
			}
			a, err := openFor(cmd, g, true)
			if err != nil {
				return err
			}
			defer a.close()
			if err := a.writeStatus(cmd, at); err != nil {
				return err
			}
			a.writeWaitingMarts(cmd.OutOrStdout())
			a.writeBrokenTables(cmd.OutOrStdout())
			a.writeSlotLags(cmd.Context(), cmd.OutOrStdout())
			return a.writeCompleteness(cmd.OutOrStdout(), cmd, at)
		},
	}
	cmd.Flags().StringVar(&period, "period", "", "check reporting for the period containing this month (YYYY-MM) instead of the current one")
	return cmd
}

func (a *app) writeStatus(cmd *cobra.Command, now time.Time) error {
	ctx := cmd.Context()
	latest, err := a.history.Latest(ctx)
	if err != nil {
		return err
	}
	last := map[string]pipelines.Run{}
	for _, r := range latest {
		last[r.Pipeline] = r
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PIPELINE\tDATASET\tLAST RUN\tSTATUS\tREAD\tWRITTEN\tQUARANTINED\tROWS IN LAKE\tFRESHNESS\tERROR")
	for _, p := range a.pipelines {
		rows, fresh := "-", "-"
		t, err := a.lake.Load(ctx, p.Target.Dataset)
		if err != nil && !errors.Is(err, catalog.ErrNoSuchTable) {
			rows = "BROKEN"
		}
		if err == nil {
			rows = fmt.Sprint(lake.RowCount(t))
			// Fresh as of the last commit, or of the last successful run that
			// found nothing new (and so committed nothing).
			lc := pipelines.LastCommit(t, p.Name)
			if ok, found, err := a.history.LastOK(ctx, p.Name); err != nil {
				return err
			} else if found && ok.Finished.After(lc) {
				lc = ok.Finished
			}
			if !lc.IsZero() {
				age := timeNow().Sub(lc).Round(time.Minute)
				fresh = age.String() + " old"
				if p.Freshness > 0 && age > time.Duration(p.Freshness) {
					fresh = fmt.Sprintf("STALE (%s > %s)", age, p.Freshness)
				}
			}
		}
		r, ok := last[p.Name]
		if !ok {
			fmt.Fprintf(tw, "%s\t%s\tnever\t-\t-\t-\t-\t%s\t%s\t\n", p.Name, p.Target.Dataset, rows, fresh)
			continue
		}
		ago := timeNow().Sub(r.Started).Round(time.Second)
		fmt.Fprintf(tw, "%s\t%s\t%s (%s ago)\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n", p.Name, p.Target.Dataset,
			r.Started.In(hcmZone).Format("2006-01-02 15:04 -07"), ago, r.Status, r.Read, r.Written, r.Quarantined, rows, fresh, short(r.Error, 80))
	}
	return tw.Flush()
}

// writeBrokenTables lists the tables that cannot be read (their queries
// fail; the rest of the lake answers), with why and the way out.
func (a *app) writeBrokenTables(w io.Writer) {
	broken := a.engine.Broken()
	if len(broken) == 0 {
		return
	}
	names := make([]string, 0, len(broken))
	for n := range broken {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "\nBảng không đọc được / tables that cannot be read:")
	for _, n := range names {
		fmt.Fprintf(w, "  %s\n", broken[n])
	}
}

// writeWaitingMarts lists the marts that are not built because some of
// their inputs hold no data yet (a new lake, a pipeline that never ran).
func (a *app) writeWaitingMarts(w io.Writer) {
	waiting := marts.Waiting(a.engine, a.marts)
	if len(waiting) == 0 {
		return
	}
	fmt.Fprintln(w, "\nMart chờ dữ liệu đầu vào / marts waiting for their inputs:")
	for _, m := range a.marts {
		if in, ok := waiting[m.Name]; ok {
			fmt.Fprintf(w, "  marts.%s: %s not loaded yet\n", m.Name, strings.Join(in, ", "))
		}
	}
}

// writeCompleteness lists, for every pipeline that names who must report,
// who has not reported for the period containing at.
func (a *app) writeCompleteness(w io.Writer, cmd *cobra.Command, at time.Time) error {
	first := true
	for _, p := range a.pipelines {
		c := p.Completeness
		if c == nil {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nChưa báo cáo / not reported:")
			first = false
		}
		per := pipelines.PeriodOf(c.Period, at)
		ns, name, _ := strings.Cut(p.Target.Dataset, ".")
		if !contains(a.engine.Tables(), p.Target.Dataset) {
			fmt.Fprintf(w, "  %s (%s): no data yet\n", p.Name, per.Name)
			continue
		}
		expected, missing, err := c.Missing(cmd.Context(), a.engine.DB(), query.Ident(ns)+"."+query.Ident(name), query.Ident, per)
		if err != nil {
			return fmt.Errorf("pipeline %s: %w", p.Name, err)
		}
		if len(missing) == 0 {
			fmt.Fprintf(w, "  %s (%s): all %d reported\n", p.Name, per.Name, expected)
			continue
		}
		fmt.Fprintf(w, "  %s (%s): %d of %d have not reported: %s\n", p.Name, per.Name, len(missing), expected, pipelines.FormatReporters(missing, 8))
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func newRunsCmd(g *globals) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "runs NAME",
		Short: "The history of one pipeline's runs, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := openFor(cmd, g, false)
			if err != nil {
				return err
			}
			defer a.close()
			if _, ok := a.pipeline(args[0]); !ok {
				if err := a.explain(args[0]); err != nil {
					return usageError{err}
				}
				return usageError{fmt.Errorf("no pipeline %q", args[0])}
			}
			runs, err := a.history.Runs(cmd.Context(), args[0], limit)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tBY\tSTARTED\tSECONDS\tSTATUS\tREAD\tWRITTEN\tQUARANTINED\tINSERTED\tUPDATED\tDELETED\tUNCHANGED\tFILES+\tFILES-\tSNAPSHOT\tERROR")
			for _, r := range runs {
				secs := "-"
				if !r.Finished.IsZero() {
					secs = fmt.Sprintf("%.2f", r.Finished.Sub(r.Started).Seconds())
				}
				written := strconv.FormatInt(r.Written, 10)
				if r.Status == pipelines.StatusFailed {
					written = "not written"
				}
				snap := strconv.FormatInt(r.Snapshot, 10)
				if r.NothingCommitted {
					snap = "unchanged"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", r.ID, r.TriggeredBy,
					r.Started.In(hcmZone).Format("2006-01-02 15:04:05 -07"), secs, r.Status, r.Read, written, r.Quarantined,
					r.Inserted, r.Updated, r.Deleted, r.Unchanged, r.FilesAdded, r.FilesRemoved, snap, short(r.Error, 80))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many runs")
	return cmd
}

func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
