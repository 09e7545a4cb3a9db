package pipelines_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/warehouse/lake"
)

// probe is a test source kind: it counts opens, can fail transiently the
// first N times (connection refused), can give a bad row, and can be slow.
type probe struct {
	mu        sync.Mutex
	opens     map[string]int
	running   map[string]int
	maxSelf   map[string]int // most concurrent runs of one pipeline
	active    int
	maxActive int
}

type probeConfig struct {
	Name      string        `yaml:"name"`
	FailFirst int           `yaml:"fail_first"`
	BadRow    bool          `yaml:"bad_row"`
	Sleep     time.Duration `yaml:"sleep"`
	probe     *probe
}

func (c *probeConfig) Validate() error { return nil }

func (c *probeConfig) Open(ctx context.Context, env connectors.Env) (connectors.Source, error) {
	p := c.probe
	p.mu.Lock()
	p.opens[c.Name]++
	n := p.opens[c.Name]
	p.mu.Unlock()
	if n <= c.FailFirst {
		return nil, fmt.Errorf("connecting to the test source: %w", syscall.ECONNREFUSED)
	}
	p.mu.Lock()
	p.running[c.Name]++
	p.maxSelf[c.Name] = max(p.maxSelf[c.Name], p.running[c.Name])
	p.active++
	p.maxActive = max(p.maxActive, p.active)
	p.mu.Unlock()
	return &probeSource{c: c, b: connectors.NewTextBatcher(env.Allocator(), []string{"id", "commune", "n"})}, nil
}

type probeSource struct {
	c    *probeConfig
	b    *connectors.TextBatcher
	done bool
}

func (s *probeSource) Schema() *arrow.Schema { return s.b.Schema() }

