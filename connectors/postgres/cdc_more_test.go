package postgres

import (
	"fmt"
	"sort"
	"testing"

	"github.com/apache/iceberg-go/table"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/lake"
)

const cdcDataset = `dataset: health.cdc_ban
label: Bản
owner: Sở Y tế
classification: restricted
key: [id]
columns:
  - {name: id, label: Mã, type: int, required: true}
  - {name: v, label: Giá trị, type: string, required: true}
`

func cdcRows(t *testing.T, w *sqltest.Warehouse) []string {
	var out []string
	for _, r := range w.Scan(t, "health.cdc_ban") {
		out = append(out, fmt.Sprintf("%v|%v", r["id"], r["v"]))
	}
	sort.Strings(out)
	return out
}

func slotLSN(t *testing.T, conn *pgconn.PgConn, slot string) string {
	res := conn.ExecParams(t.Context(), "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1", [][]byte{[]byte(slot)}, nil, nil, nil).Read()
	require.NoError(t, res.Err)
	if len(res.Rows) == 0 {
		return ""
	}
	return string(res.Rows[0][0])
}

// TestIntegrationCDCChanges: several changes of one key in one run end as
// the last one says (insert then delete: nothing; update then delete: the
// row goes; delete then insert: the new row; a key changed by an update:
// the old key goes); a bad row is quarantined and counted (read = written
// + quarantined); the run line counts inserted, updated and deleted rows;
// the position is in the commit and the slot is advanced to it after the
// commit; a run with no change commits nothing; the slot and publication
// are dropped on request.
func TestIntegrationCDCChanges(t *testing.T) {
	dsn, conn := cdcDB(t)
	slot := sqltest.RandomName("cdc")
	run(t, conn, "CREATE TABLE ban (id bigint PRIMARY KEY, v text)")
	run(t, conn, "INSERT INTO ban VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')")
	w := sqltest.NewWarehouse(t, cdcDataset)
	p := sqltest.Pipeline(t, fmt.Sprintf(`name: cdc_ban
source: {type: postgres, dsn: "${DSN}", table: ban, batch_rows: 2, incremental: {mode: cdc, slot: %s, publication: %s}}
target: {dataset: health.cdc_ban, mode: merge, key: [id]}
`, slot, slot), map[string]string{"DSN": dsn})
	res := w.Run(t, p, pipelines.RunOptions{})
	assert.EqualValues(t, 4, res.Inserted)
	assert.Equal(t, []string{"1|a", "2|b", "3|c", "4|d"}, cdcRows(t, w))
	require.NotEmpty(t, slotLSN(t, conn, slot), "the first run created the slot")

	run(t, conn, "INSERT INTO ban VALUES (5, 'e')")
	run(t, conn, "DELETE FROM ban WHERE id = 5")
	run(t, conn, "UPDATE ban SET v = 'b2' WHERE id = 2")
	run(t, conn, "DELETE FROM ban WHERE id = 2")
	run(t, conn, "DELETE FROM ban WHERE id = 3")
	run(t, conn, "INSERT INTO ban VALUES (3, 'c2')")
	run(t, conn, "UPDATE ban SET id = 40 WHERE id = 4")
	run(t, conn, "INSERT INTO ban VALUES (6, NULL)")
	run(t, conn, "UPDATE ban SET v = 'a2' WHERE id = 1")
	before := slotLSN(t, conn, slot)
	res = w.Run(t, p, pipelines.RunOptions{})
	assert.Equal(t, []string{"1|a2", "3|c2", "40|d"}, cdcRows(t, w))
	assert.EqualValues(t, 1, res.Inserted, "40")
	assert.EqualValues(t, 2, res.Updated, "1 and 3")
	assert.EqualValues(t, 2, res.Deleted, "2 and 4")
	assert.EqualValues(t, 1, res.Quarantined, "6 has no v")
	assert.Equal(t, res.Read, res.Written+res.Quarantined)
	tbl, err := w.Lake.Load(t.Context(), "health.cdc_ban")
	require.NoError(t, err)
	var st connectors.State
	require.NoError(t, pipelinesState(tbl, &st))
	assert.NotEmpty(t, st.Position)
	after := slotLSN(t, conn, slot)
	assert.NotEqual(t, before, after, "the slot is advanced after the commit")
	assert.Equal(t, st.Position, after, "to the committed position")

	res = w.Run(t, p, pipelines.RunOptions{})
	assert.True(t, res.NothingCommitted, "no change, no commit")

	cfg := p.SourceConfig.(*Config)
	dropped, err := cfg.DropSlot(t.Context(), connectors.Env{Pipeline: p.Name}, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"replication slot " + slot, "publication " + slot}, dropped)
	assert.Empty(t, slotLSN(t, conn, slot))

	// the slot is gone: the next run reads a new snapshot, and deletes the
	// rows it lacks (a snapshot that quarantines rows deletes nothing: the
	// keys of bad rows are not known for sure)
	run(t, conn, "DELETE FROM ban WHERE id IN (1, 6)")
	res = w.Run(t, p, pipelines.RunOptions{})
	assert.Equal(t, []string{"3|c2", "40|d"}, cdcRows(t, w))
	assert.EqualValues(t, 1, res.Deleted)
}

