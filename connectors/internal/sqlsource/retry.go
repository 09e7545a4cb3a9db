package sqlsource

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Backoff retries what fails for a passing reason (a refused or dropped
// connection, a server starting up): after the first attempt it waits Wait,
// then twice as long each time, at most MaxWait, for Retries retries.
type Backoff struct {
	Retries int
	Wait    time.Duration
	MaxWait time.Duration // 0: 30s
}

// Do runs fn until it succeeds, fails in a way that retryable refuses (an SQL
// error, a bad password), or the retries are spent. Every retry is logged with
// what (which must hold no secret) and the error, which fn has redacted. The
// error after the last try says how many were made and wraps the last cause.
func (b Backoff) Do(ctx context.Context, log *slog.Logger, what string, retryable func(error) bool, fn func(context.Context) error) error {
	maxWait := b.MaxWait
	if maxWait <= 0 {
		maxWait = 30 * time.Second
	}
	wait := b.Wait
	tries := b.Retries + 1
	for try := 1; ; try++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !retryable(err) {
			return err
		}
		if try >= tries {
			if tries == 1 {
				return fmt.Errorf("%s: %w", what, err)
			}
			return fmt.Errorf("%s: gave up after %d tries: %w", what, tries, err)
		}
		log.Warn("connection failed, retrying", "target", what, "try", try, "tries", tries, "wait", wait, "error", err.Error())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w (while waiting to retry after: %v)", what, ctx.Err(), err)
		case <-t.C:
		}
		wait = min(wait*2, maxWait)
	}
}
