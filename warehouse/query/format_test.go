package query_test

import (
	"bytes"
	"database/sql"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/query"
)

// exactSQL selects the values that kho query used to round or retype: a
// share-weighted double, a double of seven digits before the point, a
// decimal with a trailing zero, a TIMESTAMPTZ at 00:00:00Z, a date, a naive
// timestamp at midnight, a tiny and a huge double.
const exactSQL = `SELECT 223941.6::DOUBLE AS share, 1234567.891::DOUBLE AS big, 12.50::DECIMAL(10,2) AS price,
	-0.05::DECIMAL(6,3) AS delta, TIMESTAMPTZ '2025-07-01 00:00:00+00' AS at, DATE '2025-07-01' AS day,
	TIMESTAMP '2025-07-01 00:00:00' AS naive, 1e-7::DOUBLE AS tiny, 1e22::DOUBLE AS huge, 0.1::FLOAT AS f32`

// TestWriteExactValues is issue 12 item 12: every format of kho query
// prints doubles in their shortest round-trip form, decimals with their
// scale, TIMESTAMPTZ as an instant with its zone (+07) and dates as dates.
func TestWriteExactValues(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	write := func(f query.Format) string {
		rows, err := db.QueryContext(t.Context(), exactSQL)
		require.NoError(t, err)
		defer rows.Close()
		var b bytes.Buffer
		n, err := query.Write(&b, rows, f)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		return b.String()
	}
	cases := []struct {
		name string
		f    query.Format
		want string
	}{
		{"csv", query.CSV, "share,big,price,delta,at,day,naive,tiny,huge,f32\n" +
			"223941.6,1234567.891,12.50,-0.050,2025-07-01 07:00:00+07,2025-07-01,2025-07-01 00:00:00,1e-07,1e+22,0.1\n"},
		{"json", query.JSON, `[{"share":223941.6,"big":1234567.891,"price":12.50,"delta":-0.050,` +
			`"at":"2025-07-01T07:00:00+07:00","day":"2025-07-01","naive":"2025-07-01T00:00:00","tiny":1e-07,"huge":1e+22,"f32":0.1}` + "\n]\n"},
		{"table", query.Table, "share     big          price  delta   at                      day         naive                tiny   huge   f32\n" +
			"-----     ---          -----  -----   ---                     ---         -----                ----   ----   ---\n" +
			"223941.6  1234567.891  12.50  -0.050  2025-07-01 07:00:00+07  2025-07-01  2025-07-01 00:00:00  1e-07  1e+22  0.1\n" +
			"(1 rows)\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, write(c.f))
		})
	}
}
