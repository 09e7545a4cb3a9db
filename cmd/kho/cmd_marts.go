package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/warehouse/marts"
)

func newMartsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "marts", Short: "Build, test and list the leadership marts (sql/marts)"}
	cmd.AddCommand(&cobra.Command{
		Use:   "build [NAME...]",
		Short: "Build the named marts (all when none), in dependency order, and test them",
		RunE: func(cmd *cobra.Command, names []string) error {
			a, err := openFor(cmd, g, true)
			if err != nil {
				return err
			}
			defer a.close()
			if len(names) == 0 {
				return a.buildMarts(cmd, map[string]bool{}, true)
			}
			b := &marts.Builder{Lake: a.lake, Engine: a.engine, Marts: a.marts, Log: a.log}
			_, err = b.Build(cmd.Context(), names...)
			return err
		},
	}, &cobra.Command{
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
			var failures []string
			for _, m := range a.marts {
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
	}, &cobra.Command{
		Use:   "lineage",
		Short: "Print which tables each mart reads",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			_, _, ms, err := loadDefinitions(cfg)
			if err != nil {
				return err
			}
			order, err := marts.Order(ms)
			if err != nil {
				return err
			}
			for _, m := range order {
				fmt.Fprintf(cmd.OutOrStdout(), "%s <- %s\n", m.Table(), strings.Join(m.DependsOn, ", "))
			}
			return nil
		},
	})
	return cmd
}

func openFor(cmd *cobra.Command, g *globals, engine bool) (*app, error) {
	cfg, err := loadConfig(g.configPath)
	if err != nil {
		return nil, err
	}
	return openApp(cmd.Context(), cfg, engine)
}
