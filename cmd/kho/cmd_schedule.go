package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/lake"
)

func newScheduleCmd(g *globals) *cobra.Command {
	var (
		concurrent int
		grace      time.Duration
	)
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Run the pipelines on their schedules until stopped (SIGINT/SIGTERM finishes running commits)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openFor(cmd, g, false)
			if err != nil {
				return err
			}
			defer a.close()
			if a.cfg.pipelinesProblem != nil {
				return usageError{a.cfg.pipelinesProblem}
			}
			s := a.scheduler(concurrent)
			applyHeapLimit(a.cfg, s.MaxConcurrent, a.log)
			fmt.Fprintf(cmd.OutOrStdout(), "kho schedule: %d pipelines, at most %d runs at once; stop with Ctrl-C\n", len(a.pipelines), s.MaxConcurrent)
			ctx := cmd.Context()
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			select {
			case err := <-done:
				return err
			case <-ctx.Done():
			}
			// Stopping: give the runs in progress time to finish their commits.
			select {
			case err := <-done:
				return err
			case <-time.After(grace):
				return fmt.Errorf("runs still in progress after %s; stopping anyway (uncommitted runs redo their work next time)", grace)
			}
		},
	}
	cmd.Flags().IntVar(&concurrent, "concurrent", 0, "at most this many runs at once (default: scheduler.concurrent of kho.yaml)")
	cmd.Flags().DurationVar(&grace, "grace", 5*time.Minute, "on stop, how long to wait for runs in progress")
	return cmd
}

// scheduler wires the pipelines' scheduler; after each successful run it
// builds the marts that read the run's dataset. kho serve runs it too.
func (a *app) scheduler(concurrent int) *pipelines.Scheduler {
	if concurrent <= 0 {
		concurrent = a.cfg.Scheduler.Concurrent
	}
	return &pipelines.Scheduler{
		Runner: a.orchestrator().Runner, Pipelines: a.pipelines, MaxConcurrent: concurrent, Log: a.log,
		MaintenanceSchedule: a.cfg.Scheduler.Maintenance,
		Maintenance: func(ctx context.Context) error {
			tables, err := a.lake.Tables(ctx)
			if err != nil {
				return err
			}
			// One broken table does not stop the maintenance of the others.
			var errs []error
			for _, t := range tables {
				res, err := a.lake.Maintain(ctx, t, true, true)
				if err != nil {
					errs = append(errs, fmt.Errorf("maintaining %s: %w", t, err))
					continue
				}
				a.log.Info("lake maintenance", "table", t, "seconds", res.Took.Seconds())
			}
			var report bytes.Buffer
			if err := a.lakeCheck(ctx, &report, true, false, lake.DefaultOrphanGrace); err != nil {
				errs = append(errs, err)
			}
			a.log.Info("lake check", "report", report.String())
			return errors.Join(errs...)
		},
		After: func(ctx context.Context, p *pipelines.Pipeline, res *pipelines.Result, err error) {
			if err != nil || res == nil || res.Written+res.Quarantined == 0 {
				return
			}
			if berr := a.buildMartsFor(ctx, map[string]bool{p.Target.Dataset: true}, false, nil); berr != nil {
				a.log.Error("building marts after a scheduled run", "pipeline", p.Name, "error", berr)
			}
		},
	}
}
