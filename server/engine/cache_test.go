package engine

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/internal/testlake"
)

// TestCacheSeesNewSnapshot: an answer asked again on the same snapshot comes
// from the cache (the rows are those of the statement), and the refresh that
// serves a table's new snapshot answers the next request from it, never from
// the cached answer of the previous snapshot — in-memory copies and views.
func TestCacheSeesNewSnapshot(t *testing.T) {
	for _, materialize := range []int64{100, -1} {
		t.Run(fmt.Sprintf("materialize %d", materialize), func(t *testing.T) {
			f := newFixture(t, Options{MaterializeRows: materialize})
			const q = "SELECT clinic_id, clinic_name, beds FROM health.clinics ORDER BY clinic_id"
			first, err := rows(t, f.engine, dashboard, q)
			require.NoError(t, err)
			require.Len(t, first, 3)
			before := f.engine.CacheStats()
			again, err := rows(t, f.engine, dashboard, q)
			require.NoError(t, err)
			assert.Equal(t, first, again)
			after := f.engine.CacheStats()
			assert.Equal(t, before.Hits+1, after.Hits, "asked again on the same snapshot: a hit")
			assert.Equal(t, before.Misses, after.Misses)

			f.Append(t, "health.clinics", `[{"clinic_id": "140004", "clinic_name": "Trạm y tế xã Mường Bon", "beds": 3}]`)
			require.NoError(t, f.engine.Refresh(t.Context()))
			assert.Zero(t, f.engine.CacheStats().Entries, "the refresh drops the answers on the previous snapshot")
			got, err := rows(t, f.engine, dashboard, q)
			require.NoError(t, err)
			require.Len(t, got, 4, "the new snapshot is seen at once")
			assert.Equal(t, []any{"140004", "Trạm y tế xã Mường Bon", int64(3)}, got[3])
			assert.Equal(t, after.Misses+1, f.engine.CacheStats().Misses)
			got, err = rows(t, f.engine, dashboard, q)
			require.NoError(t, err)
			assert.Len(t, got, 4)
		})
	}
}

// TestCacheKeepsReadersApart: a token with the PII grant and one without ask
// the same statement in turns; each always gets its own masking — the masked
// answer is never handed to the PII token nor the reverse — and two masked
// tokens each see their own pseudonyms. Every answer after the first of each
// reader is a hit.
func TestCacheKeepsReadersApart(t *testing.T) {
	f := newFixture(t, Options{})
	other := analyst
	other.TokenID, other.Name = "tk_other", "other"
	const q = "SELECT patient_name, citizen_id, phone FROM health.visits WHERE visit_id = ?"
	raw := []any{testlake.Name, testlake.CCCD, testlake.Phone}
	var masked, otherMasked []any
	for round := range 3 {
		for _, p := range []auth.Principal{analystPII, analyst, other} {
			got, err := rows(t, f.engine, p, q, "LK1")
			require.NoError(t, err)
			require.Len(t, got, 1)
			switch p.TokenID {
			case analystPII.TokenID:
				assert.Equal(t, raw, got[0], "round %d: the PII token sees the values", round)
			case analyst.TokenID:
				assert.Equal(t, testlake.NameMasked, got[0][0], "round %d", round)
				assert.Regexp(t, testlake.CCCDMasked, got[0][1])
				assert.NotEqual(t, testlake.CCCD, got[0][1])
				if masked == nil {
					masked = got[0]
				}
				assert.Equal(t, masked, got[0], "round %d: the same pseudonyms for the same token", round)
			default:
				assert.NotEqual(t, testlake.CCCD, got[0][1])
				if otherMasked == nil {
					otherMasked = got[0]
				}
				assert.Equal(t, otherMasked, got[0], "round %d", round)
			}
		}
	}
	assert.NotEqual(t, masked[1], otherMasked[1], "another token, another pseudonym, even from the cache")
	st := f.engine.CacheStats()
	assert.EqualValues(t, 3, st.Misses, "one miss per reader")
	assert.EqualValues(t, 6, st.Hits)
	assert.Equal(t, 3, st.Entries)

	// Another argument is another answer.
	got, err := rows(t, f.engine, analystPII, q, "no such visit")
	require.NoError(t, err)
	assert.Empty(t, got)
}

// TestCacheBound: the cache holds no more than its bound (least recently
// used answers out first, counted), and a result larger than an eighth of it
// is never kept.
func TestCacheBound(t *testing.T) {
	const bound = 16 << 10
	f := newFixture(t, Options{CacheBytes: bound})
	f.AddVisits(t, 2000)
	require.NoError(t, f.engine.Refresh(t.Context()))
	for i := range 200 {
		got, err := rows(t, f.engine, analystPII, "SELECT visit_id, patient_name FROM health.visits ORDER BY visit_id LIMIT 3 OFFSET ?", int64(i))
		require.NoError(t, err)
		require.Len(t, got, 3)
		st := f.engine.CacheStats()
		require.LessOrEqual(t, st.Bytes, int64(bound), "after request %d", i)
	}
	st := f.engine.CacheStats()
	assert.Positive(t, st.Evictions)
	assert.EqualValues(t, 200, st.Stores)
	assert.Less(t, st.Entries, 200)
	// The most recent answer is still there; the first is gone.
	_, err := rows(t, f.engine, analystPII, "SELECT visit_id, patient_name FROM health.visits ORDER BY visit_id LIMIT 3 OFFSET ?", int64(199))
	require.NoError(t, err)
	assert.Equal(t, st.Hits+1, f.engine.CacheStats().Hits)
	_, err = rows(t, f.engine, analystPII, "SELECT visit_id, patient_name FROM health.visits ORDER BY visit_id LIMIT 3 OFFSET ?", int64(0))
	require.NoError(t, err)
	assert.Equal(t, st.Misses+1, f.engine.CacheStats().Misses)

	// A big answer is not kept.
	before := f.engine.CacheStats()
	got, err := rows(t, f.engine, analystPII, "SELECT visit_id, patient_name FROM health.visits")
	require.NoError(t, err)
	assert.Greater(t, len(got), 2000)
	assert.Equal(t, before.Stores, f.engine.CacheStats().Stores)
}

// TestCacheSkipsVolatile: statements whose answer changes from one run to the
// next, and catalog statements, run every time.
func TestCacheSkipsVolatile(t *testing.T) {
	f := newFixture(t, Options{})
	for _, q := range []string{
		"SELECT random() AS r, count(*) FROM health.clinics",
		"SELECT now() AS t, count(*) FROM health.clinics",
		"SELECT * FROM health.clinics USING SAMPLE 1",
		"SELECT 1",
	} {
		before := f.engine.CacheStats()
		for range 2 {
			_, err := rows(t, f.engine, dashboard, q)
			require.NoError(t, err, q)
		}
		after := f.engine.CacheStats()
		assert.Equal(t, before.Hits, after.Hits, q)
		assert.Equal(t, before.Stores, after.Stores, q)
	}
	a, err := rows(t, f.engine, dashboard, "SELECT random() AS r FROM health.clinics LIMIT 1")
	require.NoError(t, err)
	b, err := rows(t, f.engine, dashboard, "SELECT random() AS r FROM health.clinics LIMIT 1")
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
}

// TestCacheOff: CacheBytes < 0 runs every statement.
func TestCacheOff(t *testing.T) {
	f := newFixture(t, Options{CacheBytes: -1})
	for range 2 {
		_, err := rows(t, f.engine, dashboard, "SELECT count(*) FROM health.clinics")
		require.NoError(t, err)
	}
	assert.Equal(t, CacheStats{}, f.engine.CacheStats())
}
