package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
)

// bigDB writes a table of n rows.
func bigDB(t *testing.T, n int) string {
	base := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(base, "big.db"))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.ExecContext(t.Context(), `CREATE TABLE t (id INTEGER, ten TEXT, gia REAL);
		INSERT INTO t WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
		SELECT i, 'Xã ' || i, i * 0.5 FROM s;`, n)
	require.NoError(t, err)
	return base
}

func TestStreamBatches(t *testing.T) {
	base := bigDB(t, 10_000)
	tests := []struct {
		name      string
		batch     int
		stopAfter int // close after this many batches; 0 reads all
		batches   int
	}{
		{name: "all rows in batches of 1000", batch: 1000, batches: 10},
		{name: "uneven last batch", batch: 3000, batches: 4},
		{name: "close early", batch: 1000, stopAfter: 2, batches: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer alloc.AssertSize(t, 0)
			cfg := &Config{Path: "big.db", Table: "t"}
			src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: base, Alloc: alloc, BatchSize: tt.batch})
			require.NoError(t, err)
			batches, rows := 0, int64(0)
			for tt.stopAfter == 0 || batches < tt.stopAfter {
				rec, err := src.Next(t.Context())
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				assert.LessOrEqual(t, rec.NumRows(), int64(tt.batch))
				rows += rec.NumRows()
				batches++
				rec.Release()
			}
			require.NoError(t, src.Close())
			assert.Equal(t, tt.batches, batches)
			if tt.stopAfter == 0 {
				assert.EqualValues(t, 10_000, rows)
			}
		})
	}
}

func TestCancelled(t *testing.T) {
	base := bigDB(t, 100)
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	src, err := (&Config{Path: "big.db", Table: "t"}).Open(t.Context(), connectors.Env{BaseDir: base, Alloc: alloc})
	require.NoError(t, err)
	defer src.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = src.Next(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}