// TestIntegrationCDCRefused: what change data capture cannot do is said
// before anything is created: a table without a replica identity (a
// publication of it would break its UPDATE and DELETE), a key that deletes
// do not carry, a query instead of a table.
func TestIntegrationCDCRefused(t *testing.T) {
	dsn, conn := cdcDB(t)
	run(t, conn, "CREATE TABLE khong_khoa (id bigint, v text); CREATE TABLE ban (id bigint PRIMARY KEY, ma text, v text)")
	open := func(table string, key ...string) error {
		cfg := NewConfig()
		cfg.DSN, cfg.Table = sqlsource.Secret(dsn), table
		cfg.Incremental = &sqlsource.Incremental{Mode: "cdc", Slot: sqltest.RandomName("cdc"), Publication: sqltest.RandomName("cdc")}
		require.NoError(t, cfg.Validate())
		src, err := cfg.Open(t.Context(), connectors.Env{Pipeline: "x"})
		if err != nil {
			return err
		}
		defer src.Close()
		return src.(connectors.Changes).TrackKey(key)
	}
	err := open("khong_khoa", "id")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has no replica identity")
	res := conn.ExecParams(t.Context(), "SELECT count(*) FROM pg_publication", nil, nil, nil, nil).Read()
	require.NoError(t, res.Err)
	assert.Equal(t, "0", string(res.Rows[0][0]), "no publication was created")

	err = open("ban", "ma")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `column "ma" is not in the replica identity`)
	run(t, conn, "ALTER TABLE ban REPLICA IDENTITY FULL")
	assert.NoError(t, open("ban", "ma"), "with REPLICA IDENTITY FULL a delete carries every column")

	cfg := NewConfig()
	cfg.DSN, cfg.Query = sqlsource.Secret(dsn), "SELECT 1"
	cfg.Incremental = &sqlsource.Incremental{Mode: "cdc", Column: "x"}
	err = cfg.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cdc reads the changes of a table: give table, not query")
	assert.Contains(t, err.Error(), "column, lag and include_nulls are for mode: column")
}

func pipelinesState(tbl interface{ CurrentSnapshot() *table.Snapshot }, st *connectors.State) error {
	s := tbl.CurrentSnapshot()
	return lake.DecodeState(s.Summary.Properties, st)
}

// TestIntegrationCDCToast: an update that leaves a large (TOASTed) value
// unchanged does not carry it in the log with the default replica
// identity: the row is quarantined saying so, never loaded with the value
// missing; with REPLICA IDENTITY FULL the old row carries it and the row
// loads.
func TestIntegrationCDCToast(t *testing.T) {
	dsn, conn := cdcDB(t)
	slot := sqltest.RandomName("cdc")
	run(t, conn, "CREATE TABLE ban (id bigint PRIMARY KEY, v text, big text)")
	// about 64 kB of random hex: too large to stay in the row, incompressible
	run(t, conn, "INSERT INTO ban SELECT 1, 'a', string_agg(md5(random()::text), '') FROM generate_series(1, 2000)")
	w := sqltest.NewWarehouse(t, `dataset: health.cdc_toast
label: Bản
owner: Sở Y tế
classification: restricted
key: [id]
columns:
  - {name: id, label: Mã, type: int, required: true}
  - {name: v, label: Giá trị, type: string}
  - {name: big, label: Lớn, type: string}
`)
	p := sqltest.Pipeline(t, fmt.Sprintf(`name: cdc_toast
source: {type: postgres, dsn: "${DSN}", table: ban, incremental: {mode: cdc, slot: %s, publication: %s}}
target: {dataset: health.cdc_toast, mode: merge, key: [id]}
`, slot, slot), map[string]string{"DSN": dsn})
	w.Run(t, p, pipelines.RunOptions{})
	run(t, conn, "UPDATE ban SET v = 'b' WHERE id = 1")
	res := w.Run(t, p, pipelines.RunOptions{})
	assert.EqualValues(t, 1, res.Quarantined)
	q := w.Scan(t, "health.cdc_toast__quarantine")
	require.Len(t, q, 1)
	assert.Contains(t, q[0]["reason_en"], `column "big": the change did not carry this unchanged large value (TOAST); ALTER TABLE ban REPLICA IDENTITY FULL makes it`)
	rows := w.Scan(t, "health.cdc_toast")
	require.Len(t, rows, 1)
	assert.Equal(t, "a", rows[0]["v"], "the lake keeps the last row it could load whole")

	run(t, conn, "ALTER TABLE ban REPLICA IDENTITY FULL")
	run(t, conn, "UPDATE ban SET v = 'c' WHERE id = 1")
	res = w.Run(t, p, pipelines.RunOptions{})
	assert.EqualValues(t, 0, res.Quarantined)
	rows = w.Scan(t, "health.cdc_toast")
	require.Len(t, rows, 1)
	assert.Equal(t, "c", rows[0]["v"])
	assert.Len(t, rows[0]["big"], 64000)
}

