package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/warehouse/query"
)

func newQueryCmd(g *globals) *cobra.Command {
	var format, asOf string
	cmd := &cobra.Command{
		Use:   `query "SQL"`,
		Short: "Run SQL over the current lake and the marts (tables are <domain>.<dataset>)",
		Long: "Runs SQL over the lake and the marts: tables are <domain>.<dataset> (health.visits,\n" +
			"marts.dossier_kpi_monthly). --as-of reads every table as it was at a snapshot id or a time\n" +
			"(2025-07-01, \"2025-07-01 08:30\", Asia/Ho_Chi_Minh). Inside SQL, <table>__snapshot_<id> and\n" +
			"<table>__asof_<yyyymmdd>[_<hhmm>] name one table in the past (health.visits__asof_20250701).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, ok := query.ParseFormat(format)
			if !ok {
				return usageError{fmt.Errorf("--format %q must be table, csv or json", format)}
			}
			at, err := query.ParseAsOf(asOf)
			if err != nil {
				return usageError{fmt.Errorf("--as-of: %w", err)}
			}
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			a, err := openApp(cmd.Context(), cfg, at.IsZero())
			if err != nil {
				return err
			}
			defer a.close()
			if !at.IsZero() {
				if a.engine, err = query.Open(cmd.Context(), a.lake, a.engineOptions(at)); err != nil {
					return fmt.Errorf("--as-of %s: %w", asOf, err)
				}
			}
			rows, err := a.engine.QueryContext(cmd.Context(), args[0])
			if err != nil {
				return errors.Join(errors.New("query failed"), err)
			}
			defer rows.Close()
			_, err = query.Write(cmd.OutOrStdout(), rows, f)
			return err
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table, csv or json")
	cmd.Flags().StringVar(&asOf, "as-of", "", "read the lake as it was at a snapshot id or a time (2025-07-01 08:30)")
	return cmd
}
