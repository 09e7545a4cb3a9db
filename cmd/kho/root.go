package main

import (
	"github.com/spf13/cobra"
)

// globals are the flags every command shares.
type globals struct {
	configPath string
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "kho",
		Short: "Kho — the data warehouse of Sơn La province",
		Long: "Kho runs the province's pipelines (YAML) from sector databases, file drops and dossier records\n" +
			"into an Iceberg lake, conforms every row to the province's schemas, builds the leadership marts\n" +
			"and answers SQL over them.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.configPath, "config", "", "config file (default: ./kho.yaml when present, else built-in defaults)")
	root.AddCommand(
		newInitCmd(g),
		newSampleDataCmd(),
		newValidateCmd(g),
		newRunCmd(g),
		newQueryCmd(g),
		newStatusCmd(g),
		newRunsCmd(g),
		newMartsCmd(g),
		newLakeCmd(g),
		newSummaryCmd(g),
		newScheduleCmd(g),
		newSchemaCmd(),
		newSourceCmd(g),
		newServeCmd(g), newTokenCmd(g), newAuditCmd(g),
		newSchemasCmd(g), newDocsCmd(g), newQuarantineCmd(g), newQualityCmd(g),
	)
	return root
}
