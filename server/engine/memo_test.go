package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
)

// TestPageScope: the page cache's scope tells readers of another profile
// apart, and tokens apart where the reader reads keyed pseudonyms; a memo is
// found in its scope only, counted on the page cache's counters, dropped by
// the refresh that serves a new snapshot (whose scope is new), and a memo
// drawn before that refresh is not kept after it.
func TestPageScope(t *testing.T) {
	f := newFixture(t, Options{})
	scope := func(p auth.Principal) Scope {
		s, ok := f.engine.PageScope(p)
		require.True(t, ok)
		return s
	}
	other := analyst
	other.TokenID = "tk_other"
	dash2 := dashboard
	dash2.TokenID = "tk_dash2"
	assert.NotEqual(t, scope(analyst).Key, scope(analystPII).Key, "masked and PII readers")
	assert.NotEqual(t, scope(analyst).Key, scope(other).Key, "the analyst reads health.visits' keyed pseudonyms: per token")
	assert.NotEqual(t, scope(dashboard).Key, scope(analyst).Key)
	assert.NotEqual(t, scope(dashboard).Key, scope(labour).Key)
	assert.Equal(t, scope(dashboard).Key, scope(dash2).Key, "the dashboard role reads no keyed pseudonym: one scope for its tokens")
	assert.NotContains(t, scope(analystPII).Key, analystPII.TokenID, "the PII reader sees no pseudonym")

	s := scope(dashboard)
	f.engine.KeepMemo(s, s.Key+"page", "drawn", 100)
	v, ok := f.engine.Memo(s.Key + "page")
	assert.True(t, ok)
	assert.Equal(t, "drawn", v)
	_, ok = f.engine.Memo(scope(analyst).Key + "page")
	assert.False(t, ok, "another scope's key")
	st := f.engine.CacheStats().Page
	assert.Equal(t, PageCacheStats{Hits: 1, Misses: 1, Stores: 1, Entries: 1, Bytes: 100 + int64(len(s.Key+"page")) + entryOverhead}, st)

	f.Append(t, "health.clinics", `[{"clinic_id": "140009", "clinic_name": "Trạm y tế xã Chiềng Đen", "beds": 2}]`)
	require.NoError(t, f.engine.Refresh(t.Context()))
	assert.Zero(t, f.engine.CacheStats().Page.Entries, "the refresh drops the memos")
	assert.NotEqual(t, s.Key, scope(dashboard).Key, "a new snapshot served: a new scope")
	f.engine.KeepMemo(s, s.Key+"late", "drawn before the refresh", 100)
	_, ok = f.engine.Memo(s.Key + "late")
	assert.False(t, ok, "a memo of the previous scope is not kept")

	// A refresh that serves nothing new keeps the scope and the memos.
	s = scope(dashboard)
	f.engine.KeepMemo(s, s.Key+"page", "drawn", 100)
	require.NoError(t, f.engine.Refresh(t.Context()))
	assert.Equal(t, s.Key, scope(dashboard).Key)
	_, ok = f.engine.Memo(s.Key + "page")
	assert.True(t, ok)
}

// TestReplayedIsAudited: a statement a page showed from a memo is written to
// the audit log as the reader's, with the reason page_cache.
func TestReplayedIsAudited(t *testing.T) {
	f := newFixture(t, Options{})
	f.engine.Replayed(Query{Principal: dashboard, SQL: "SELECT 1 FROM marts.dossier_kpi_monthly", Source: "http", Action: "page",
		Object: "marts.dossier_kpi_monthly", Remote: "127.0.0.1:5555"}, 12, false)
	require.NoError(t, f.audit.Flush(t.Context()))
	es, err := f.audit.Entries(t.Context(), audit.Filter{})
	require.NoError(t, err)
	require.Len(t, es, 1)
	e := es[0]
	assert.Equal(t, dashboard.TokenID, e.TokenID)
	assert.Equal(t, "page", e.Action)
	assert.Equal(t, int64(12), e.Rows)
	assert.Equal(t, audit.OK, e.Outcome)
	assert.Equal(t, "127.0.0.1:5555", e.Remote)
	assert.True(t, strings.HasPrefix(e.Reason, "page_cache"), e.Reason)
}
