package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// Change data capture (incremental: {mode: cdc}): the changes of one table
// are read from the write-ahead log through a logical replication slot with
// the pgoutput plugin and a publication of the table. The first run (or a
// full refresh) creates the slot, exporting its snapshot, and reads the
// table whole in that snapshot; later runs read the changes committed since
// the position stored with the lake's last commit, up to the end of the log
// when the run started. The slot is advanced (Confirm) only after the lake
// committed; changes of transactions that ended before the stored position
// are skipped, so a run killed between its commit and the slot's advance
// applies nothing twice.

var _ connectors.ChangeCapture = (*Config)(nil)

// CapturesChanges reports incremental.mode: cdc.
func (c *Config) CapturesChanges() bool { return c.CDC() }

// SlotName is the replication slot of a pipeline: incremental.slot, or
// kho_ and the pipeline's name.
func (c *Config) SlotName(pipeline string) string {
	if c.Incremental != nil && c.Incremental.Slot != "" {
		return c.Incremental.Slot
	}
	return defaultName(pipeline)
}

// PublicationName is the publication of a pipeline: incremental.publication,
// or kho_ and the pipeline's name.
func (c *Config) PublicationName(pipeline string) string {
	if c.Incremental != nil && c.Incremental.Publication != "" {
		return c.Incremental.Publication
	}
	return defaultName(pipeline)
}

func defaultName(pipeline string) string {
	n := "kho_" + strings.ToLower(pipeline)
	if len(n) > 63 {
		n = n[:63]
	}
	return n
}

// replicationSettings are the settings of the replication connection: the
// walsender writes the changes' values with them, as the read transaction
// does (sessionSettings).
var replicationSettings = map[string]string{
	"replication": "database", "TimeZone": "UTC", "DateStyle": "ISO, YMD", "IntervalStyle": "iso_8601",
	"extra_float_digits": "3", "bytea_output": "hex",
}

// replConfig is the connection config of a replication connection.
func (c *Config) replConfig() (*pgconn.Config, error) {
	cfg, err := c.pgConfig()
	if err != nil {
		return nil, err
	}
	cfg = cfg.Copy()
	for k, v := range replicationSettings {
		cfg.RuntimeParams[k] = v
	}
	return cfg, nil
}

// dialRepl opens a replication connection, with the config's retries.
func (c *Config) dialRepl(ctx context.Context, env connectors.Env) (*pgconn.PgConn, error) {
	cfg, err := c.replConfig()
	if err != nil {
		return nil, err
	}
	secrets := []string{c.DSN.Value(), cfg.Password}
	var conn *pgconn.PgConn
	err = c.Backoff().Do(ctx, env.Log(), "connecting to "+server(cfg)+" for replication", retryable, func(ctx context.Context) error {
		pc, err := pgconn.ConnectConfig(ctx, cfg)
		if err != nil {
			return sqlsource.Redact(err, secrets...)
		}
		conn = pc
		return nil
	})
	return conn, err
}

// tableInfo is what change data capture needs to know of the table.
type tableInfo struct {
	identity byte     // pg_class.relreplident: d(efault), i(ndex), f(ull), n(othing)
	keyCols  []string // the replica identity's columns (d: the primary key)
}

const tableInfoSQL = `SELECT c.relreplident::text, coalesce((
  SELECT array_to_json(array_agg(a.attname::text ORDER BY a.attnum))::text
  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
  WHERE i.indrelid = c.oid AND ((c.relreplident = 'd' AND i.indisprimary) OR (c.relreplident = 'i' AND i.indisreplident))), '[]')
FROM pg_catalog.pg_class c WHERE c.oid = $1::regclass`

// queryRow runs a statement with text parameters and returns its one row.
func queryRow(ctx context.Context, pc *pgconn.PgConn, sql string, args ...string) ([][]byte, error) {
	params := make([][]byte, len(args))
	for i, a := range args {
		params[i] = []byte(a)
	}
	res := pc.ExecParams(ctx, sql, params, nil, nil, nil).Read()
	if res.Err != nil {
		return nil, res.Err
	}
	if len(res.Rows) == 0 {
		return nil, nil
	}
	return res.Rows[0], nil
}

