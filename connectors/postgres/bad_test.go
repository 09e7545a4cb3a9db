package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
	"github.com/sonla-data/kho/pipelines"
)

// TestIntegrationBadValues: values the Arrow column cannot hold (NaN in
// numeric(10,2), infinite dates and times) do not fail the run; their rows go
// to the quarantine with the column, the value and the types named, and the
// other rows load.
func TestIntegrationBadValues(t *testing.T) {
	dsn, conn := testDB(t)
	run(t, conn, `CREATE TABLE chi_phi (id text PRIMARY KEY, so_tien numeric(10,2), ngay date, luc timestamp);
		INSERT INTO chi_phi VALUES
		('tot', 12.50, '2025-07-01', '2025-07-01 08:00'),
		('nan', 'NaN', '2025-07-01', '2025-07-01 08:00'),
		('ngay', 1, 'infinity', '2025-07-01 08:00'),
		('luc', 1, '2025-07-01', '-infinity')`)
	w := sqltest.NewWarehouse(t, `dataset: health.pg_costs
label: Chi phí
owner: Sở Y tế
classification: restricted
key: [id]
columns:
  - {name: id, label: Mã, type: string, required: true}
  - {name: so_tien, label: Số tiền, type: "decimal(10,2)"}
  - {name: ngay, label: Ngày, type: date}
  - {name: luc, label: Lúc, type: timestamp}
`)
	p := sqltest.Pipeline(t, `name: pg_costs
source: {type: postgres, dsn: "${PG_DSN}", table: chi_phi}
target: {dataset: health.pg_costs, mode: merge, key: [id]}
on_error: quarantine
`, map[string]string{"PG_DSN": dsn})
	res := w.Run(t, p, pipelines.RunOptions{})
	assert.EqualValues(t, 4, res.Read)
	assert.EqualValues(t, 1, res.Written)
	assert.EqualValues(t, 3, res.Quarantined)

	good := w.Scan(t, "health.pg_costs")
	require.Len(t, good, 1)
	assert.Equal(t, "tot", good[0]["id"])
	assert.Equal(t, "12.50", good[0]["so_tien"])

	reasons := map[string]string{}
	for _, r := range w.Scan(t, "health.pg_costs__quarantine") {
		assert.Contains(t, r["source_file"], "/chi_phi")
		assert.NotContains(t, r["source_file"], "postgres@", "no user in the origin")
		reasons[r["record_key"].(string)] = r["reason_en"].(string)
	}
	assert.Contains(t, reasons["nan"], `column "so_tien": "…" is not a decimal number (numeric(10,2) → decimal(10, 2))`, "the value is in raw_value, not in the reason")
	assert.Contains(t, reasons["ngay"], `column "ngay": infinity does not fit a date (date → date32)`)
	assert.Contains(t, reasons["luc"], `column "luc": -infinity does not fit a timestamp (timestamp without time zone → timestamp[us, tz=Asia/Ho_Chi_Minh])`)
}
