package mysql

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
	"github.com/sonla-data/kho/pipelines"
)

// TestIntegrationBadValues: what lax SQL modes let MySQL store — a month 0,
// 30 February, 2 in a TINYINT(1) — does not fail the run nor get normalised
// by the driver: those rows go to the quarantine with the column, the value
// and the types named. Zero dates ("no date" in MySQL) are read as NULL.
func TestIntegrationBadValues(t *testing.T) {
	dsn, db := testDB(t)
	run(t, db, `SET SESSION sql_mode = 'ALLOW_INVALID_DATES';
		CREATE TABLE ngay_sai (id varchar(10) PRIMARY KEY, ngay date, luc datetime, co tinyint(1));
		INSERT INTO ngay_sai VALUES
		('tot', '2025-07-01', '2025-07-01 08:00:00', 1),
		('khong', '0000-00-00', '0000-00-00 00:00:00', 0),
		('thang0', '2025-00-10', '2025-07-01 08:00:00', 1),
		('30thang2', '2025-07-01', '2025-02-30 08:00:00', 1),
		('co2', '2025-07-01', '2025-07-01 08:00:00', 2)`)
	w := sqltest.NewWarehouse(t, `dataset: agriculture.my_dates
label: Ngày
owner: Sở Nông nghiệp và Môi trường
classification: open
key: [id]
columns:
  - {name: id, label: Mã, type: string, required: true}
  - {name: ngay, label: Ngày, type: date}
  - {name: luc, label: Lúc, type: timestamp}
  - {name: co, label: Có, type: bool}
`)
	p := sqltest.Pipeline(t, `name: my_dates
source: {type: mysql, dsn: "${MYSQL_DSN}", table: ngay_sai}
target: {dataset: agriculture.my_dates, mode: merge, key: [id]}
on_error: quarantine
`, map[string]string{"MYSQL_DSN": dsn})
	res := w.Run(t, p, pipelines.RunOptions{})
	assert.EqualValues(t, 5, res.Read)
	assert.EqualValues(t, 2, res.Written)
	assert.EqualValues(t, 3, res.Quarantined)

	good := map[string]map[string]any{}
	for _, r := range w.Scan(t, "agriculture.my_dates") {
		good[r["id"].(string)] = r
	}
	require.Len(t, good, 2)
	assert.Equal(t, "2025-07-01", good["tot"]["ngay"])
	assert.Nil(t, good["khong"]["ngay"], "a zero date is NULL")
	assert.Nil(t, good["khong"]["luc"], "a zero datetime is NULL")
	assert.Equal(t, false, good["khong"]["co"])

	reasons, raws := map[string]string{}, map[string]string{}
	for _, r := range w.Scan(t, "agriculture.my_dates__quarantine") {
		assert.Contains(t, r["source_file"], "/ngay_sai")
		reasons[r["record_key"].(string)] = r["reason_en"].(string)
		raws[r["record_key"].(string)] = r["raw_value"].(string)
	}
	// The reason names the column and the types, never the value (read
	// without the PII grant); the reader's whole message is in raw_value.
	assert.Contains(t, reasons["thang0"], `column "ngay": "…" is not a date (date → date32)`)
	assert.Contains(t, raws["thang0"], `column "ngay": "2025-00-10" is not a date (date → date32)`)
	assert.Contains(t, reasons["30thang2"], `column "luc": "…" is not a date and time (datetime → timestamp[us, tz=Asia/Ho_Chi_Minh])`)
	assert.Contains(t, raws["30thang2"], `column "luc": "2025-02-30 08:00:00" is not a date and time`)
	assert.Contains(t, reasons["co2"], `column "co": 2 is not a boolean (0 or 1) (tinyint(1) → bool)`)
}
