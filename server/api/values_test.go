package api

import (
	"database/sql"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResultValuesExact is issue 12 item 12 on the HTTP API: CSV and JSON
// results carry doubles in their shortest round-trip form without an
// exponent (1234567.891, not 1.234567891e+06), decimals with their scale
// (12.50), TIMESTAMPTZ with its zone and dates as dates. The values are
// scanned from a real DuckDB, as engine.Result.Scan scans them.
func TestResultValuesExact(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `SELECT 223941.6::DOUBLE, 1234567.891::DOUBLE, 12.50::DECIMAL(10,2),
		TIMESTAMPTZ '2025-07-01 00:00:00+00', DATE '2025-07-01', TIMESTAMP '2025-07-01 08:30:00', 1e22::DOUBLE`)
	require.NoError(t, err)
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	require.NoError(t, err)
	vals := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	require.True(t, rows.Next())
	require.NoError(t, rows.Scan(ptrs...))
	var csv, js []string
	for i, v := range vals {
		csv = append(csv, text(v, cts[i].DatabaseTypeName()))
		js = append(js, string(appendJSON(nil, v, cts[i].DatabaseTypeName())))
	}
	assert.Equal(t, "223941.6|1234567.891|12.50|2025-07-01T07:00:00+07:00|2025-07-01|2025-07-01T08:30:00|1e+22", strings.Join(csv, "|"))
	assert.Equal(t, `223941.6|1234567.891|12.50|"2025-07-01T07:00:00+07:00"|"2025-07-01"|"2025-07-01T08:30:00"|1e+22`, strings.Join(js, "|"))
}
