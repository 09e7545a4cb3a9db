package pgwire_test

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
	"github.com/sonla-data/kho/server/internal/testlake"
)

// TestResultCacheKeepsDataRows: an answer asked again over the wire on the
// same snapshot is sent as the DataRow messages kept beside the cached
// answer: the client reads the same values, in binary and in text result
// formats (each kept apart), each reader its own (the masked token never
// gets the PII token's rows), every request audited with its rows, and a
// new snapshot gives new rows.
func TestResultCacheKeepsDataRows(t *testing.T) {
	h := newHarness(t, engine.Options{})
	const q = "SELECT visit_id, patient_name, citizen_id, cost_vnd, visit_date FROM health.visits ORDER BY visit_id"
	conns := map[string]*pgx.Conn{}
	for _, who := range []string{testenv.AnalystPII, testenv.AnalystGrant} {
		c, err := pgx.Connect(t.Context(), h.url(who))
		require.NoError(t, err)
		t.Cleanup(func() { c.Close(t.Context()) })
		conns[who] = c
	}
	ask := func(who string, text bool) string {
		t.Helper()
		var opts []any
		if text {
			opts = append(opts, pgx.QueryResultFormats{pgx.TextFormatCode})
		}
		rows, err := conns[who].Query(t.Context(), q, opts...)
		require.NoError(t, err)
		vals, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
		require.NoError(t, err)
		return fmt.Sprint(vals)
	}
	first := map[string]string{}
	for round := range 3 {
		for _, text := range []bool{false, true} {
			for _, who := range []string{testenv.AnalystPII, testenv.AnalystGrant} {
				got := ask(who, text)
				if who == testenv.AnalystPII {
					assert.Contains(t, got, testlake.CCCD, "round %d", round)
				} else {
					assert.NotContains(t, got, testlake.CCCD, "round %d: a masked token gets the PII token's rows", round)
					assert.NotContains(t, got, testlake.Name, "round %d", round)
				}
				k := fmt.Sprint(who, text)
				if round == 0 {
					first[k] = got
				} else {
					assert.Equal(t, first[k], got, "round %d (text %v): the kept rows are the first ones", round, text)
				}
			}
		}
		if round == 0 {
			assert.Equal(t, first[fmt.Sprint(testenv.AnalystPII, false)], first[fmt.Sprint(testenv.AnalystPII, true)],
				"binary and text results read the same values")
		}
	}
	st := h.env.Engine.CacheStats()
	assert.Equal(t, int64(10), st.Hits, "12 requests of 2 answers")
	assert.Equal(t, int64(8), st.Bodies, "every hit in a format sent before is sent as the kept rows")
	require.NoError(t, h.env.Audit.Flush(t.Context()))
	es, err := h.env.Audit.Entries(t.Context(), audit.Filter{Limit: 100})
	require.NoError(t, err)
	audited := 0
	for _, e := range es {
		if e.Action == "sql" && e.Source == "pgwire" && e.Outcome == audit.OK && e.Rows == 4 {
			audited++
		}
	}
	assert.Equal(t, 12, audited, "every request audited with its 4 rows")

	h.env.Append(t, "health.visits", `[{"visit_id": "LK5", "clinic_id": "140001", "visit_date": "2025-05-02", "residence_commune": "03646", "patient_name": "Lò Văn Pản", "citizen_id": "014190000055", "phone": "0987000555", "sex": "Nam", "birth_year": 1975, "icd10": "J20", "cost_vnd": "50000", "insured": true}]`)
	require.NoError(t, h.env.Engine.Refresh(t.Context()))
	got := ask(testenv.AnalystPII, false)
	assert.Contains(t, got, "014190000055", "the new snapshot's rows")
	assert.Equal(t, got, ask(testenv.AnalystPII, false))
}
