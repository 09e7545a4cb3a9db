package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/mask"
	"github.com/sonla-data/kho/security/sandbox"
	"github.com/sonla-data/kho/server/internal/testlake"
)

// TestPseudonymsDoNotLink (issue 12 item 15): a masked CCCD used to keep its
// province code and last two digits, so one person's records could be joined
// across datasets and tokens. Now each token sees its own keyed pseudonym:
// stable across its statements (counts by person work), different for
// another token, not derived from the value, and the key is out of reach of
// the user's SQL.
func TestPseudonymsDoNotLink(t *testing.T) {
	f := newFixture(t, Options{PseudonymSecret: []byte("test secret")})
	other := analyst
	other.TokenID, other.Name = "tk_other", "other"
	const q = "SELECT citizen_id, phone FROM health.visits WHERE visit_id = 'LK1'"
	a1, err := rows(t, f.engine, analyst, q)
	require.NoError(t, err)
	a2, err := rows(t, f.engine, analyst, q)
	require.NoError(t, err)
	b, err := rows(t, f.engine, other, q)
	require.NoError(t, err)
	require.Len(t, a1, 1)
	assert.Equal(t, a1, a2, "stable within one token's answers")
	assert.NotEqual(t, a1[0][0], b[0][0], "another token, another pseudonym")
	assert.NotEqual(t, a1[0][1], b[0][1])
	cccd := a1[0][0].(string)
	assert.Regexp(t, testlake.CCCDMasked, cccd)
	assert.False(t, strings.HasPrefix(cccd, testlake.CCCD[:3]) && strings.HasSuffix(cccd, testlake.CCCD[10:]),
		"the province code and the last digits are not shown: %s", cccd)

	// Counts by person work on the masked column, and a pseudonym finds its rows.
	got, err := rows(t, f.engine, analyst, "SELECT count(DISTINCT citizen_id), count(*) FILTER (WHERE citizen_id = ?) FROM health.visits", cccd)
	require.NoError(t, err)
	want, err := rows(t, f.engine, analystPII, "SELECT count(DISTINCT citizen_id), count(*) FILTER (WHERE citizen_id = ?) FROM health.visits", testlake.CCCD)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	// The other token's pseudonym finds nothing in this token's answers.
	got, err = rows(t, f.engine, analyst, "SELECT count(*) FROM health.visits WHERE citizen_id = ?", b[0][0])
	require.NoError(t, err)
	assert.Equal(t, [][]any{{int64(0)}}, got)

	// Over the extended protocol's path (prepare, then run) the same.
	desc, err := f.engine.Describe(t.Context(), Query{Principal: other, SQL: q, Source: "test"})
	require.NoError(t, err)
	assert.Equal(t, "VARCHAR", desc.Columns[0].Type)
	got, err = rows(t, f.engine, other, q)
	require.NoError(t, err)
	assert.Equal(t, b, got)

	// The key is out of reach: getvariable, SET VARIABLE and the catalog of
	// variables are refused, and no answer holds the key.
	key := mask.TokenKey([]byte("test secret"), analyst.TokenID)
	for _, s := range []string{
		"SELECT getvariable('" + mask.KeyVariable + "')",
		"SELECT * FROM duckdb_variables()",
		"SET VARIABLE " + mask.KeyVariable + " = 'x'",
		"SELECT current_setting('" + mask.KeyVariable + "')",
		"SELECT sql FROM duckdb_views() WHERE view_name = 'visits'",
	} {
		got, err := rows(t, f.engine, analyst, s)
		var r *sandbox.Refusal
		assert.ErrorAs(t, err, &r, s)
		assert.NotContains(t, fmt.Sprint(got, err), key, s)
	}
	// The shown form does not keep the real province code.
	got, err = rows(t, f.engine, analyst, "SELECT count(*) FROM health.visits WHERE citizen_id LIKE ?", testlake.CCCD[:3]+"%")
	require.NoError(t, err)
	assert.Equal(t, [][]any{{int64(0)}}, got)

	// Without the PII grant even the engineer of the owner sees pseudonyms
	// in the quarantine's raw_value, its own.
	q1, err := rows(t, f.engine, engineer, "SELECT raw_value FROM health.visits__quarantine")
	require.NoError(t, err)
	require.Len(t, q1, 1)
	assert.Regexp(t, testlake.QuarantineMasked, q1[0][0])
	assert.NotContains(t, q1[0][0], "728X")
}
