package sqlsource

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var errPassing = errors.New("connection refused")
var errSQL = errors.New("syntax error")

func TestBackoff(t *testing.T) {
	retryable := func(err error) bool { return errors.Is(err, errPassing) }
	tests := []struct {
		name      string
		retries   int
		failures  []error // what the tries return, in order; then success
		wantTries int
		wantErr   string
	}{
		{name: "first try", retries: 3, wantTries: 1},
		{name: "succeeds on the third", retries: 3, failures: []error{errPassing, errPassing}, wantTries: 3},
		{name: "gives up", retries: 2, failures: []error{errPassing, errPassing, errPassing, errPassing}, wantTries: 3,
			wantErr: "db: gave up after 3 tries: connection refused"},
		{name: "no retries", retries: 0, failures: []error{errPassing}, wantTries: 1, wantErr: "db: connection refused"},
		{name: "sql error not retried", retries: 3, failures: []error{errSQL}, wantTries: 1, wantErr: "syntax error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tries := 0
			var waits []time.Duration
			last := time.Now()
			err := Backoff{Retries: tt.retries, Wait: 5 * time.Millisecond}.Do(t.Context(), slog.New(slog.DiscardHandler), "db", retryable,
				func(context.Context) error {
					now := time.Now()
					if tries > 0 {
						waits = append(waits, now.Sub(last))
					}
					last = now
					tries++
					if tries <= len(tt.failures) {
						return tt.failures[tries-1]
					}
					return nil
				})
			assert.Equal(t, tt.wantTries, tries)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tt.wantErr)
			}
			for i, w := range waits {
				assert.GreaterOrEqual(t, w, 5*time.Millisecond<<i, "wait %d doubles", i)
			}
		})
	}
}

func TestBackoffCancelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Backoff{Retries: 5, Wait: time.Hour}.Do(ctx, slog.New(slog.DiscardHandler), "db",
		func(error) bool { return true }, func(context.Context) error { return errPassing })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
}