// prepareCDC checks the server and the table and makes sure the
// publication exists: wal_level is logical, the table has a replica
// identity that carries a key (a publication of a table without one makes
// its UPDATE and DELETE fail), no column is an array or composite value.
func (c *Config) prepareCDC(ctx context.Context, pc *pgconn.PgConn, from, pub string, create bool) ([]column, tableInfo, error) {
	var info tableInfo
	row, err := queryRow(ctx, pc, "SELECT current_setting('wal_level')")
	if err != nil {
		return nil, info, fmt.Errorf("reading wal_level: %w", err)
	}
	if string(row[0]) != "logical" {
		return nil, info, fmt.Errorf("source.incremental.mode: cdc needs wal_level = logical on the server (it is %s; set it in postgresql.conf and restart)", row[0])
	}
	cols, err := describe(ctx, pc, from)
	if err != nil {
		return nil, info, fmt.Errorf("source.table: reading %s: %w", c.Table, err)
	}
	base := make([]sqlsource.Column, len(cols))
	for i, col := range cols {
		base[i] = col.Column
		if col.expr != quote(col.Name) {
			return nil, info, fmt.Errorf("source.table: column %q is %s: change data capture does not carry arrays and composite values yet (read the table with mode: column)", col.Name, col.SourceType)
		}
	}
	if err := sqlsource.CheckColumns(base); err != nil {
		return nil, info, err
	}
	row, err = queryRow(ctx, pc, tableInfoSQL, from)
	if err != nil || row == nil {
		return nil, info, fmt.Errorf("source.table: reading the replica identity of %s: %w", c.Table, err)
	}
	info.identity = first(row[0])
	if err := json.Unmarshal(row[1], &info.keyCols); err != nil {
		return nil, info, fmt.Errorf("reading the replica identity of %s: %w", c.Table, err)
	}
	if info.identity == 'n' || (info.identity != 'f' && len(info.keyCols) == 0) {
		return nil, info, fmt.Errorf("source.table: %s has no replica identity (no primary key, or REPLICA IDENTITY NOTHING): its deletes would carry no key, and a publication of it would make its UPDATE and DELETE fail; give it a primary key or ALTER TABLE %s REPLICA IDENTITY FULL", c.Table, from)
	}
	if !create {
		return cols, info, nil
	}
	if err := ensurePublication(ctx, pc, pub, from, c.Table); err != nil {
		return nil, info, err
	}
	return cols, info, nil
}

// ensurePublication creates the publication of the table when it does not
// exist, adds the table to it when it lacks it, and checks that it publishes
// inserts, updates, deletes and truncates.
func ensurePublication(ctx context.Context, pc *pgconn.PgConn, pub, from, table string) error {
	row, err := queryRow(ctx, pc, `SELECT pubinsert AND pubupdate AND pubdelete AND pubtruncate,
  EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid = $2::regclass) OR p.puballtables
FROM pg_catalog.pg_publication p WHERE p.pubname = $1`, pub, from)
	if err != nil {
		return fmt.Errorf("reading publication %s: %w", pub, err)
	}
	if row == nil {
		if err := exec(ctx, pc, "CREATE PUBLICATION "+quote(pub)+" FOR TABLE "+from); err != nil {
			return fmt.Errorf("creating publication %s for %s (needs the CREATE right on the database and ownership of the table, or a DBA's CREATE PUBLICATION %s FOR TABLE %s): %w", pub, table, quote(pub), from, err)
		}
		return nil
	}
	if string(row[0]) != "t" {
		return fmt.Errorf("publication %s does not publish every insert, update, delete and truncate: ALTER PUBLICATION %s SET (publish = 'insert, update, delete, truncate')", pub, quote(pub))
	}
	if string(row[1]) != "t" {
		if err := exec(ctx, pc, "ALTER PUBLICATION "+quote(pub)+" ADD TABLE "+from); err != nil {
			return fmt.Errorf("adding %s to publication %s: %w", table, pub, err)
		}
	}
	return nil
}

// slotInfo is a replication slot as pg_replication_slots shows it.
type slotInfo struct {
	exists    bool
	confirmed pglogrepl.LSN
	active    bool
}

