package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/schemas/dictionary"
)

func newSchemasCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "schemas [DATASET]",
		Short: "List the conformed datasets: domain, label, classification, owner, columns, personal data",
		Long: "Without an argument, one line per dataset. With a dataset name, its columns with their types,\n" +
			"rules and personal-data tags.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return usageError{fmt.Errorf("--format %q must be table or json", format)}
			}
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			set, _, _, err := loadDefinitions(cfg)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			list := set.All()
			if len(args) == 1 {
				ds, ok := set.Get(args[0])
				if !ok {
					return usageError{fmt.Errorf("no dataset %q (see kho schemas)", args[0])}
				}
				if format == "json" {
					return writeJSON(out, datasetJSON(ds, true))
				}
				return writeColumns(cmd, ds)
			}
			if format == "json" {
				var all []map[string]any
				for _, ds := range list {
					all = append(all, datasetJSON(ds, false))
				}
				return writeJSON(out, all)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "DATASET\tDOMAIN\tLABEL\tCLASSIFICATION\tOWNER\tCOLUMNS\tPII")
			for _, ds := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", ds.Name, ds.Namespace(), ds.Label, ds.Classification, ds.Owner,
					len(ds.Columns), strings.Join(piiColumns(ds), ", "))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	return cmd
}

func piiColumns(ds *schemas.Dataset) []string {
	var out []string
	for _, c := range ds.Columns {
		if c.PII != "" {
			out = append(out, c.Name+"("+c.PII+")")
		}
	}
	return out
}

func writeColumns(cmd *cobra.Command, ds *schemas.Dataset) error {
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "%s — %s / %s\nowner: %s, classification: %s, key: %s\n\n", ds.Name, ds.Label, ds.LabelEN, ds.Owner,
		ds.Classification, strings.Join(ds.Key, ", "))
	rules := map[string][]string{}
	for _, r := range ds.Rules() {
		if r.Column != "" && !strings.Contains(r.Column, ",") {
			s := r.Rule
			if r.Text != "" && r.Rule != "required" {
				s += " " + r.Text
			}
			if r.Severity == schemas.SeverityWarn {
				s += " (warn)"
			}
			rules[r.Column] = append(rules[r.Column], s)
		}
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COLUMN\tLABEL\tLABEL_EN\tTYPE\tRULES\tPII")
	for _, c := range ds.Columns {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.Label, c.LabelEN, c.Type, strings.Join(rules[c.Name], "; "), c.PII)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, ck := range ds.Checks {
		fmt.Fprintf(out, "check %s (%s): %s\n", ck.Name, ck.Severity, ck.Assert)
	}
	for _, dc := range ds.DatasetChecks {
		fmt.Fprintf(out, "dataset check %s (%s, %s)\n", dc.Name, dc.Type, dc.Severity)
	}
	return nil
}

func datasetJSON(ds *schemas.Dataset, columns bool) map[string]any {
	m := map[string]any{"dataset": ds.Name, "domain": ds.Namespace(), "label": ds.Label, "label_en": ds.LabelEN,
		"classification": ds.Classification, "owner": ds.Owner, "key": ds.Key, "columns": len(ds.Columns), "pii": piiColumns(ds)}
	if columns {
		var cols []map[string]any
		for _, c := range ds.Columns {
			cols = append(cols, map[string]any{"name": c.Name, "label": c.Label, "label_en": c.LabelEN, "type": c.Type, "pii": c.PII})
		}
		m["columns"] = cols
		m["rules"] = ds.Rules()
	}
	return m
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newDocsCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "docs --out DIR",
		Short: "Write the data dictionary: an index.html and one page per dataset (labels, classification, owner, columns, rules, PII, pipelines)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageError{fmt.Errorf("--out DIR is required")}
			}
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			set, ps, ms, err := loadDefinitions(cfg)
			if err != nil {
				return err
			}
			feeds := map[string][]dictionary.Feed{}
			for _, p := range ps {
				feeds[p.Target.Dataset] = append(feeds[p.Target.Dataset], dictionary.Feed{Name: p.Name, Description: p.Description,
					Source: p.SourceType, Schedule: p.Schedule, Mode: p.Target.Mode})
			}
			readers := map[string][]string{}
			for _, m := range ms {
				for _, d := range m.DependsOn {
					readers[d] = append(readers[d], m.Table())
				}
			}
			if err := dictionary.Write(out, set, feeds, readers); err != nil {
				return err
			}
			abs, _ := filepath.Abs(filepath.Join(out, "index.html"))
			fmt.Fprintf(cmd.OutOrStdout(), "data dictionary of %d datasets written: %s\n", len(set.All()), abs)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder to write the pages into")
	return cmd
}
