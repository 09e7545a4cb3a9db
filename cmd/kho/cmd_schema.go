package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
)

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema pipeline",
		Short: "Print the JSON Schema of pipeline files (kho schema pipeline > pipeline.schema.json)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "pipeline" {
				return usageError{fmt.Errorf("unknown schema %q (have: pipeline)", args[0])}
			}
			b, err := pipelines.JSONSchema(connectors.Default)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return err
		},
	}
}
