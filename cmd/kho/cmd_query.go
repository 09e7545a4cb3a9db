package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/warehouse/query"
)

func newQueryCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   `query "SQL"`,
		Short: "Run SQL over the current lake and the marts (tables are <domain>.<dataset>)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, ok := query.ParseFormat(format)
			if !ok {
				return usageError{fmt.Errorf("--format %q must be table, csv or json", format)}
			}
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			a, err := openApp(cmd.Context(), cfg, true)
			if err != nil {
				return err
			}
			defer a.close()
			rows, err := a.engine.DB().QueryContext(cmd.Context(), args[0])
			if err != nil {
				return errors.Join(errors.New("query failed"), err)
			}
			defer rows.Close()
			_, err = query.Write(cmd.OutOrStdout(), rows, f)
			return err
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table, csv or json")
	return cmd
}
