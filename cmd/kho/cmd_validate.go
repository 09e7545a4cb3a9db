package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/pipelines"
)

func newValidateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the config, the pipelines, the schemas and the marts; every problem with file:line",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			set, ps, ms, err := loadDefinitions(cfg)
			if err != nil {
				return err
			}
			for _, o := range cfg.overrides {
				fmt.Fprintf(cmd.OutOrStdout(), "note: %s\n", o)
			}
			for _, p := range ps {
				for _, w := range pipelines.Warnings(p, set) {
					fmt.Fprintf(cmd.OutOrStdout(), "warning: %s\n", w)
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %d schemas, %d pipelines, %d marts\n", len(set.All()), len(ps), len(ms))
			return nil
		},
	}
}
