// Package orchestrate is the one owner of a run of Kho: pipelines in
// dependency order, then the marts that read what they changed. `kho run`,
// the scheduler (`kho schedule`, `kho serve`), the tests' warehouses and,
// through the CLI, bench all run through it.
package orchestrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/marts"
	"github.com/sonla-data/kho/warehouse/query"
)

// ErrSelect is wrapped by the errors of Select: an unknown pipeline name, or
// pipelines that depend on each other in a cycle.
var ErrSelect = errors.New("selecting pipelines")

type selectError struct{ msg string }

func (e *selectError) Error() string { return e.msg }
func (e *selectError) Unwrap() error { return ErrSelect }

// Select returns the named pipelines of ps (every one when all is set), each
// after those it depends on (dependencies outside the selection are not
// added), in the order of ps otherwise.
func Select(ps []*pipelines.Pipeline, names []string, all bool) ([]*pipelines.Pipeline, error) {
	byName := map[string]*pipelines.Pipeline{}
	for _, p := range ps {
		byName[p.Name] = p
	}
	want := map[string]bool{}
	for _, n := range names {
		if _, ok := byName[n]; !ok {
			known := make([]string, len(ps))
			for i, p := range ps {
				known[i] = p.Name
			}
			sort.Strings(known)
			return nil, &selectError{fmt.Sprintf("no pipeline %q (have: %s)", n, strings.Join(known, ", "))}
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
			return &selectError{fmt.Sprintf("pipelines depend on each other in a cycle: %s -> %s", strings.Join(stack, " -> "), p.Name)}
		}
		stack = append(stack, p.Name)
		for _, d := range p.DependsOn {
			if dep, ok := byName[d]; ok && (all || want[d]) {
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
	for _, p := range ps {
		if all || want[p.Name] {
			if err := visit(p); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Orchestrator runs pipelines and builds the marts after them.
type Orchestrator struct {
	Runner *pipelines.Runner
	Lake   *lake.Lake
	Marts  []*marts.Mart
	// Engine returns the query engine the marts are built with, opened or
	// refreshed to the lake's current snapshots; called only when a mart is
	// to be built.
	Engine func(ctx context.Context) (*query.Engine, error)
	Log    *slog.Logger
	Now    func() time.Time // default time.Now
	// OnRun, when set, is called after each pipeline's run (res is nil when
	// the run could not start).
	OnRun func(p *pipelines.Pipeline, res *pipelines.Result, err error)

	mu sync.Mutex // one marts build at a time
}

// Options tune a Run.
type Options struct {
	pipelines.RunOptions
	// NoMarts builds no mart (a dry run builds none either).
	NoMarts bool
	// AllMarts builds every mart, not only those that read what the runs
	// touched.
	AllMarts bool
}

// Outcome is what a Run did.
type Outcome struct {
	Results []*pipelines.Result // one per pipeline run, nil for a run that could not start
	Failed  []string            // the pipelines whose run failed, in order
	Marts   []marts.Result
}

// Run runs ps in the order given (see Select), each once, then builds the
// marts that read a dataset a successful run touched (or every mart with
// AllMarts). A failed run does not stop the others; the error is the marts'
// (a failed test is a *marts.TestError) — the failed runs are in Outcome.
func (o *Orchestrator) Run(ctx context.Context, ps []*pipelines.Pipeline, opt Options) (*Outcome, error) {
	out := &Outcome{}
	touched := map[string]bool{}
	for _, p := range ps {
		res, err := o.Runner.Run(ctx, p, opt.RunOptions)
		out.Results = append(out.Results, res)
		if o.OnRun != nil {
			o.OnRun(p, res, err)
		}
		if err != nil {
			out.Failed = append(out.Failed, p.Name)
			continue
		}
		touched[p.Target.Dataset] = true
	}
	if opt.NoMarts || opt.DryRun {
		return out, nil
	}
	var err error
	out.Marts, err = o.BuildMarts(ctx, touched, opt.AllMarts)
	return out, err
}

// BuildMarts builds the marts that read a touched dataset (or a mart built
// before them, in dependency order), or every mart when all is set; touched
// gains the tables of the marts built. One build at a time.
func (o *Orchestrator) BuildMarts(ctx context.Context, touched map[string]bool, all bool) ([]marts.Result, error) {
	order, err := marts.Order(o.Marts)
	if err != nil {
		return nil, err
	}
	if touched == nil {
		touched = map[string]bool{}
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
		return nil, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	e, err := o.Engine(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	b := &marts.Builder{Lake: o.Lake, Engine: e, Marts: o.Marts, Log: o.Log, RunID: pipelines.NewRunID(now())}
	return b.Build(ctx, names...)
}
