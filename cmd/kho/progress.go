package main

import (
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// progress shows a run's rows as it goes: a spinner with rows and rows/s on a
// terminal, a structured log line every few seconds otherwise.
type progress struct {
	mu      sync.Mutex
	out     io.Writer
	log     *slog.Logger
	tty     bool
	bar     *progressbar.ProgressBar
	current string
	last    int64
	logged  time.Time
	started time.Time
}

func newProgress(out io.Writer, log *slog.Logger) *progress {
	f, ok := out.(*os.File)
	return &progress{out: out, log: log, tty: ok && isatty.IsTerminal(f.Fd())}
}

// update is the runner's progress hook.
func (p *progress) update(pipeline string, rows int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pipeline != p.current {
		p.finishLocked()
		p.current, p.last, p.started, p.logged = pipeline, 0, time.Now(), time.Now()
		if p.tty {
			p.bar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(p.out),
				progressbar.OptionSetDescription(pipeline), progressbar.OptionShowCount(),
				progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
	}
	if p.bar != nil {
		_ = p.bar.Add64(rows - p.last)
	} else if time.Since(p.logged) >= 5*time.Second {
		secs := time.Since(p.started).Seconds()
		p.log.Info("progress", "pipeline", pipeline, "rows", rows, "rows_per_second", int64(float64(rows)/secs))
		p.logged = time.Now()
	}
	p.last = rows
}

// finish clears the bar before the run's summary line is printed.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishLocked()
}

func (p *progress) finishLocked() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
	p.current = ""
}
