package pages_test

import (
	"crypto/sha256"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/marts"
)

// TestMartsReproducible rebuilds every mart of the shared lake twice from
// the same inputs and checks that every value is the same to the last bit:
// shares and sums are exact decimals, so the order in which DuckDB's threads
// add them up cannot change a digit. Volatile marts (read the clock) are
// compared without their as-of time.
func TestMartsReproducible(t *testing.T) {
	ctx := t.Context()
	b := &marts.Builder{Lake: env.wh.Lake, Engine: env.wh.Engine, Marts: env.wh.Marts, RunID: "repro", Force: true,
		Log: slog.New(slog.DiscardHandler)}
	digest := func() map[string]string {
		out := map[string]string{}
		for _, m := range env.wh.Marts {
			rows, err := env.wh.Engine.DB().QueryContext(ctx, "SELECT * FROM marts."+m.Name)
			require.NoError(t, err, m.Name)
			cols, err := rows.Columns()
			require.NoError(t, err)
			var lines []string
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				require.NoError(t, rows.Scan(ptrs...))
				line := ""
				for i, v := range vals {
					if m.Volatile && cols[i] == "as_of" {
						continue
					}
					line += "|" + exactText(v)
				}
				lines = append(lines, line)
			}
			require.NoError(t, rows.Err())
			rows.Close()
			// Rows come in any order: the digest is of the sorted lines.
			sort.Strings(lines)
			h := sha256.New()
			for _, l := range lines {
				fmt.Fprintln(h, l)
			}
			out[m.Name] = fmt.Sprintf("%x", h.Sum(nil))
		}
		return out
	}
	var got []map[string]string
	for range 2 {
		_, err := b.Build(ctx)
		require.NoError(t, err)
		require.NoError(t, env.wh.Engine.Refresh(ctx))
		got = append(got, digest())
	}
	require.Len(t, got[0], len(env.wh.Marts))
	for name, d := range got[0] {
		assert.Equal(t, d, got[1][name], "marts.%s: two builds from the same lake differ", name)
	}
}

// exactText is a scanned value in a form that differs whenever the value
// does: doubles by their bits.
func exactText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case float64:
		return strconv.FormatUint(math.Float64bits(x), 16)
	case float32:
		return strconv.FormatUint(uint64(math.Float32bits(x)), 16)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%T:%v", v, v)
}