func (s *probeSource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.done {
		return nil, io.EOF
	}
	s.done = true
	select {
	case <-time.After(s.c.Sleep):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	n := "1"
	if s.c.BadRow {
		n = "not a number"
	}
	s.b.AppendStrings([]string{"k-" + s.c.Name, "03646", n}, "probe", 1)
	return s.b.Flush(), nil
}

func (s *probeSource) Close() error {
	p := s.c.probe
	p.mu.Lock()
	p.running[s.c.Name]--
	p.active--
	p.mu.Unlock()
	s.b.Release()
	return nil
}

func TestScheduler(t *testing.T) {
	dir := t.TempDir()
	pr := &probe{opens: map[string]int{}, running: map[string]int{}, maxSelf: map[string]int{}}
	reg := connectors.NewRegistry()
	reg.Register(connectors.Spec{Name: "probe", NewConfig: func() connectors.Config { return &probeConfig{probe: pr} }})
	l, err := lake.Open(t.Context(), lake.Config{Root: filepath.Join(dir, "lake")})
	require.NoError(t, err)
	defer l.Close()
	set, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	// One dataset per pipeline, so that the tables' single-writer locks do not
	// serialise the runs and the concurrency bound is the scheduler's.
	for _, name := range []string{"steady", "flaky", "dirty", "slow", "late"} {
		ds, err := schemas.Parse("t.yaml", []byte(`
dataset: labour.sched_`+name+`
label: Thử
owner: Sở Nội vụ
classification: open
key: [id]
columns:
  - {name: id, label: Mã, type: string, required: true}
  - {name: commune, label: Xã, type: admin_unit}
  - {name: n, label: Số, type: int}
`))
		require.NoError(t, err)
		set.Add(ds)
	}
	h, err := pipelines.OpenHistory(t.Context(), filepath.Join(dir, "runs.db"))
	require.NoError(t, err)
	defer h.Close()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	runner := &pipelines.Runner{Lake: l, Schemas: set, Units: units.MustLoad(), History: h, Alloc: alloc, SpoolDir: dir}

	loader := pipelines.Loader{Registry: reg, BaseDir: dir}
	mk := func(name, source, extra string) *pipelines.Pipeline {
		text := fmt.Sprintf("name: %s\nschedule: \"@every 1s\"\nsource:\n  type: probe\n  name: %s\n%s\ntarget:\n  dataset: labour.sched_%s\n  mode: merge\non_error: fail\n%s", name, name, source, name, extra)
		p, err := loader.Parse(name+".yaml", []byte(text))
		require.NoError(t, err)
		require.NoError(t, pipelines.Validate(p, set, nil))
		return p
	}
	ps := []*pipelines.Pipeline{
		mk("steady", "", ""),
		mk("flaky", "  fail_first: 2", "retries: 3\n"),
		mk("dirty", "  bad_row: true", "retries: 3\n"),
		mk("slow", "  sleep: 2500ms", ""),
	}
	// A pipeline whose last run was hours ago on an hourly schedule: it missed
	// several ticks while the scheduler was down and must run once at start.
	late := mk("late", "", "")
	late.Schedule = "0 * * * *"
	ps = append(ps, late)
	require.NoError(t, h.Save(t.Context(), pipelines.Run{ID: "old", Pipeline: "late", Dataset: "labour.sched_late",
		TriggeredBy: "schedule", Started: time.Now().Add(-3*time.Hour - 5*time.Minute), Finished: time.Now().Add(-3 * time.Hour), Status: pipelines.StatusOK}))

	var backoffs []int
	var bmu sync.Mutex
	s := &pipelines.Scheduler{Runner: runner, Pipelines: ps, MaxConcurrent: 2,
		Backoff: func(n int) time.Duration {
			bmu.Lock()
			backoffs = append(backoffs, n)
			bmu.Unlock()
			return time.Duration(n) * 100 * time.Millisecond
		}}
	// Maintenance on its own schedule, slower than its interval: it runs
	// again and again but never twice at once.
	var maint, maintNow, maintMax atomic.Int64
	s.MaintenanceSchedule = "@every 1s"
	s.Maintenance = func(ctx context.Context) error {
		maint.Add(1)
		n := maintNow.Add(1)
		defer maintNow.Add(-1)
		for {
			m := maintMax.Load()
			if n <= m || maintMax.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(1500 * time.Millisecond)
		return nil
	}
	var afterCalls atomic.Int64
	s.After = func(context.Context, *pipelines.Pipeline, *pipelines.Result, error) { afterCalls.Add(1) }
	ctx, cancel := context.WithTimeout(t.Context(), 6500*time.Millisecond)
	defer cancel()
	require.NoError(t, s.Run(ctx))

	assert.GreaterOrEqual(t, maint.Load(), int64(2), "maintenance ran on its schedule")
	assert.EqualValues(t, 1, maintMax.Load(), "maintenance never overlaps itself")

	pr.mu.Lock()
	defer pr.mu.Unlock()
	assert.Equal(t, 1, pr.maxSelf["slow"], "a pipeline never overlaps itself")
	assert.LessOrEqual(t, pr.maxActive, 2, "at most MaxConcurrent runs at once")
	assert.GreaterOrEqual(t, pr.opens["steady"], 3, "a 1s schedule ran several times in 6s")

	runs := func(name string) []pipelines.Run {
		rs, err := h.Runs(context.Background(), name, 100)
		require.NoError(t, err)
		return rs
	}
	// flaky: the first two attempts were refused, the third one (after a
	// backoff each time) succeeded; all three are in the history.
	flaky := runs("flaky")
	require.GreaterOrEqual(t, len(flaky), 3)
	oldest := flaky[len(flaky)-3:]
	assert.Equal(t, pipelines.StatusOK, oldest[0].Status)
	assert.Equal(t, pipelines.StatusFailed, oldest[1].Status)
	assert.Equal(t, pipelines.StatusFailed, oldest[2].Status)
	assert.Contains(t, oldest[2].Error, "connection refused")
	assert.GreaterOrEqual(t, oldest[1].Started.Sub(oldest[2].Started), 100*time.Millisecond, "backoff before the first retry")
	assert.GreaterOrEqual(t, oldest[0].Started.Sub(oldest[1].Started), 200*time.Millisecond, "longer backoff before the second")
	assert.Contains(t, backoffs, 2)

	// No two runs of slow overlapped in time (not even one waiting on the
	// table's lock while the other ran).
	slow := runs("slow")
	require.GreaterOrEqual(t, len(slow), 2)
	for i := 0; i+1 < len(slow); i++ {
		assert.False(t, slow[i].Started.Before(slow[i+1].Finished), "run %s started before %s finished", slow[i].ID, slow[i+1].ID)
	}

	// dirty fails on data: every tick is one attempt, never retried.
	dirty := runs("dirty")
	require.NotEmpty(t, dirty)
	if last := dirty[0]; strings.Contains(last.Error, context.DeadlineExceeded.Error()) || strings.Contains(last.Error, context.Canceled.Error()) {
		// the newest run was cut by the scheduler's stop (the test's
		// deadline), possibly before it opened its source: not a retry
		dirty = dirty[1:]
		if pr.opens["dirty"] > len(dirty) {
			pr.opens["dirty"]--
		}
	}
	for _, r := range dirty {
		assert.Equal(t, pipelines.StatusFailed, r.Status)
		assert.Contains(t, r.Error, "on_error: fail")
	}
	assert.Equal(t, len(dirty), pr.opens["dirty"], "one open per run: no retry of a data error")
	assert.LessOrEqual(t, len(dirty), 7, "one run per tick at most")

	// late ran once at start for its missed ticks (not three times), then
	// waited for its next hourly tick.
	late2 := runs("late")
	assert.Len(t, late2, 2, "the old run and one catch-up run")
	assert.Equal(t, "schedule", late2[0].TriggeredBy)
	assert.EqualValues(t, afterCalls.Load(), int64(len(runs("steady"))+len(flaky)+len(dirty)+len(runs("slow"))+1))
}
