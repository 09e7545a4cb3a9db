package mysql

import (
	"context"
	"errors"
	"fmt"
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
	dsn, db := testDB(t)
	run(t, db, `CREATE TABLE so (d int PRIMARY KEY); INSERT INTO so VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);
		CREATE TABLE lon (id bigint PRIMARY KEY, ten varchar(60), gia decimal(12,2), luc datetime(6)) ENGINE=InnoDB;
		INSERT INTO lon SELECT n, CONCAT('Bản ', n, ' xã Chiềng Mung'), n * 0.5, TIMESTAMP '2025-01-01 00:00:00' + INTERVAL n SECOND
		FROM (SELECT a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d + 100000*g.d + 1 AS n
		      FROM so a, so b, so c, so e, so f, so g) x WHERE n <= 200000`)
	return dsn
}

// TestIntegrationStreaming reads a 200k-row table in small batches: every
// batch holds at most batch_rows rows, the Arrow memory held at once stays
// that of about one batch, and nothing is left allocated — also when the
// source is closed before the end (the rest of the result is not read).
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
			assert.LessOrEqual(t, src.(*Source).batch.MaxHeld(), tt.batch, "rows the builder held")
			closing := time.Now()
			require.NoError(t, src.Close())
			assert.Less(t, time.Since(closing), 2*time.Second, "closing does not read the rest")
			if tt.stopAfter == 0 {
				assert.Equal(t, bigRows, rows)
				assert.Equal(t, (bigRows+tt.batch-1)/tt.batch, batches)
			} else {
				assert.Equal(t, tt.stopAfter*tt.batch, rows)
			}
			assert.LessOrEqual(t, alloc.Peak(), 3*oneBatch, "peak Arrow bytes vs one batch (%d)", oneBatch)
			t.Logf("%d rows in %d batches of ≤%d in %v; one batch %d bytes, peak %d bytes",
				rows, batches, tt.batch, time.Since(start).Round(time.Millisecond), oneBatch, alloc.Peak())
		})
	}
}

// TestIntegrationCancel stops a statement in flight by its context: Next
// returns soon with the context's error, and the statement no longer runs on
// the server (KILL QUERY).
func TestIntegrationCancel(t *testing.T) {
	dsn, db := testDB(t)
	run(t, db, "CREATE TABLE mot (x int); INSERT INTO mot VALUES (1)")
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer checked.AssertSize(t, 0)
	cfg := NewConfig()
	// A marker of this run's statement, so that other runs of the test on the
	// same server are not counted.
	marker := fmt.Sprintf("cho_%d", time.Now().UnixNano())
	cfg.DSN, cfg.Query = sqlsource.Secret(dsn), "SELECT SLEEP(10) AS "+marker+" FROM mot"
	src, err := cfg.Open(t.Context(), connectors.Env{Alloc: checked})
	require.NoError(t, err)
	defer src.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = src.Next(ctx)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second, "the statement was stopped, not waited for")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = src.Next(t.Context())
	assert.ErrorIs(t, err, io.EOF, "a failed source is done")
	// KILL QUERY takes effect asynchronously: wait a little for it.
	running := -1
	for deadline := time.Now().Add(3 * time.Second); running != 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		require.NoError(t, db.QueryRowContext(t.Context(),
			"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND INFO NOT LIKE '%PROCESSLIST%'", "%"+marker+"%").Scan(&running))
	}
	assert.Zero(t, running, "the statement was killed on the server too, well before its 10 seconds")
}
