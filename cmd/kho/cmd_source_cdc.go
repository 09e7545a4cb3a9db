package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
)

// slotOwner is a source config that reads a change log through a
// replication slot (postgres, incremental mode cdc).
type slotOwner interface {
	CapturesChanges() bool
	SlotName(pipeline string) string
	DropSlot(ctx context.Context, env connectors.Env, publication bool) ([]string, error)
	SlotLag(ctx context.Context, env connectors.Env) (int64, bool, error)
}

// slotLagWarning is the write-ahead log a slot may keep before kho status
// warns.
const slotLagWarning = 1 << 30

func newSourceDropSlotCmd(g *globals) *cobra.Command {
	var publication bool
	cmd := &cobra.Command{
		Use:   "drop-slot NAME...",
		Short: "Drop the replication slot of change-data-capture pipelines (incremental mode cdc)",
		Long: "A replication slot keeps the source server's write-ahead log until Kho reads it: a pipeline that\n" +
			"is stopped or removed must have its slot dropped, or the server's disk fills. Drops the slot\n" +
			"(and, with --publication, the publication) of each named pipeline. The pipeline's next run\n" +
			"takes a new snapshot of its table.",
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
			log := newLogger(cfg)
			out := cmd.OutOrStdout()
			for _, name := range names {
				p, ok := byName[name]
				if !ok {
					if loadErr != nil {
						return usageError{fmt.Errorf("no pipeline %q loaded: %w", name, loadErr)}
					}
					return usageError{fmt.Errorf("no pipeline %q", name)}
				}
				so, ok := p.SourceConfig.(slotOwner)
				if !ok || !so.CapturesChanges() {
					return usageError{fmt.Errorf("pipeline %s does not read a change log (source.incremental.mode cdc)", name)}
				}
				if err := p.SourceConfig.Validate(); err != nil {
					return fmt.Errorf("%s: %w", p.File, err)
				}
				dropped, err := so.DropSlot(cmd.Context(), connectors.Env{BaseDir: p.Dir, Logger: log, Pipeline: p.Name}, publication)
				if err != nil {
					return fmt.Errorf("pipeline %s: %w", name, err)
				}
				if len(dropped) == 0 {
					fmt.Fprintf(out, "%s: nothing to drop (no slot %s)\n", name, so.SlotName(p.Name))
					continue
				}
				fmt.Fprintf(out, "%s: dropped %s\n", name, strings.Join(dropped, ", "))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&publication, "publication", false, "drop the pipeline's publication too")
	return cmd
}

// writeSlotLags warns of the change-data-capture pipelines whose slot keeps
// more than slotLagWarning of the source's write-ahead log (a stopped
// pipeline, or runs that fail). Each source gets a few seconds; one that
// does not answer is said so.
func (a *app) writeSlotLags(ctx context.Context, w io.Writer) {
	header := false
	say := func(format string, args ...any) {
		if !header {
			fmt.Fprintln(w, "\nNhật ký WAL bị giữ lại / write-ahead log kept by replication slots:")
			header = true
		}
		fmt.Fprintf(w, "  "+format+"\n", args...)
	}
	for _, p := range a.pipelines {
		so, ok := p.SourceConfig.(slotOwner)
		if !ok || !so.CapturesChanges() || p.SourceConfig.Validate() != nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		lag, exists, err := so.SlotLag(cctx, connectors.Env{BaseDir: p.Dir, Pipeline: p.Name})
		cancel()
		switch {
		case err != nil:
			say("%s: slot %s not checked: %s", p.Name, so.SlotName(p.Name), short(pipelines.RedactError(err, nil).Error(), 100))
		case exists && lag > slotLagWarning:
			say("%s: slot %s keeps %.1f GiB of the source's write-ahead log: run the pipeline, or drop the slot (kho source drop-slot %s)",
				p.Name, so.SlotName(p.Name), float64(lag)/(1<<30), p.Name)
		}
	}
}
