package opendata

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/schemas"
)

const exactSchema = `dataset: culture_tourism.exact
label: Giá trị chính xác
label_en: Exact values
owner: Sở Thông tin và Truyền thông
classification: open
key: [id]
columns:
  - {name: id, label: Mã, label_en: Id, type: string, required: true}
  - {name: share, label: Tỷ trọng, label_en: Share, type: float}
  - {name: big, label: Lớn, label_en: Big, type: float}
  - {name: price, label: Giá, label_en: Price, type: "decimal(10,2)"}
  - {name: day, label: Ngày, label_en: Day, type: date}
  - {name: at, label: Lúc, label_en: At, type: timestamp}
`

// TestDownloadExactValues is issue 12 item 12 on the portal: the values of
// a CSV or JSON download (and of the preview and the DataStore API) are a
// table's values exactly (1234567.891, 12.50), a timestamp at 00:00:00Z a
// time with its zone, never a bare date. The values are scanned from a real
// DuckDB, as the serving engine scans them for Write and Rows.
func TestDownloadExactValues(t *testing.T) {
	set, err := schemas.LoadFS(fstest.MapFS{"culture_tourism/exact.yaml": {Data: []byte(exactSchema)}}, "")
	require.NoError(t, err)
	ds, ok := set.Get("culture_tourism.exact")
	require.True(t, ok)
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `SELECT 'a' AS id, 223941.6::DOUBLE AS share, 1234567.891::DOUBLE AS big,
		12.50::DECIMAL(10,2) AS price, DATE '2025-07-01' AS day, TIMESTAMPTZ '2025-07-01 00:00:00+00' AS at`)
	require.NoError(t, err)
	defer rows.Close()
	vals := make([]any, len(ds.Columns))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	require.True(t, rows.Next())
	require.NoError(t, rows.Scan(ptrs...))
	cells := make([]string, len(vals))
	obj := map[string]any{}
	for i, v := range vals {
		jv := ColumnValue(v, ds.Columns[i])
		cells[i] = Text(jv)
		obj[ds.Columns[i].Name] = jv
	}
	assert.Equal(t, "a|223941.6|1234567.891|12.50|2025-07-01|2025-07-01T07:00:00+07:00", strings.Join(cells, "|"))
	js, err := json.Marshal(obj)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"a","share":223941.6,"big":1234567.891,"price":12.50,"day":"2025-07-01","at":"2025-07-01T07:00:00+07:00"}`, string(js))
	assert.Contains(t, string(js), `"price":12.50`)
}
