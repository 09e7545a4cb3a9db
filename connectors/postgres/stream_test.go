package postgres

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
)

const bigRows = 200_000

// bigTable writes a table of bigRows rows of about 60 bytes each.
func bigTable(t *testing.T) string {
	dsn, conn := testDB(t)
	run(t, conn, `CREATE TABLE lon (id bigint, ten text, gia numeric(12,2), luc timestamptz);
		INSERT INTO lon SELECT g, 'Bản ' || g || ' xã Chiềng Mung', g * 0.5, timestamptz '2025-01-01 00:00+07' + g * interval '1 second'
		FROM generate_series(1, 200000) g`)
	return dsn
}

// TestIntegrationStreaming reads a 200k-row table in small batches: every
// batch, and every FETCH, holds at most batch_rows rows, the Arrow memory
// held at once stays that of about one batch, and nothing is left allocated.
func TestIntegrationStreaming(t *testing.T) {
	dsn := bigTable(t)
	tests := []struct {
		name      string
		batch     int
		stopAfter int // close after this many batches; 0 reads all
	}{
		{name: "all rows in batches of 500", batch: 500},
		{name: "uneven last batch", batch: 7_000},
		{name: "close early", batch: 1000, stopAfter: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer checked.AssertSize(t, 0)
			alloc := sqltest.NewPeakAllocator(checked)
			cfg := NewConfig()
			cfg.DSN, cfg.Table, cfg.BatchRows = sqlsource.Secret(dsn), "lon", tt.batch
			start := time.Now()
			src, err := cfg.Open(t.Context(), connectors.Env{Alloc: alloc})
			require.NoError(t, err)
			var rows, batches, oneBatch int
			for tt.stopAfter == 0 || batches < tt.stopAfter {
				rec, err := src.Next(t.Context())
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				require.LessOrEqual(t, int(rec.NumRows()), tt.batch)
				rows += int(rec.NumRows())
				if batches == 0 {
					oneBatch = checked.CurrentAlloc()
				}
				batches++
				rec.Release()
			}
			s := src.(*Source)
			assert.LessOrEqual(t, s.fetched, tt.batch, "rows one FETCH returned")
			assert.LessOrEqual(t, s.batch.MaxHeld(), tt.batch, "rows the builder held")
			require.NoError(t, src.Close())
			if tt.stopAfter == 0 {
				assert.Equal(t, bigRows, rows)
				assert.Equal(t, (bigRows+tt.batch-1)/tt.batch, batches)
			} else {
				assert.Equal(t, tt.stopAfter*tt.batch, rows)
			}
			// a batch held by the caller plus the builder filling the next
			assert.LessOrEqual(t, alloc.Peak(), 3*oneBatch, "peak Arrow bytes vs one batch (%d)", oneBatch)
			t.Logf("%d rows in %d batches of ≤%d in %v; one batch %d bytes, peak %d bytes",
				rows, batches, tt.batch, time.Since(start).Round(time.Millisecond), oneBatch, alloc.Peak())
		})
	}
}

// TestIntegrationCancel stops a FETCH in flight by its context: Next
// returns soon with the context's error, and the source closes cleanly.
func TestIntegrationCancel(t *testing.T) {
	dsn, _ := testDB(t)
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer checked.AssertSize(t, 0)
	cfg := NewConfig()
	cfg.DSN, cfg.BatchRows = sqlsource.Secret(dsn), 1000
	cfg.Query = "SELECT g AS id, pg_sleep(0.01)::text AS cham FROM generate_series(1, 1000) g" // one FETCH: 10 s
	src, err := cfg.Open(t.Context(), connectors.Env{Alloc: checked})
	require.NoError(t, err)
	defer src.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = src.Next(ctx)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second, "the FETCH was stopped, not waited for")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = src.Next(t.Context())
	assert.ErrorIs(t, err, io.EOF, "a failed source is done")
}
