package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/sampledata"
)

func newSampleDataCmd() *cobra.Command {
	var opt sampledata.Options
	cmd := &cobra.Command{
		Use:   "sample-data",
		Short: "Write a synthetic province: sector databases, CSV and XLSX drops, dossier records",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opt.Validate(); err != nil {
				return usageError{err}
			}
			start := time.Now()
			m, err := sampledata.Generate(cmd.Context(), opt)
			if err != nil {
				return err
			}
			var rows, bad int64
			for _, s := range m.Sources {
				for _, it := range s.Items {
					rows += int64(it.Rows)
					bad += int64(it.BadRows())
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "sample province written to %s: %d rows, %d planted bad rows, %.1fs\n",
				opt.Out, rows, bad, time.Since(start).Seconds())
			return nil
		},
	}
	cmd.Flags().StringVar(&opt.Out, "out", "kho-data/sample", "folder to write")
	cmd.Flags().IntVar(&opt.Scale, "scale", 1, "size: 1 for tests, 100 for millions of rows")
	cmd.Flags().Int64Var(&opt.Seed, "seed", 1, "random seed (the same seed writes the same files)")
	return cmd
}
