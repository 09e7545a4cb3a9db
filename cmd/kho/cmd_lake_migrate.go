package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/lake"
)

// newLakeMigrateCmd is `kho lake migrate DATASET`: the table takes the
// dataset's schema (changed column types) and its merge pipeline's key.
func newLakeMigrateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate DATASET",
		Short: "Rewrite a table into its dataset's changed column types and key, in one commit (old snapshots stay readable)",
		Long: "When a dataset's schema changes a column's type, or its merge pipeline changes the key, runs refuse\n" +
			"the table and name this command. It reads every row of the current snapshot through the conform step\n" +
			"of the new schema and writes them with the new types in one commit; rows that cannot convert, lack\n" +
			"the new key or repeat it go to the dataset's quarantine with the reason. Time travel still reads\n" +
			"the snapshots before it with their old columns.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := openFor(cmd, g, false)
			if err != nil {
				return err
			}
			defer a.close()
			name := args[0]
			ds, ok := a.schemas.Get(name)
			if !ok {
				return usageError{fmt.Errorf("no dataset %s (schemas/<domain>/<name>.yaml)", name)}
			}
			if _, err := a.lakeTable(cmd, name); err != nil {
				return err
			}
			key, err := a.mergeKey(name)
			if err != nil {
				return err
			}
			res, err := a.runner().Migrate(cmd.Context(), ds, key)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if res.Nothing {
				fmt.Fprintf(out, "%s: the table has the dataset's column types and key: nothing to migrate\n", name)
				return nil
			}
			for _, c := range res.Types {
				fmt.Fprintf(out, "     column %s: %s -> %s\n", c.Column, c.From, c.To)
			}
			if !equalKeys(res.KeyFrom, res.KeyTo) {
				fmt.Fprintf(out, "     key: (%s) -> (%s)\n", strings.Join(res.KeyFrom, ", "), strings.Join(res.KeyTo, ", "))
			}
			fmt.Fprintf(out, "ok   migrated %s: read %d  written %d  quarantined %d  snapshot %d\n",
				name, res.Read, res.Written, res.Quarantined, res.Snapshot)
			if res.Quarantined > 0 {
				fmt.Fprintf(out, "     the rows that could not convert: kho quarantine %s\n", name)
			}
			return nil
		},
	}
}

func equalKeys(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// mergeKey is the key of the merge pipelines that write a dataset (nil when
// none merges into it); pipelines that disagree are an error.
func (a *app) mergeKey(dataset string) ([]string, error) {
	var key []string
	var by string
	for _, p := range a.pipelines {
		if p.Target.Dataset != dataset || p.Target.Mode != lake.Merge {
			continue
		}
		if key != nil && !equalKeys(key, p.Target.Key) {
			return nil, fmt.Errorf("pipelines %s and %s merge into %s by different keys (%s) and (%s)",
				by, p.Name, dataset, strings.Join(key, ", "), strings.Join(p.Target.Key, ", "))
		}
		key, by = p.Target.Key, p.Name
	}
	return key, nil
}

// newLakeDropCmd is `kho lake drop DATASET`: the table, its quarantine and
// their files go, and with them the pipelines' incremental state (it lives
// in the snapshots): the next run loads the dataset anew.
func newLakeDropCmd(g *globals) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "drop DATASET",
		Short: "Delete a table and its quarantine, with their files and every snapshot (asks to type the name, or --yes)",
		Long: "Drops the dataset's table and its __quarantine from the catalog and deletes their folders. Their\n" +
			"snapshots, and so the incremental state and fingerprints of the pipelines that wrote them, are gone:\n" +
			"the next run of those pipelines reads the source whole. This cannot be undone except from a backup\n" +
			"(`kho lake backup`).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := openFor(cmd, g, false)
			if err != nil {
				return err
			}
			defer a.close()
			name := args[0]
			if strings.HasSuffix(name, pipelines.QuarantineSuffix) {
				return usageError{fmt.Errorf("%s is a quarantine table: drop its dataset %s", name, strings.TrimSuffix(name, pipelines.QuarantineSuffix))}
			}
			if _, err := a.lakeTable(cmd, name); err != nil {
				return err
			}
			tables := []string{name}
			if ok, err := a.lake.Exists(cmd.Context(), name+pipelines.QuarantineSuffix); err != nil {
				return err
			} else if ok {
				tables = append(tables, name+pipelines.QuarantineSuffix)
			}
			out := cmd.OutOrStdout()
			if !yes {
				fmt.Fprintf(out, "This deletes %s, their files and every snapshot. Type the dataset's name to confirm: ", strings.Join(tables, " and "))
				line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if strings.TrimSpace(line) != name {
					return usageError{fmt.Errorf("not confirmed: %s was not dropped (type its name, or give --yes)", name)}
				}
			}
			for _, t := range tables {
				unlock, err := a.lake.Lock(cmd.Context(), t)
				if err != nil {
					return err
				}
				dir, err := a.lake.Purge(cmd.Context(), t)
				unlock()
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "dropped %s (deleted %s)\n", t, dir)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for the name")
	return cmd
}