// TestIntegrationCDCDryRun: `kho run --dry-run` of a change-data-capture
// pipeline changes nothing at the source: before the first run it reads the
// table without creating a replication slot or a publication (a slot left
// by a dry run would hold the server's write-ahead log for a run that may
// never come); after it, it reads the changes without advancing the slot, so
// the next real run still applies them.
func TestIntegrationCDCDryRun(t *testing.T) {
	dsn, conn := cdcDB(t)
	slot := sqltest.RandomName("cdc")
	pubs := func() string {
		res := conn.ExecParams(t.Context(), "SELECT count(*) FROM pg_publication WHERE pubname = $1", [][]byte{[]byte(slot)}, nil, nil, nil).Read()
		require.NoError(t, res.Err)
		return string(res.Rows[0][0])
	}
	run(t, conn, "CREATE TABLE ban (id bigint PRIMARY KEY, v text)")
	run(t, conn, "INSERT INTO ban VALUES (1, 'a'), (2, 'b'), (3, 'c')")
	w := sqltest.NewWarehouse(t, cdcDataset)
	p := sqltest.Pipeline(t, fmt.Sprintf(`name: cdc_ban
source: {type: postgres, dsn: "${DSN}", table: ban, incremental: {mode: cdc, slot: %s, publication: %s}}
target: {dataset: health.cdc_ban, mode: merge, key: [id]}
`, slot, slot), map[string]string{"DSN": dsn})

	res := w.Run(t, p, pipelines.RunOptions{DryRun: true})
	assert.EqualValues(t, 3, res.Read, "the dry run reads the table")
	assert.Empty(t, slotLSN(t, conn, slot), "no replication slot after a dry run")
	assert.Equal(t, "0", pubs(), "no publication after a dry run")

	res = w.Run(t, p, pipelines.RunOptions{})
	assert.EqualValues(t, 3, res.Inserted)
	created := slotLSN(t, conn, slot)
	require.NotEmpty(t, created, "the real run created the slot")

	run(t, conn, "INSERT INTO ban VALUES (4, 'd')")
	run(t, conn, "UPDATE ban SET v = 'a2' WHERE id = 1")
	res = w.Run(t, p, pipelines.RunOptions{DryRun: true})
	assert.EqualValues(t, 2, res.Read, "the dry run reads the changes")
	assert.Equal(t, created, slotLSN(t, conn, slot), "a dry run does not advance the slot")
	assert.Equal(t, []string{"1|a", "2|b", "3|c"}, cdcRows(t, w), "nor changes the lake")

	// A full refresh's dry run neither drops nor re-creates the slot.
	res = w.Run(t, p, pipelines.RunOptions{DryRun: true, FullRefresh: true})
	assert.EqualValues(t, 4, res.Read)
	assert.Equal(t, created, slotLSN(t, conn, slot), "the slot is kept by a full refresh's dry run")

	res = w.Run(t, p, pipelines.RunOptions{})
	assert.EqualValues(t, 1, res.Inserted)
	assert.EqualValues(t, 1, res.Updated)
	assert.Equal(t, []string{"1|a2", "2|b", "3|c", "4|d"}, cdcRows(t, w))
}
