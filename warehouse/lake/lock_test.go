package lake_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/lake/laketest"
)

// TestLock checks the single-writer lock on both catalogs: a second writer
// of a table waits for the first and gives up with ErrLocked after the lock
// timeout; writers of other tables do not wait; two lakes opened on the same
// catalog (two processes) exclude each other.
func TestLock(t *testing.T) {
	for _, kind := range laketest.Catalogs {
		t.Run(kind, func(t *testing.T) {
			ctx := t.Context()
			cfg := laketest.Config(t, kind)
			cfg.LockTimeout = "300ms"
			l1, err := lake.Open(ctx, cfg)
			require.NoError(t, err)
			defer l1.Close()
			l2, err := lake.Open(ctx, cfg)
			require.NoError(t, err)
			defer l2.Close()

			unlock, err := l1.Lock(ctx, "health.visits")
			require.NoError(t, err)

			start := time.Now()
			_, err = l2.Lock(ctx, "health.visits")
			assert.ErrorIs(t, err, lake.ErrLocked)
			assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "waited for the lock timeout")
			_, err = l1.Lock(ctx, "health.visits")
			assert.ErrorIs(t, err, lake.ErrLocked, "not re-entrant, even in the same lake")

			other, err := l2.Lock(ctx, "health.clinics")
			require.NoError(t, err, "another table is not locked")
			other()

			// A waiting writer gets the lock as soon as it is released (a lake
			// with a long timeout: a loaded machine must not fail the test).
			cfg.LockTimeout = "30s"
			l3, err := lake.Open(ctx, cfg)
			require.NoError(t, err)
			defer l3.Close()
			var released atomic.Bool
			go func() {
				time.Sleep(100 * time.Millisecond)
				released.Store(true)
				unlock()
			}()
			unlock2, err := l3.Lock(ctx, "health.visits")
			require.NoError(t, err)
			assert.True(t, released.Load(), "the second writer got the lock only after the first released it")
			unlock2()

			_, err = l1.Lock(ctx, "not-a-table")
			assert.Error(t, err)
		})
	}
}
