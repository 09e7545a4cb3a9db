package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/warehouse/lake"
)

var timeNow = time.Now

func newStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Last run of every pipeline, its rows, its failure, and each dataset's freshness",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			a, err := openApp(cmd.Context(), cfg, false)
			if err != nil {
				return err
			}
			defer a.close()
			latest, err := a.history.Latest(cmd.Context())
			if err != nil {
				return err
			}
			last := map[string]int{}
			for i, r := range latest {
				last[r.Pipeline] = i
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "PIPELINE\tDATASET\tLAST RUN\tSTATUS\tREAD\tWRITTEN\tQUARANTINED\tROWS IN LAKE\tERROR")
			for _, p := range a.pipelines {
				rows := "-"
				if t, err := a.lake.Load(cmd.Context(), p.Target.Dataset); err == nil {
					rows = fmt.Sprint(lake.RowCount(t))
				}
				i, ok := last[p.Name]
				if !ok {
					fmt.Fprintf(tw, "%s\t%s\tnever\t-\t-\t-\t-\t%s\t\n", p.Name, p.Target.Dataset, rows)
					continue
				}
				r := latest[i]
				ago := timeNow().Sub(r.Started).Round(time.Second)
				fmt.Fprintf(tw, "%s\t%s\t%s (%s ago)\t%s\t%d\t%d\t%d\t%s\t%s\n", p.Name, p.Target.Dataset,
					r.Started.In(time.Local).Format("2006-01-02 15:04"), ago, r.Status, r.Read, r.Written, r.Quarantined, rows, short(r.Error, 80))
			}
			return tw.Flush()
		},
	}
}

func newRunsCmd(g *globals) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "runs NAME",
		Short: "The history of one pipeline's runs, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			a, err := openApp(cmd.Context(), cfg, false)
			if err != nil {
				return err
			}
			defer a.close()
			runs, err := a.history.Runs(cmd.Context(), args[0], limit)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tBY\tSTARTED\tSECONDS\tSTATUS\tREAD\tWRITTEN\tQUARANTINED\tSNAPSHOT\tERROR")
			for _, r := range runs {
				secs := "-"
				if !r.Finished.IsZero() {
					secs = fmt.Sprintf("%.2f", r.Finished.Sub(r.Started).Seconds())
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.TriggeredBy,
					r.Started.In(time.Local).Format("2006-01-02 15:04:05"), secs, r.Status, r.Read, r.Written, r.Quarantined, r.Snapshot, short(r.Error, 80))
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
