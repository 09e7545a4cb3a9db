package postgres

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/sonla-data/kho/connectors/internal/sqlsource"
	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
)

// TestIntegrationWatermarks reads with each kind of incremental column —
// timestamp (Vietnam's wall clock) and timestamptz, numeric(38,10), bigint at
// its maximum, date, text — exactly at the boundaries: rows equal to the
// stored watermark are not read again, rows one step above are.
func TestIntegrationWatermarks(t *testing.T) {
	dsn, conn := testDB(t)
	run(t, conn, `CREATE TABLE moc (id bigint, luc timestamp, luc_tz timestamptz, so_tien numeric(38,10), so bigint, ngay date, ma text)`)
	for _, r := range sqltest.WatermarkRows {
		run(t, conn, fmt.Sprintf("INSERT INTO moc VALUES (%s, '%s', '%s+07', %s, %s, '%s', '%s')", r[0], r[1], r[1], r[2], r[3], r[4], r[5]))
	}
	local := func(s string) string {
		return sqltest.UTC(sqlsource.Local, "2006-01-02 15:04:05.999999", s).In(sqlsource.Local).Format(time.RFC3339Nano)
	}
	instant := func(s string) string {
		return sqltest.UTC(sqlsource.Local, "2006-01-02 15:04:05.999999", s).Format(time.RFC3339Nano)
	}
	cases := append(sqltest.WatermarkCases("luc", local), sqltest.WatermarkCases("luc_tz", instant)[:3]...)
	for _, c := range cases {
		t.Run(strings.Join([]string{c.Column, c.Stored, c.Lag}, " "), func(t *testing.T) {
			cfg := NewConfig()
			cfg.DSN, cfg.Table = sqlsource.Secret(dsn), "moc"
			cfg.Incremental = &sqlsource.Incremental{Column: c.Column, Lag: c.Lag}
			ids, after := sqltest.ReadIDs(t, cfg, c.Stored)
			assert.Equal(t, c.Want, ids)
			assert.Equal(t, c.After, after)
		})
	}
}
