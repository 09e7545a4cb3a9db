package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/sandbox"
)

// TestDescribeCache: a data statement described again is answered from the
// description cache, after the sandbox checked it with the caller's policy:
// a reader who may not read the table is still refused, and audited, after
// another's description was kept; masked and PII readers are described on
// their own databases.
func TestDescribeCache(t *testing.T) {
	f := newFixture(t, Options{})
	const q = "SELECT citizen_id, birth_year FROM health.visits WHERE visit_id = $1"
	d1, err := f.engine.Describe(t.Context(), Query{Principal: analyst, SQL: q, Source: "test"})
	require.NoError(t, err)
	assert.Equal(t, []ResultColumn{{"citizen_id", "VARCHAR"}, {"birth_year", "BIGINT"}}, d1.Columns)
	assert.Len(t, f.engine.descs.entries, 1)
	d1.Columns[0].Name = "changed by the caller"
	d2, err := f.engine.Describe(t.Context(), Query{Principal: analyst, SQL: q, Source: "test"})
	require.NoError(t, err)
	assert.Equal(t, []ResultColumn{{"citizen_id", "VARCHAR"}, {"birth_year", "BIGINT"}}, d2.Columns, "a copy: callers do not change the kept one")
	assert.Equal(t, []string{"VARCHAR"}, d2.Params)
	assert.Len(t, f.engine.descs.entries, 1, "the same statement, the same entry")

	_, err = f.engine.Describe(t.Context(), Query{Principal: analystPII, SQL: q, Source: "test"})
	require.NoError(t, err)
	assert.Len(t, f.engine.descs.entries, 2, "the PII reader's statement runs on the other database")

	_, err = f.engine.Describe(t.Context(), Query{Principal: dashboard, SQL: q, Source: "test"})
	var r *sandbox.Refusal
	require.ErrorAs(t, err, &r, "the dashboard may not read health.visits, described or not")
	require.NoError(t, f.audit.Flush(t.Context()))
	es, err := f.audit.Entries(t.Context(), audit.Filter{Outcome: audit.Refused})
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.Equal(t, dashboard.TokenID, es[0].TokenID)
}
