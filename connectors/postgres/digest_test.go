package postgres

import (
	"crypto/sha256"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/digesttest"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// digestOf reads cfg's source once with its digest on, decoded (a load)
// or only framed and hashed (an unchanged rerun).
func digestOf(t *testing.T, cfg *Config, drain bool) (string, int64) {
	t.Helper()
	return digesttest.Read(t, func(env connectors.Env) (connectors.Source, error) { return cfg.Open(t.Context(), env) }, drain)
}

// TestIntegrationRawDigest: an unchanged rerun of a PostgreSQL overwrite
// knows its input unchanged from the COPY's bytes. The digest a load takes
// while it decodes equals the one a rerun takes without decoding, whatever
// the batch size; it changes with any value, with a row's order, with a
// column's type (same values, another type: int to bigint, timestamp to
// timestamptz read at UTC, which decode differently), with a column's name,
// and with the table read; an incremental read does not digest itself.
func TestIntegrationRawDigest(t *testing.T) {
	dsn, conn := testDB(t)
	run(t, conn, `SET TIME ZONE 'UTC';
		CREATE TABLE ho_so (id int, ten text, so numeric(10,2), luc timestamp);
		INSERT INTO ho_so SELECT i, 'Hồ sơ ' || i, i * 1.25, '2026-01-01'::timestamp + i * interval '1 hour' FROM generate_series(1, 5000) i;
		CREATE TABLE ho_so_2 AS SELECT * FROM ho_so`)
	cfg := func(table string, batch int) *Config {
		c := NewConfig()
		c.DSN, c.Table, c.BatchRows = sqlsource.Secret(dsn), table, batch
		return c
	}
	base, rows := digestOf(t, cfg("ho_so", 1000), false)
	require.EqualValues(t, 5000, rows)
	for _, batch := range []int{7, 1000, 8192} {
		got, n := digestOf(t, cfg("ho_so", batch), true)
		assert.Equal(t, base, got, "drained in batches of %d", batch)
		assert.EqualValues(t, 5000, n)
		got, _ = digestOf(t, cfg("ho_so", batch), false)
		assert.Equal(t, base, got, "decoded in batches of %d", batch)
	}
	other, _ := digestOf(t, cfg("ho_so_2", 1000), true)
	assert.NotEqual(t, base, other, "the table read is _kho_file of every row")

	seen := digesttest.Distinct{base: "the table as loaded"}
	change := func(what, sql string) {
		t.Helper()
		run(t, conn, sql)
		got, _ := digestOf(t, cfg("ho_so", 1000), true)
		seen.Add(t, what, got)
	}
	change("one value", `UPDATE ho_so SET ten = 'Hồ sơ 17 ' WHERE id = 17`)
	change("a NULL", `UPDATE ho_so SET so = NULL WHERE id = 18`)
	change("the order", `CREATE TABLE t2 AS SELECT * FROM ho_so ORDER BY id DESC; DROP TABLE ho_so; ALTER TABLE t2 RENAME TO ho_so`)
	change("int to bigint", `ALTER TABLE ho_so ALTER COLUMN id TYPE bigint`)
	change("timestamp to timestamptz at UTC", `ALTER TABLE ho_so ALTER COLUMN luc TYPE timestamptz`)
	change("a column's name", `ALTER TABLE ho_so RENAME COLUMN ten TO ten_ho_so`)

	inc := cfg("ho_so", 1000)
	inc.Incremental = &sqlsource.Incremental{Column: "id"}
	src, err := inc.Open(t.Context(), connectors.Env{Alloc: memory.NewGoAllocator()})
	require.NoError(t, err)
	defer src.Close()
	assert.False(t, src.(connectors.RawDigester).DigestRaw(sha256.New()), "an incremental read tracks its watermark from the values")
}
