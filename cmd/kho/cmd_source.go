package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/configs"
	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
)

// checker is the optional connection test of a source config.
type checker interface {
	Check(ctx context.Context, env connectors.Env) error
}

func newSourceCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "source",
		Short: "The connector kinds, and connection tests of the pipelines' sources",
	}
	cmd.AddCommand(newSourceListCmd(), newSourceTestCmd(g), newSourceDropSlotCmd(g))
	return cmd
}

func newSourceListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the connector kinds (source.type of a pipeline)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, name := range connectors.Default.Names() {
				spec, _ := connectors.Default.Lookup(name)
				fmt.Fprintf(cmd.OutOrStdout(), "%-12s %s\n", name, spec.Summary)
			}
			return nil
		},
	}
}

func newSourceTestCmd(g *globals) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "test NAME...",
		Short: "Test the sources of pipelines: connect (or open) and describe, reading no row",
		Long: "For each named pipeline, validates its source block and runs the connector's connection test\n" +
			"(databases: connect with the configured retries, describe the table or query, check the\n" +
			"incremental column); a connector without one is opened and closed. Prints ok or the error per\n" +
			"pipeline; exits 1 when a test failed, 2 when a pipeline is unknown or does not load.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, names []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			ps, loadErr := loadPipelineFiles(cfg)
			byName := map[string]*pipelines.Pipeline{}
			for _, p := range ps {
				byName[p.Name] = p
			}
			for _, name := range names {
				if _, ok := byName[name]; !ok {
					if loadErr != nil {
						return usageError{fmt.Errorf("no pipeline %q loaded: %w", name, loadErr)}
					}
					known := make([]string, 0, len(byName))
					for n := range byName {
						known = append(known, n)
					}
					sort.Strings(known)
					return usageError{fmt.Errorf("no pipeline %q (have: %s)", name, strings.Join(known, ", "))}
				}
			}
			log := newLogger(cfg)
			out := cmd.OutOrStdout()
			var failed []string
			for _, name := range names {
				p := byName[name]
				ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
				what, err := testSource(ctx, p, connectors.Env{BaseDir: p.Dir, Logger: log.With("pipeline", p.Name), Pipeline: p.Name})
				cancel()
				if err != nil {
					failed = append(failed, name)
					fmt.Fprintf(out, "FAIL %-34s %-8s %v\n", name, p.SourceType, err)
					continue
				}
				fmt.Fprintf(out, "ok   %-34s %-8s %s\n", name, p.SourceType, what)
			}
			if len(failed) > 0 {
				return fmt.Errorf("%d source test(s) failed: %s", len(failed), strings.Join(failed, ", "))
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 2*time.Minute, "bound on each pipeline's test, retries included")
	return cmd
}

// loadPipelineFiles reads the pipelines of the config (its folder, or the
// built-in ones) without checking them against the schemas: a source can be
// tested before its dataset is right. Pipelines that parsed are returned with
// the problems of the others.
func loadPipelineFiles(cfg *Config) ([]*pipelines.Pipeline, error) {
	loader := pipelines.Loader{Registry: connectors.Default, BaseDir: cfg.BaseDir}
	if cfg.pipelinesProblem != nil {
		return nil, usageError{cfg.pipelinesProblem}
	}
	if cfg.PipelinesDir != "" {
		return loader.LoadDir(cfg.PipelinesDir)
	}
	sub, err := fs.Sub(configs.Pipelines, "pipelines")
	if err != nil {
		return nil, err
	}
	return loader.LoadFS(sub, "configs/pipelines")
}

// testSource validates the pipeline's source config and runs its connection
// test, or opens and closes the source when the connector has none. It says
// what it did.
func testSource(ctx context.Context, p *pipelines.Pipeline, env connectors.Env) (string, error) {
	if p.SourceConfig == nil {
		return "", errors.New("the pipeline has no source")
	}
	if err := p.SourceConfig.Validate(); err != nil {
		return "", fmt.Errorf("%s: %w", p.File, err)
	}
	if c, ok := p.SourceConfig.(checker); ok {
		if err := c.Check(ctx, env); err != nil {
			return "", err
		}
		return "connection test passed", nil
	}
	src, err := p.SourceConfig.Open(ctx, env)
	if err != nil {
		return "", err
	}
	n := 0
	for _, f := range src.Schema().Fields() {
		if !strings.HasPrefix(f.Name, "_kho_") {
			n++
		}
	}
	if err := src.Close(); err != nil {
		return "", err
	}
	return fmt.Sprintf("opened, %d columns", n), nil
}