func readSlot(ctx context.Context, pc *pgconn.PgConn, slot string) (slotInfo, error) {
	row, err := queryRow(ctx, pc, `SELECT coalesce(confirmed_flush_lsn::text, ''), active, plugin = 'pgoutput' AND slot_type = 'logical', database = current_database()
FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`, slot)
	if err != nil {
		return slotInfo{}, fmt.Errorf("reading replication slot %s: %w", slot, err)
	}
	if row == nil {
		return slotInfo{}, nil
	}
	if string(row[2]) != "t" || string(row[3]) != "t" {
		return slotInfo{}, fmt.Errorf("replication slot %s exists but is not a pgoutput slot of this database: name another one with incremental.slot", slot)
	}
	s := slotInfo{exists: true, active: string(row[1]) == "t"}
	if len(row[0]) > 0 {
		if s.confirmed, err = pglogrepl.ParseLSN(string(row[0])); err != nil {
			return s, err
		}
	}
	return s, nil
}

// dropSlot drops a slot, waiting up to a few seconds for a connection that
// just ended to release it.
func dropSlot(ctx context.Context, pc *pgconn.PgConn, slot string) error {
	return whileInUse(ctx, func() error {
		_, err := queryRow(ctx, pc, "SELECT pg_catalog.pg_drop_replication_slot($1)", slot)
		return err
	})
}

// whileInUse retries f while the slot is active for another process (a
// walsender whose client just left takes a moment to end).
func whileInUse(ctx context.Context, f func() error) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := f()
		var pe *pgconn.PgError
		if err == nil || !errors.As(err, &pe) || pe.Code != "55006" || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// DropSlot drops the pipeline's replication slot (an abandoned slot keeps
// the server's write-ahead log from being recycled) and, when drop is set,
// its publication. It reports what it dropped.
func (c *Config) DropSlot(ctx context.Context, env connectors.Env, publication bool) ([]string, error) {
	slot, pub := c.SlotName(env.Pipeline), c.PublicationName(env.Pipeline)
	pc, err := c.dial(ctx, env, nil)
	if err != nil {
		return nil, err
	}
	defer closeConn(pc)
	var done []string
	s, err := readSlot(ctx, pc, slot)
	if err != nil {
		return nil, err
	}
	if s.exists {
		if err := dropSlot(ctx, pc, slot); err != nil {
			return done, fmt.Errorf("dropping replication slot %s: %w", slot, err)
		}
		done = append(done, "replication slot "+slot)
	}
	if publication {
		row, err := queryRow(ctx, pc, "SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = $1", pub)
		if err != nil {
			return done, err
		}
		if row != nil {
			if err := exec(ctx, pc, "DROP PUBLICATION "+quote(pub)); err != nil {
				return done, fmt.Errorf("dropping publication %s: %w", pub, err)
			}
			done = append(done, "publication "+pub)
		}
	}
	return done, nil
}

// SlotLag is how much write-ahead log the pipeline's slot keeps on the
// server (bytes between its confirmed position and the log's end), and
// whether the slot exists.
func (c *Config) SlotLag(ctx context.Context, env connectors.Env) (int64, bool, error) {
	pc, err := c.dial(ctx, env, nil)
	if err != nil {
		return 0, false, err
	}
	defer closeConn(pc)
	row, err := queryRow(ctx, pc, `SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::int8::text
FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`, c.SlotName(env.Pipeline))
	if err != nil || row == nil {
		return 0, false, err
	}
	var n int64
	_, err = fmt.Sscan(string(row[0]), &n)
	return n, true, err
}

// checkCDC is Check for mode cdc: the server, the table, its replica
// identity, the right to replicate and the slot; it creates nothing.
func (c *Config) checkCDC(ctx context.Context, env connectors.Env) error {
	cfg, err := c.pgConfig()
	if err != nil {
		return err
	}
	from, origin := c.from(cfg)
	conn, err := c.dial(ctx, env, func(ctx context.Context, pc *pgconn.PgConn) error {
		if _, _, err := c.prepareCDC(ctx, pc, from, c.PublicationName(env.Pipeline), false); err != nil {
			return err
		}
		row, err := queryRow(ctx, pc, "SELECT rolreplication OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")
		if err != nil {
			return err
		}
		if row == nil || string(row[0]) != "t" {
			return errors.New("the user lacks the REPLICATION attribute (ALTER ROLE … REPLICATION) that a replication slot needs")
		}
		_, err = readSlot(ctx, pc, c.SlotName(env.Pipeline))
		return err
	})
	if err != nil {
		return fmt.Errorf("checking postgres source %s: %w", origin, err)
	}
	closeConn(conn)
	return nil
}

var snapshotNameRe = regexp.MustCompile(`^[0-9A-Fa-f-]+$`)
