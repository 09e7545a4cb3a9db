package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/marts"
)

func newMartsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "marts", Short: "Build, test and trace the leadership marts (sql/marts)"}
	var force bool
	build := &cobra.Command{
		Use:   "build [NAME...]",
		Short: "Build the named marts (all when none) in dependency order, and test them",
		Long: "Builds each mart whose inputs changed since its last build (the input snapshots are recorded\n" +
			"in the mart's snapshot summary), or every one with --force, in dependency order, then runs\n" +
			"every mart's tests. Exits 1 when a test failed.",
		RunE: func(cmd *cobra.Command, names []string) error {
			a, err := openFor(cmd, g, true)
			if err != nil {
				return err
			}
			defer a.close()
			known := map[string]bool{}
			for _, m := range a.marts {
				known[m.Name] = true
			}
			for _, n := range names {
				if !known[n] {
					return usageError{fmt.Errorf("no mart %q (see `kho marts lineage`)", n)}
				}
			}
			b := &marts.Builder{Lake: a.lake, Engine: a.engine, Marts: a.marts, Log: a.log, RunID: pipelines.NewRunID(timeNow()), Force: force}
			results, err := b.Build(cmd.Context(), names...)
			for _, r := range results {
				if len(r.Waiting) > 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "wait mart %-32s not built: %s not loaded yet\n", "marts."+r.Mart, strings.Join(r.Waiting, ", "))
					continue
				}
				status := "ok  "
				switch {
				case len(r.Failures) > 0:
					status = "FAIL"
				case r.Skipped:
					status = "same"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s mart %-32s rows %8d  tests failed %d  %6.2fs\n",
					status, "marts."+r.Mart, r.Rows, len(r.Failures), r.Duration.Seconds())
			}
			return err
		},
	}
	build.Flags().BoolVar(&force, "force", false, "rebuild every mart named, changed inputs or not")
	var format string
	lineage := &cobra.Command{
		Use:   "lineage",
		Short: "Draw the marts' lineage from the pipelines and source tables (text or Mermaid)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "mermaid" {
				return usageError{fmt.Errorf("--format %q must be text or mermaid", format)}
			}
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			_, ps, ms, err := loadDefinitions(cfg)
			if err != nil {
				return err
			}
			feeds := map[string][]string{}
			for _, p := range ps {
				feeds[p.Target.Dataset] = append(feeds[p.Target.Dataset], p.Name)
			}
			l, err := marts.BuildLineage(ms, feeds)
			if err != nil {
				return err
			}
			if format == "mermaid" {
				return l.WriteMermaid(cmd.OutOrStdout())
			}
			return l.WriteText(cmd.OutOrStdout())
		},
	}
	lineage.Flags().StringVarP(&format, "format", "f", "text", "text or mermaid")
	cmd.AddCommand(build, &cobra.Command{
		Use:   "test",
		Short: "Run every mart's tests against the lake as it is",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openFor(cmd, g, true)
			if err != nil {
				return err
			}
			defer a.close()
			b := &marts.Builder{Lake: a.lake, Engine: a.engine, Marts: a.marts}
			order, err := marts.Order(a.marts)
			if err != nil {
				return err
			}
			var failures []string
			for _, m := range order {
				f, err := b.Test(cmd.Context(), m)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%-34s %d tests, %d failed\n", m.Name, len(m.Tests), len(f))
				failures = append(failures, f...)
			}
			if len(failures) > 0 {
				return &marts.TestError{Failures: failures}
			}
			return nil
		},
	}, lineage)
	return cmd
}

func openFor(cmd *cobra.Command, g *globals, engine bool) (*app, error) {
	cfg, err := loadConfig(g.configPath)
	if err != nil {
		return nil, err
	}
	return openApp(cmd.Context(), cfg, engine)
}
