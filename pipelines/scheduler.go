package pipelines

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Scheduler runs pipelines on their cron schedules, in Asia/Ho_Chi_Minh:
//   - a pipeline never overlaps itself (a tick while it runs is skipped);
//   - at most MaxConcurrent runs at once;
//   - a transient failure (IsTransient) is retried with exponential backoff,
//     up to the pipeline's retries; a data error is never retried;
//   - runs missed while the scheduler was down run once at start, not once
//     per missed tick;
//   - on shutdown no new run starts, and running ones finish their commit.
type Scheduler struct {
	Runner    *Runner
	Pipelines []*Pipeline
	// MaxConcurrent bounds the runs at once (default 2).
	MaxConcurrent int
	// Retries is the default number of retries of a transient failure (3).
	Retries int
	// Backoff is the wait before retry n (1-based); default 30s·2^(n-1), at
	// most 10 minutes.
	Backoff func(n int) time.Duration
	// After is called after every run (marts can be built there).
	After func(ctx context.Context, p *Pipeline, res *Result, err error)
	// Maintenance, when set with MaintenanceSchedule, runs on that schedule
	// (the lake's compaction and snapshot expiry), never overlapping itself.
	Maintenance         func(ctx context.Context) error
	MaintenanceSchedule string
	Log                 *slog.Logger
	// Location is the zone of the schedules (default Asia/Ho_Chi_Minh).
	Location *time.Location
	Now      func() time.Time

	slots chan struct{}
	wg    sync.WaitGroup
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Scheduler) backoff(n int) time.Duration {
	if s.Backoff != nil {
		return s.Backoff(n)
	}
	d := 30 * time.Second << (n - 1)
	return min(d, 10*time.Minute)
}

// Run schedules the pipelines until ctx ends, then waits for the runs in
// progress (their extraction is cancelled; a commit under way finishes).
func (s *Scheduler) Run(ctx context.Context) error {
	if s.Runner == nil {
		return errors.New("scheduler: no runner")
	}
	n := s.MaxConcurrent
	if n <= 0 {
		n = 2
	}
	s.slots = make(chan struct{}, n)
	loc := s.Location
	if loc == nil {
		loc = time.FixedZone("Asia/Ho_Chi_Minh", 7*3600)
	}
	c := cron.New(cron.WithLocation(loc), cron.WithParser(CronParser), cron.WithChain(cron.Recover(cronLogger{s.log()})))
	scheduled := 0
	for _, p := range s.Pipelines {
		if p.Schedule == "" {
			continue
		}
		sched, err := CronParser.Parse(p.Schedule)
		if err != nil {
			return fmt.Errorf("%s: schedule %q: %w", p.File, p.Schedule, err)
		}
		// One job per pipeline, wrapped so that a tick while it runs is skipped.
		job := cron.NewChain(cron.SkipIfStillRunning(cronLogger{s.log().With("pipeline", p.Name)})).Then(s.job(ctx, p))
		c.Schedule(sched, job)
		scheduled++
		if s.missed(ctx, p, sched, loc) {
			s.log().Info("running a run missed while the scheduler was down", "pipeline", p.Name)
			go job.Run()
		}
	}
	if s.Maintenance != nil && s.MaintenanceSchedule != "" {
		sched, err := CronParser.Parse(s.MaintenanceSchedule)
		if err != nil {
			return fmt.Errorf("maintenance schedule %q: %w", s.MaintenanceSchedule, err)
		}
		c.Schedule(sched, cron.NewChain(cron.SkipIfStillRunning(cronLogger{s.log()})).Then(cron.FuncJob(func() {
			if ctx.Err() != nil {
				return
			}
			s.wg.Add(1)
			defer s.wg.Done()
			if err := s.Maintenance(ctx); err != nil {
				s.log().Error("lake maintenance failed", "error", err)
			}
		})))
	}
	s.log().Info("scheduler started", "pipelines", scheduled, "max_concurrent", n, "maintenance", s.MaintenanceSchedule)
	c.Start()
	<-ctx.Done()
	s.log().Info("scheduler stopping: no new runs; waiting for the runs in progress")
	<-c.Stop().Done()
	s.wg.Wait()
	return nil
}

// missed reports whether a scheduled time passed since the pipeline's last
// run started (runs missed during downtime, which then run once).
func (s *Scheduler) missed(ctx context.Context, p *Pipeline, sched cron.Schedule, loc *time.Location) bool {
	h := s.Runner.History
	if h == nil {
		return false
	}
	runs, err := h.Runs(ctx, p.Name, 1)
	if err != nil || len(runs) == 0 {
		return false
	}
	next := sched.Next(runs[0].Started.In(loc))
	return !next.After(s.now())
}

func (s *Scheduler) job(ctx context.Context, p *Pipeline) cron.FuncJob {
	return func() {
		if ctx.Err() != nil {
			return
		}
		s.wg.Add(1)
		defer s.wg.Done()
		retries := s.Retries
		if s.Retries == 0 {
			retries = 3
		}
		if p.Retries != nil {
			retries = *p.Retries
		}
		for attempt := 0; ; attempt++ {
			select {
			case s.slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			res, err := s.Runner.Run(ctx, p, RunOptions{TriggeredBy: "schedule"})
			<-s.slots
			if s.After != nil {
				s.After(ctx, p, res, err)
			}
			if err == nil {
				return
			}
			if !IsTransient(err) || attempt >= retries || ctx.Err() != nil {
				s.log().Error("scheduled run failed", "pipeline", p.Name, "attempt", attempt+1, "transient", IsTransient(err), "error", err)
				return
			}
			wait := s.backoff(attempt + 1)
			s.log().Warn("scheduled run failed for a passing reason; retrying", "pipeline", p.Name, "attempt", attempt+1, "in", wait, "error", err)
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return
			}
		}
	}
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "error", err)...)
}
