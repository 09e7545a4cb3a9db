package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/pipelines/orchestrate"
	"github.com/sonla-data/kho/quality"
	"github.com/sonla-data/kho/warehouse/marts"
	"github.com/sonla-data/kho/warehouse/query"
)

func newRunCmd(g *globals) *cobra.Command {
	var (
		all, noMarts bool
		opt          pipelines.RunOptions
	)
	// crashAt lets the crash tests kill the process at a named point of a run
	// ("pipeline:point", e.g. "health_visits:quarantine_committed").
	crashAt := os.Getenv("KHO_TEST_CRASH_AT")
	cmd := &cobra.Command{
		Use:   "run [NAME...]",
		Short: "Run pipelines once, then the marts that read their datasets",
		Long: "Runs the named pipelines (or every one with --all) in dependency order, printing a line per\n" +
			"target: rows read, written, quarantined and seconds. Then builds and tests the marts that read\n" +
			"what changed. Exits non-zero when a run or a mart test failed.",
		RunE: func(cmd *cobra.Command, names []string) error {
			if len(names) == 0 && !all {
				return usageError{errors.New("name the pipelines to run, or give --all")}
			}
			if opt.Recreate && (!opt.FullRefresh || all) {
				return usageError{errors.New("--recreate drops the named pipelines' tables: give it with --full-refresh and the pipelines' names (not --all)")}
			}
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			a, err := openApp(cmd.Context(), cfg, false)
			if err != nil {
				return err
			}
			defer a.close()
			applyHeapLimit(cfg, 1, a.log)
			todo, err := a.selectPipelines(names, all)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			o := a.orchestrator()
			r := o.Runner
			prog := newProgress(cmd.ErrOrStderr(), a.log)
			r.Hooks.Progress = prog.update
			if crashAt != "" {
				r.Hooks.At = func(pipeline, point string) {
					if pipeline+":"+point == crashAt {
						_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
					}
				}
			}
			o.OnRun = func(p *pipelines.Pipeline, res *pipelines.Result, err error) {
				prog.finish()
				printRun(out, p.Name, res, err)
				if res != nil && res.Read > 0 {
					if ds, ok := a.schemas.Get(p.Target.Dataset); ok {
						rep := quality.New(ds, res.Quality)
						fmt.Fprintf(out, "     %s\n", rep.Line())
						for _, f := range rep.PII {
							a.log.Warn("a column not tagged as personal data holds personal data", "pipeline", p.Name,
								"dataset", ds.Name, "column", f.Column, "kind", f.Kind)
						}
					}
				}
			}
			opt.TriggeredBy = "cli"
			res, err := o.Run(cmd.Context(), todo, orchestrate.Options{RunOptions: opt, NoMarts: noMarts, AllMarts: all})
			printMarts(out, res.Marts)
			if err != nil {
				return err
			}
			if len(res.Failed) > 0 {
				return fmt.Errorf("%d pipeline(s) failed: %s", len(res.Failed), strings.Join(res.Failed, ", "))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "run every pipeline")
	cmd.Flags().BoolVar(&opt.FullRefresh, "full-refresh", false, "ignore the incremental state and read every source whole")
	cmd.Flags().BoolVar(&opt.Recreate, "recreate", false, "with --full-refresh: drop each named pipeline's table (its files and snapshots) and load it anew, taking a changed column type or key")
	cmd.Flags().BoolVar(&opt.AllowEmpty, "allow-empty", false, "let a source with no rows empty an overwritten table")
	cmd.Flags().BoolVar(&noMarts, "no-marts", false, "do not build the marts afterwards")
	cmd.Flags().BoolVar(&opt.DryRun, "dry-run", false, "extract and conform, print what would be written, commit nothing")
	return cmd
}

func printRun(out io.Writer, name string, res *pipelines.Result, err error) {
	if res == nil {
		fmt.Fprintf(out, "FAIL %-34s %v\n", name, err)
		return
	}
	status := "ok  "
	switch {
	case err != nil:
		status = "FAIL"
	case res.DryRun:
		status = "dry "
	}
	if err != nil && !res.DryRun {
		fmt.Fprintf(out, "%s %-34s -> %-38s read %8d  not written %4d  quarantined %6d  %6.2fs\n",
			status, name, res.Dataset, res.Read, res.NotWritten, res.Quarantined, res.Duration.Seconds())
	} else {
		fmt.Fprintf(out, "%s %-34s -> %-38s read %8d  written %8d  quarantined %6d  %6.2fs\n",
			status, name, res.Dataset, res.Read, res.Written, res.Quarantined, res.Duration.Seconds())
	}
	if err == nil && !res.DryRun {
		fmt.Fprintf(out, "     %s\n", changesLine(res.Run))
	}
	for _, d := range res.Drift {
		fmt.Fprintf(out, "     schema drift: %s\n", d)
	}
	if res.DryRun && err == nil {
		fmt.Fprintf(out, "     would write %d rows (%s) and quarantine %d\n", res.Written, res.Mode, res.Quarantined)
		for _, b := range res.SampleBad {
			fmt.Fprintf(out, "     bad: %s row %d column %s (%s): %s\n", b.File, b.Row, b.Column, b.Rule, b.ReasonVI)
		}
	}
	if err != nil {
		fmt.Fprintf(out, "     %v\n", err)
	}
}

// changesLine says what a run did to its table: "unchanged" when it
// committed nothing, else the rows inserted, updated, deleted and left
// unchanged, and the files added and removed.
func changesLine(r pipelines.Run) string {
	if r.NothingCommitted {
		return fmt.Sprintf("unchanged: nothing committed (%d rows as they were)", r.Unchanged)
	}
	return fmt.Sprintf("changes: %d inserted, %d updated, %d deleted, %d unchanged; files +%d -%d",
		r.Inserted, r.Updated, r.Deleted, r.Unchanged, r.FilesAdded, r.FilesRemoved)
}

// selectPipelines returns the named pipelines (or all), each after those it
// depends on; an unknown name or a cycle is a usage error.
func (a *app) selectPipelines(names []string, all bool) ([]*pipelines.Pipeline, error) {
	if a.cfg.pipelinesProblem != nil {
		return nil, usageError{a.cfg.pipelinesProblem}
	}
	for _, n := range names {
		if _, ok := a.pipeline(n); !ok {
			if err := a.broken.explain(n); err != nil {
				return nil, usageError{err}
			}
		}
	}
	if all && len(a.pipelines) == 0 && len(a.broken.files) == 0 && a.cfg.PipelinesDir != "" {
		return nil, usageError{fmt.Errorf("no pipeline to run: the folder %s (pipelines_dir) holds no pipeline file (*.yaml); `kho init` writes a project with examples", absPath(a.cfg.PipelinesDir))}
	}
	ps, err := orchestrate.Select(a.pipelines, names, all)
	if errors.Is(err, orchestrate.ErrSelect) {
		return nil, usageError{err}
	}
	return ps, err
}

// orchestrator is the app's one orchestrator of runs and marts builds (the
// scheduler's runs share it: one marts build at a time).
func (a *app) orchestrator() *orchestrate.Orchestrator {
	if a.orch == nil {
		a.orch = &orchestrate.Orchestrator{Runner: a.runner(), Lake: a.lake, Marts: a.marts, Log: a.log, Now: timeNow,
			Engine: func(ctx context.Context) (*query.Engine, error) {
				if err := a.startEngine(ctx); err != nil {
					return nil, err
				}
				return a.engine, nil
			}}
	}
	return a.orch
}

// buildMartsFor builds the marts that read a touched dataset (or a mart
// built before them), or every mart when all is set, printing a line per
// mart to out (which may be nil).
func (a *app) buildMartsFor(ctx context.Context, touched map[string]bool, all bool, out io.Writer) error {
	results, err := a.orchestrator().BuildMarts(ctx, touched, all)
	if out != nil {
		printMarts(out, results)
	}
	return err
}

// printMarts prints a line per mart built, tested or waiting.
func printMarts(out io.Writer, results []marts.Result) {
	for _, r := range results {
		if len(r.Waiting) > 0 {
			fmt.Fprintf(out, "wait mart %-29s -> %-38s not built: %s not loaded yet\n", r.Mart, "marts."+r.Mart, strings.Join(r.Waiting, ", "))
			continue
		}
		status := "ok  "
		if len(r.Failures) > 0 {
			status = "FAIL"
		}
		fmt.Fprintf(out, "%s mart %-29s -> %-38s rows %8d  tests failed %d  %6.2fs\n",
			status, r.Mart, "marts."+r.Mart, r.Rows, len(r.Failures), r.Duration.Seconds())
	}
}
