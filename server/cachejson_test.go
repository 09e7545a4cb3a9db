package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
	"github.com/sonla-data/kho/server/internal/testlake"
)

// TestResultCacheKeepsJSON: a JSON answer asked again on the same snapshot
// is sent as the body kept beside the cached answer — byte for byte the
// body of the first request, with the same row count in its trailer and
// in the audit log — each reader its own (the masked token never gets the
// PII token's body, nor the reverse), and a new snapshot gives a new body.
func TestResultCacheKeepsJSON(t *testing.T) {
	h := newHarness(t, engine.Options{})
	const q = `{"sql": "SELECT visit_id, patient_name, citizen_id, cost_vnd FROM health.visits ORDER BY visit_id"}`
	ask := func(who string) (string, string) {
		t.Helper()
		r := h.do(t, "POST", "/api/query", who, strings.NewReader(q), "Content-Type", "application/json")
		b, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", b)
		var rows []map[string]any
		require.NoError(t, json.Unmarshal(b, &rows), "%s", b)
		require.Equal(t, r.Trailer.Get("X-Kho-Rows"), itoa(len(rows)))
		return string(b), r.Trailer.Get("X-Kho-Rows")
	}
	var first = map[string]string{}
	for round := range 3 {
		for _, who := range []string{testenv.AnalystPII, testenv.AnalystGrant} {
			body, n := ask(who)
			assert.Equal(t, "4", n)
			if who == testenv.AnalystPII {
				assert.Contains(t, body, testlake.CCCD, "round %d", round)
			} else {
				assert.NotContains(t, body, testlake.CCCD, "round %d: a masked token gets the PII token's body", round)
				assert.NotContains(t, body, testlake.Name, "round %d", round)
			}
			if round == 0 {
				first[who] = body
			} else {
				assert.Equal(t, first[who], body, "round %d: the kept body is the first one", round)
			}
		}
	}
	st := h.env.Engine.CacheStats()
	assert.Equal(t, int64(4), st.Hits)
	assert.Equal(t, int64(4), st.Bodies, "every hit sent as the kept body")
	require.NoError(t, h.env.Audit.Flush(t.Context()))
	es, err := h.env.Audit.Entries(t.Context(), audit.Filter{Limit: 100})
	require.NoError(t, err)
	var audited int
	for _, e := range es {
		if e.Action == "sql" {
			audited++
			assert.Equal(t, int64(4), e.Rows, "every request audited with its rows, sent from the kept body or not")
			assert.Equal(t, audit.OK, e.Outcome)
		}
	}
	assert.Equal(t, 6, audited)

	h.env.Append(t, "health.visits", `[{"visit_id": "LK5", "clinic_id": "140001", "visit_date": "2025-05-02", "residence_commune": "03646", "patient_name": "Lò Văn Pản", "citizen_id": "014190000055", "phone": "0987000555", "sex": "Nam", "birth_year": 1975, "icd10": "J20", "cost_vnd": "50000", "insured": true}]`)
	require.NoError(t, h.env.Engine.Refresh(t.Context()))
	body, n := ask(testenv.AnalystPII)
	assert.Equal(t, "5", n)
	assert.Contains(t, body, "014190000055", "the new snapshot's body")
	again, _ := ask(testenv.AnalystPII)
	assert.Equal(t, body, again)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
