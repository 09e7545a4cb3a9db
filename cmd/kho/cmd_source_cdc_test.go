package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSourceDropSlot: kho source test checks a change-data-capture source
// and creates nothing; kho source drop-slot drops the pipeline's slot (and
// its publication when asked), says when there is nothing to drop, and
// refuses a pipeline that reads no change log.
func TestSourceDropSlot(t *testing.T) {
	server := os.Getenv("KHO_TEST_PG_DSN")
	if server == "" {
		if os.Getenv("KHO_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("KHO_TEST_PG_DSN is not set, and KHO_TEST_REQUIRE_SERVICES=1 requires the server")
		}
		t.Skip("KHO_TEST_PG_DSN is not set: no PostgreSQL to test change data capture against (.ci/run starts one)")
	}
	ctx := t.Context()
	admin, err := pgconn.Connect(ctx, server)
	require.NoError(t, err)
	suffix := strconv.FormatInt(time.Now().UnixNano()%1e12, 36)
	db, slot := "cdc_kho_"+suffix, "cdc_"+suffix
	_, err = admin.Exec(ctx, `CREATE DATABASE "`+db+`"`).ReadAll()
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.Exec(ctx, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '`+db+`'`).ReadAll()
		_, _ = admin.Exec(ctx, `DROP DATABASE IF EXISTS "`+db+`" WITH (FORCE)`).ReadAll()
		_ = admin.Close(ctx)
	})
	u, err := url.Parse(server)
	require.NoError(t, err)
	u.Path = "/" + db
	conn, err := pgconn.Connect(ctx, u.String())
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, "CREATE TABLE luot_kham (id bigint PRIMARY KEY, ten text)").ReadAll()
	require.NoError(t, err)
	count := func(sql string) string {
		res, err := conn.Exec(ctx, sql).ReadAll()
		require.NoError(t, err)
		return string(res[0].Rows[0][0])
	}

	dir := t.TempDir()
	pdir := filepath.Join(dir, "pipelines")
	require.NoError(t, os.MkdirAll(pdir, 0o755))
	pipes := map[string]string{
		"cdc_visits": "source: {type: postgres, dsn: \"" + u.String() + "\", table: luot_kham, incremental: {mode: cdc, slot: " + slot + ", publication: " + slot + "}}\n" +
			"target: {dataset: health.visits, mode: merge, key: [visit_id]}",
		"plain": "source: {type: postgres, dsn: \"" + u.String() + "\", table: luot_kham}\ntarget: {dataset: health.visits, mode: append}",
	}
	for name, body := range pipes {
		require.NoError(t, os.WriteFile(filepath.Join(pdir, name+".yaml"), []byte("name: "+name+"\n"+body+"\n"), 0o644))
	}
	config := filepath.Join(dir, "kho.yaml")
	require.NoError(t, os.WriteFile(config, []byte("pipelines_dir: pipelines\ndata_dir: data\nlog: {level: error}\n"), 0o644))

	out, err := runKho(t, "--config", config, "source", "test", "cdc_visits")
	require.NoError(t, err, out)
	assert.Contains(t, out, "ok   cdc_visits")
	assert.Equal(t, "0", count("SELECT count(*) FROM pg_publication"), "a test creates no publication")
	assert.Equal(t, "0", count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"+slot+"'"), "nor a slot")

	_, err = conn.Exec(ctx, "CREATE PUBLICATION "+slot+" FOR TABLE luot_kham").ReadAll()
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "SELECT pg_create_logical_replication_slot('"+slot+"', 'pgoutput')").ReadAll()
	require.NoError(t, err)
	out, err = runKho(t, "--config", config, "source", "drop-slot", "--publication", "cdc_visits")
	require.NoError(t, err, out)
	assert.Contains(t, out, "cdc_visits: dropped replication slot "+slot+", publication "+slot)
	assert.Equal(t, "0", count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"+slot+"'"))
	assert.Equal(t, "0", count("SELECT count(*) FROM pg_publication"))

	out, err = runKho(t, "--config", config, "source", "drop-slot", "cdc_visits")
	require.NoError(t, err, out)
	assert.Contains(t, out, "nothing to drop (no slot "+slot+")")

	out, err = runKho(t, "--config", config, "source", "drop-slot", "plain")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pipeline plain does not read a change log")
}
