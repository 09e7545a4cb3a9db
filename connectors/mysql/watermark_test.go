package mysql

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
// DATETIME(6) (Vietnam's wall clock) and TIMESTAMP(6), DECIMAL(38,10), BIGINT
// at its maximum, DATE, VARCHAR — exactly at the boundaries: rows equal to the
// stored watermark are not read again, rows one step above are (the
// parameter is cast to the column's type, so nothing is compared as a double).
func TestIntegrationWatermarks(t *testing.T) {
	dsn, db := testDB(t)
	run(t, db, `CREATE TABLE moc (id bigint, luc datetime(6), luc_tz timestamp(6) NULL, so_tien decimal(38,10), so bigint, ngay date, ma varchar(20))`)
	for _, r := range sqltest.WatermarkRows {
		run(t, db, fmt.Sprintf("SET time_zone = '+07:00'; INSERT INTO moc VALUES (%s, '%s', '%s', %s, %s, '%s', '%s')", r[0], r[1], r[1], r[2], r[3], r[4], r[5]))
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
