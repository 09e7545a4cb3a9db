package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/quality"
	"github.com/sonla-data/kho/warehouse/marts"
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
			todo, err := a.selectPipelines(names, all)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			r := a.runner()
			prog := newProgress(cmd.ErrOrStderr(), a.log)
			r.Hooks.Progress = prog.update
			if crashAt != "" {
				r.Hooks.At = func(pipeline, point string) {
					if pipeline+":"+point == crashAt {
						_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
					}
				}
			}
			opt.TriggeredBy = "cli"
			var failed []string
			touched := map[string]bool{}
			for _, p := range todo {
				res, err := r.Run(cmd.Context(), p, opt)
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
				if err != nil {
					failed = append(failed, p.Name)
					continue
				}
				touched[p.Target.Dataset] = true
			}
			if !noMarts && !opt.DryRun {
				if err := a.buildMarts(cmd, touched, all); err != nil {
					return err
				}
			}
			if len(failed) > 0 {
				return fmt.Errorf("%d pipeline(s) failed: %s", len(failed), strings.Join(failed, ", "))
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
// depends on.
func (a *app) selectPipelines(names []string, all bool) ([]*pipelines.Pipeline, error) {
	want := map[string]bool{}
	for _, n := range names {
		if _, ok := a.pipeline(n); !ok {
			known := make([]string, len(a.pipelines))
			for i, p := range a.pipelines {
				known[i] = p.Name
			}
			sort.Strings(known)
			return nil, usageError{fmt.Errorf("no pipeline %q (have: %s)", n, strings.Join(known, ", "))}
		}
		want[n] = true
	}
	var (
		out   []*pipelines.Pipeline
		done  = map[string]bool{}
		stack []string
		visit func(p *pipelines.Pipeline) error
	)
	visit = func(p *pipelines.Pipeline) error {
		if done[p.Name] {
			return nil
		}
		if slices.Contains(stack, p.Name) {
			return usageError{fmt.Errorf("pipelines depend on each other in a cycle: %s -> %s", strings.Join(stack, " -> "), p.Name)}
		}
		stack = append(stack, p.Name)
		for _, d := range p.DependsOn {
			if dep, ok := a.pipeline(d); ok && (all || want[d]) {
				if err := visit(dep); err != nil {
					return err
				}
			}
		}
		stack = stack[:len(stack)-1]
		done[p.Name] = true
		out = append(out, p)
		return nil
	}
	for _, p := range a.pipelines {
		if all || want[p.Name] {
			if err := visit(p); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// buildMarts builds the marts that read a touched dataset (or a mart built
// before them), or every mart when all is set, printing a line per mart.
func (a *app) buildMarts(cmd *cobra.Command, touched map[string]bool, all bool) error {
	return a.buildMartsFor(cmd.Context(), touched, all, cmd.OutOrStdout())
}

// buildMartsFor is buildMarts for any caller; out may be nil.
func (a *app) buildMartsFor(ctx context.Context, touched map[string]bool, all bool, out io.Writer) error {
	order, err := marts.Order(a.marts)
	if err != nil {
		return err
	}
	var names []string
	for _, m := range order {
		need := all
		for _, d := range m.DependsOn {
			need = need || touched[d]
		}
		if need {
			names = append(names, m.Name)
			touched[m.Table()] = true
		}
	}
	if len(names) == 0 {
		return nil
	}
	if err := a.startEngine(ctx); err != nil {
		return err
	}
	b := &marts.Builder{Lake: a.lake, Engine: a.engine, Marts: a.marts, Log: a.log, RunID: pipelines.NewRunID(timeNow())}
	results, err := b.Build(ctx, names...)
	if out != nil {
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
	return err
}
