package pgwire

import (
	"database/sql"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTextValuesAsPostgres is issue 12 item 12 on the PostgreSQL wire: a
// numeric keeps its scale (12.50, in text and in binary's dscale) and a
// float prints as PostgreSQL 15 prints it (the wanted texts are psql's
// output of the same SELECT on PostgreSQL 15): exact, with an exponent only
// where PostgreSQL writes one.
func TestTextValuesAsPostgres(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	var dec, neg any
	require.NoError(t, db.QueryRowContext(t.Context(), "SELECT 12.50::DECIMAL(10,2), -0.05::DECIMAL(6,3)").Scan(&dec, &neg))
	assert.Equal(t, "12.50", string(encodeText(dec, oidNumeric)))
	assert.Equal(t, "-0.050", string(encodeText(neg, oidNumeric)))
	b, err := encodeBinary(dec, oidNumeric)
	require.NoError(t, err)
	back, err := decodeNumeric(b)
	require.NoError(t, err)
	assert.Equal(t, "12.50", back)

	for _, c := range []struct {
		v    any
		want string
	}{
		{1234567.891, "1234567.891"}, {223941.6, "223941.6"}, {1e15, "1e+15"}, {123456789012345.6, "123456789012345.6"},
		{0.0001, "0.0001"}, {0.00001, "1e-05"}, {1e22, "1e+22"}, {1e-7, "1e-07"}, {0.0, "0"},
		{float32(0.1), "0.1"}, {float32(1234567), "1.234567e+06"}, {float32(123456), "123456"}, {float32(1.5e-5), "1.5e-05"},
	} {
		oid := uint32(oidFloat8)
		if _, ok := c.v.(float32); ok {
			oid = oidFloat4
		}
		assert.Equal(t, c.want, string(encodeText(c.v, oid)), "%v", c.v)
	}
}
