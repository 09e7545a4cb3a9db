package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newLakeRelocateCmd is `kho lake relocate`: the explicit form of what
// opening a copied lake does by itself when the catalog was copied with the
// root (the default SQLite catalog). A shared catalog (PostgreSQL) is
// relocated only when asked, after it was copied for the new root.
func newLakeRelocateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "relocate",
		Short: "Point every table at its files under lake.root (after the lake and its catalog were copied or moved)",
		Long: "Opening a lake whose catalog records another root rewrites every table's locations to the new root\n" +
			"(a new metadata version per table; data files are not rewritten). With the default SQLite catalog,\n" +
			"which lives under the root, any `kho` command does it. A PostgreSQL catalog is shared: after copying\n" +
			"the database for the copied lake (CREATE DATABASE ... TEMPLATE, or pg_dump | psql) and pointing\n" +
			"lake.catalog.dsn at it, run this once. See docs/operations.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			cfg.Lake.Relocate = true
			a, err := openApp(cmd.Context(), cfg, false)
			if err != nil {
				return err
			}
			defer a.close()
			if r := a.lake.Relocated(); r != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "relocated %d table(s) from %s to %s\n", r.Tables, r.From, r.To)
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "the lake is at %s already: nothing to do\n", a.lake.Root())
			return nil
		},
	}
}
