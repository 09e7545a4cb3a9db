package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// idleWait is how long a stream waits for a message before asking the
// server where it is (a keepalive with the position it has sent to).
const idleWait = 300 * time.Millisecond

// changeSource reads a table's changes (see cdc.go): either a snapshot
// through the cursor source, or the changes since the stored position.
type changeSource struct {
	cfg    *Config
	env    connectors.Env
	slot   string
	origin string
	info   tableInfo

	snap connectors.Source // the snapshot's cursor source; nil when streaming

	repl      *pgconn.PgConn
	cols      []column
	byName    map[string]int
	batch     *sqlsource.Batch
	rows      int
	stored    pglogrepl.LSN // the position stored with the lake (or the snapshot's)
	ack       pglogrepl.LSN // the position sent to the server while reading
	end       pglogrepl.LSN // the end of the log when the run started
	drained   pglogrepl.LSN // every change before it was read
	changed   bool          // a change was read
	rels      map[uint32][]int
	inTx      bool
	skipTx    bool
	key       []int
	final     map[string][][]byte // the keys deleted (and not inserted again): their values as text
	done      bool
	closed    bool
	confirmed pglogrepl.LSN // the slot's confirmed position at start
}

var _ connectors.Changes = (*changeSource)(nil)

// openCDC opens a change source: a snapshot when no position is stored or
// the slot is gone, else the stream of changes from the stored position.
func (c *Config) openCDC(ctx context.Context, env connectors.Env) (connectors.Source, error) {
	cfg, err := c.pgConfig()
	if err != nil {
		return nil, err
	}
	from, origin := c.from(cfg)
	s := &changeSource{cfg: c, env: env, slot: c.SlotName(env.Pipeline), origin: origin, rows: c.Rows(env),
		final: map[string][][]byte{}, rels: map[uint32][]int{}}
	var slot slotInfo
	pc, err := c.dial(ctx, env, func(ctx context.Context, pc *pgconn.PgConn) error {
		cols, info, err := c.prepareCDC(ctx, pc, from, c.PublicationName(env.Pipeline), !env.DryRun)
		if err != nil {
			return err
		}
		s.cols, s.info = cols, info
		// a run that just ended (or was killed) leaves its slot active a
		// moment longer
		for deadline := time.Now().Add(10 * time.Second); ; {
			if slot, err = readSlot(ctx, pc, s.slot); err != nil {
				return err
			}
			if !slot.active {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("replication slot %s is in use by another connection (another run of the pipeline?)", s.slot)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("opening postgres source %s: %w", origin, err)
	}
	defer closeConn(pc)
	stored := ""
	if env.State != nil {
		stored = env.State.Position
	}
	if stored != "" && !slot.exists {
		env.Log().Warn("postgres cdc: the replication slot is gone; reading a new snapshot of the table", "slot", s.slot, "source", origin)
		stored = ""
	}
	if stored == "" && env.DryRun {
		// A dry run reads what a real run would read first, the table,
		// but in a snapshot of its own: a slot it created (or dropped)
		// would hold the server's log for a run that never comes.
		if err := s.openPlainSnapshot(ctx); err != nil {
			return nil, fmt.Errorf("opening postgres source %s: %w", origin, err)
		}
		return s, nil
	}
	if stored == "" {
		if slot.exists {
			if err := dropSlot(ctx, pc, s.slot); err != nil {
				return nil, fmt.Errorf("dropping replication slot %s before a new snapshot: %w", s.slot, err)
			}
		}
		if err := s.openSnapshot(ctx); err != nil {
			return nil, fmt.Errorf("opening postgres source %s: %w", origin, err)
		}
		return s, nil
	}
	if s.stored, err = pglogrepl.ParseLSN(stored); err != nil {
		return nil, fmt.Errorf("source.incremental: stored position %q is not an LSN; run with --full-refresh to take a new snapshot", stored)
	}
	row, err := queryRow(ctx, pc, "SELECT pg_catalog.pg_current_wal_flush_lsn()::text")
	if err != nil {
		return nil, fmt.Errorf("opening postgres source %s: reading the end of the log: %w", origin, err)
	}
	if s.end, err = pglogrepl.ParseLSN(string(row[0])); err != nil {
		return nil, err
	}
	s.confirmed = slot.confirmed
	s.ack = max(s.stored, slot.confirmed)
	s.drained = s.ack
	s.byName = map[string]int{}
	base := make([]sqlsource.Column, len(s.cols))
	for i, col := range s.cols {
		base[i] = col.Column
		s.byName[col.Name] = i
	}
	s.batch = sqlsource.NewBatch(env.Allocator(), base, origin, -1)
	if s.repl, err = c.dialRepl(ctx, env); err != nil {
		s.batch.Release()
		return nil, fmt.Errorf("opening postgres source %s: %w", origin, err)
	}
	err = pglogrepl.StartReplication(ctx, s.repl, s.slot, s.ack, pglogrepl.StartReplicationOptions{
		Mode:       pglogrepl.LogicalReplication,
		PluginArgs: []string{"proto_version '1'", "publication_names '" + c.PublicationName(env.Pipeline) + "'"},
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("opening postgres source %s: starting replication from slot %s: %w", origin, s.slot, err)
	}
	env.Log().Info("postgres cdc: reading changes", "source", origin, "slot", s.slot, "from", s.stored.String(), "to", s.end.String())
	return s, nil
}

// openSnapshot creates the slot, exporting its snapshot, and opens the
// cursor source in that snapshot: the rows it reads are the table as of the
// slot's consistent point, where the next run's changes start.
func (s *changeSource) openSnapshot(ctx context.Context) error {
	repl, err := s.cfg.dialRepl(ctx, s.env)
	if err != nil {
		return err
	}
	defer closeConn(repl) // the snapshot lives until the slot's connection goes on; the cursor has imported it by then
	res, err := pglogrepl.CreateReplicationSlot(ctx, repl, s.slot, "pgoutput",
		pglogrepl.CreateReplicationSlotOptions{Mode: pglogrepl.LogicalReplication, SnapshotAction: "EXPORT_SNAPSHOT"})
	if err != nil {
		return fmt.Errorf("creating replication slot %s (the user needs the REPLICATION attribute): %w", s.slot, err)
	}
	if s.stored, err = pglogrepl.ParseLSN(res.ConsistentPoint); err != nil {
		return err
	}
	if !snapshotNameRe.MatchString(res.SnapshotName) {
		return fmt.Errorf("unexpected snapshot name %q", res.SnapshotName)
	}
	inner := *s.cfg
	inner.Incremental = nil
	inner.snapshot = res.SnapshotName
	env := s.env
	env.State = nil
	if s.snap, err = inner.Open(ctx, env); err != nil {
		return err
	}
	s.drained = s.stored
	s.changed = true
	s.env.Log().Info("postgres cdc: created replication slot; reading the table's snapshot", "slot", s.slot, "position", s.stored.String())
	return nil
}

// openPlainSnapshot reads the table as a dry run does when a real run would
// take a new snapshot: no replication slot, no position to store.
func (s *changeSource) openPlainSnapshot(ctx context.Context) error {
	inner := *s.cfg
	inner.Incremental = nil
	env := s.env
	env.State = nil
	var err error
	if s.snap, err = inner.Open(ctx, env); err != nil {
		return err
	}
	s.env.Log().Info("postgres cdc: dry run: reading the table without a replication slot", "slot", s.slot)
	return nil
}

// Schema is the table's columns, then _kho_file, _kho_row and _kho_error.
func (s *changeSource) Schema() *arrow.Schema {
	if s.snap != nil {
		return s.snap.Schema()
	}
	return s.batch.Schema()
}

// Snapshot reports whether the run reads the table whole.
func (s *changeSource) Snapshot() bool { return s.snap != nil }

// TrackKey names the key's columns; with a replica identity other than
// FULL, they must be among the identity's columns, which are all that a
// delete carries.
func (s *changeSource) TrackKey(cols []string) error {
	s.key = s.key[:0]
	for _, name := range cols {
		i := slices.IndexFunc(s.cols, func(c column) bool { return c.Name == name })
		if i < 0 {
			return fmt.Errorf("target.key: no column %q in %s", name, s.cfg.Table)
		}
		if s.info.identity != 'f' && !slices.Contains(s.info.keyCols, name) {
			return fmt.Errorf("target.key: column %q is not in the replica identity of %s (%v): its deletes would not carry it; make the key the primary key or ALTER TABLE … REPLICA IDENTITY FULL", name, s.cfg.Table, s.info.keyCols)
		}
		s.key = append(s.key, i)
	}
	return nil
}

// Next returns the next batch of inserted or updated rows, or io.EOF once
// the log is read to where it ended when the run started.
func (s *changeSource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.closed {
		return nil, errors.New("postgres source: Next after Close")
	}
	if s.snap != nil {
		return s.snap.Next(ctx)
	}
	for !s.done && s.batch.Len() < s.rows {
		if err := s.receive(ctx); err != nil {
			s.done = true
			return nil, fmt.Errorf("reading the changes of postgres %s (slot %s): %w", s.origin, s.slot, err)
		}
	}
	if s.batch.Len() > 0 {
		return s.batch.Flush(), nil
	}
	return nil, io.EOF
}

// receive reads one message of the stream and applies it.
func (s *changeSource) receive(ctx context.Context) error {
	wait, cancel := context.WithTimeout(ctx, idleWait)
	msg, err := s.repl.ReceiveMessage(wait)
	cancel()
	if err != nil {
		if pgconn.Timeout(err) && ctx.Err() == nil {
			return s.status(true)
		}
		return err
	}
	switch m := msg.(type) {
	case *pgproto3.CopyData:
		if len(m.Data) == 0 {
			return nil
		}
		switch m.Data[0] {
		case pglogrepl.PrimaryKeepaliveMessageByteID:
			ka, err := pglogrepl.ParsePrimaryKeepaliveMessage(m.Data[1:])
			if err != nil {
				return err
			}
			if !s.inTx && ka.ServerWALEnd >= s.end {
				s.finish(ka.ServerWALEnd)
				return nil
			}
			if ka.ReplyRequested {
				return s.status(false)
			}
		case pglogrepl.XLogDataByteID:
			x, err := pglogrepl.ParseXLogData(m.Data[1:])
			if err != nil {
				return err
			}
			return s.apply(x.WALData)
		}
	case *pgproto3.ErrorResponse:
		return pgconn.ErrorResponseToPgError(m)
	case *pgproto3.CopyDone:
		return errors.New("the server ended the replication stream")
	}
	return nil
}

// status tells the server the position the lake holds (never past it
// while reading: the slot advances in Confirm, after the commit).
func (s *changeSource) status(reply bool) error {
	return pglogrepl.SendStandbyStatusUpdate(context.Background(), s.repl, pglogrepl.StandbyStatusUpdate{
		WALWritePosition: s.ack, WALFlushPosition: s.ack, WALApplyPosition: s.ack, ReplyRequested: reply,
	})
}

// finish ends the stream: every change before pos was read.
func (s *changeSource) finish(pos pglogrepl.LSN) {
	s.done = true
	s.drained = max(s.drained, pos)
	if s.changed {
		s.drained = max(s.drained, s.stored)
	}
	closeConn(s.repl)
	s.repl = nil
}

// apply decodes one pgoutput message.
func (s *changeSource) apply(data []byte) error {
	msg, err := pglogrepl.Parse(data)
	if err != nil {
		return fmt.Errorf("decoding a pgoutput message: %w", err)
	}
	switch m := msg.(type) {
	case *pglogrepl.RelationMessage:
		idx := make([]int, len(m.Columns))
		for j, col := range m.Columns {
			idx[j] = -1
			if i, ok := s.byName[col.Name]; ok {
				idx[j] = i
			}
		}
		s.rels[m.RelationID] = idx
	case *pglogrepl.BeginMessage:
		s.inTx = true
		// a transaction that ended before the stored position is in the lake
		s.skipTx = m.FinalLSN < s.stored
	case *pglogrepl.CommitMessage:
		s.inTx = false
		if !s.skipTx {
			s.drained = max(s.drained, m.TransactionEndLSN)
		}
		if m.TransactionEndLSN >= s.end {
			s.finish(m.TransactionEndLSN)
		}
	case *pglogrepl.InsertMessage:
		if s.skipTx {
			return nil
		}
		return s.upsert(m.RelationID, m.Tuple, nil)
	case *pglogrepl.UpdateMessage:
		if s.skipTx {
			return nil
		}
		if m.OldTuple != nil {
			oldKey, ok, err := s.keyOf(m.RelationID, m.OldTuple, nil)
			if err != nil {
				return err
			}
			newKey, _, _ := s.keyOf(m.RelationID, m.NewTuple, m.OldTuple)
			if ok && oldKey != newKey {
				if err := s.remove(m.RelationID, m.OldTuple); err != nil {
					return err
				}
			}
		}
		return s.upsert(m.RelationID, m.NewTuple, m.OldTuple)
	case *pglogrepl.DeleteMessage:
		if s.skipTx {
			return nil
		}
		return s.remove(m.RelationID, m.OldTuple)
	case *pglogrepl.TruncateMessage:
		if s.skipTx {
			return nil
		}
		return fmt.Errorf("the table was truncated (TRUNCATE) in a transaction ending after %s: run with --full-refresh to take a new snapshot", s.stored)
	}
	return nil
}

// value is column j of a tuple, taking an unchanged TOAST value from the
// old tuple (REPLICA IDENTITY FULL).
func value(t, old *pglogrepl.TupleData, j int) *pglogrepl.TupleDataColumn {
	c := t.Columns[j]
	if c.DataType == pglogrepl.TupleDataTypeToast && old != nil && j < len(old.Columns) {
		return old.Columns[j]
	}
	return c
}

// keyOf is the key of a tuple as text, and whether the tuple carries it.
func (s *changeSource) keyOf(rel uint32, t, old *pglogrepl.TupleData) (string, bool, error) {
	idx, ok := s.rels[rel]
	if !ok {
		return "", false, fmt.Errorf("a change of relation %d came before its description", rel)
	}
	var buf []byte
	for _, k := range s.key {
		j := slices.Index(idx, k)
		if j < 0 || j >= len(t.Columns) {
			return "", false, nil
		}
		c := value(t, old, j)
		if c.DataType != pglogrepl.TupleDataTypeText {
			return "", false, nil
		}
		buf = binary.AppendUvarint(buf, uint64(len(c.Data)))
		buf = append(buf, c.Data...)
	}
	return string(buf), true, nil
}

// upsert appends an inserted or updated row to the batch.
func (s *changeSource) upsert(rel uint32, t, old *pglogrepl.TupleData) error {
	idx, ok := s.rels[rel]
	if !ok {
		return fmt.Errorf("a change of relation %d came before its description", rel)
	}
	s.changed = true
	vals := make([]*pglogrepl.TupleDataColumn, len(s.cols))
	for j, i := range idx {
		if i >= 0 && j < len(t.Columns) {
			vals[i] = value(t, old, j)
		}
	}
	for i, c := range vals {
		switch {
		case c == nil || c.DataType == pglogrepl.TupleDataTypeNull:
			s.batch.Set(i, nil)
		case c.DataType == pglogrepl.TupleDataTypeToast:
			s.batch.Invalid(i, fmt.Errorf("column %q: the change did not carry this unchanged large value (TOAST); ALTER TABLE %s REPLICA IDENTITY FULL makes it", s.cols[i].Name, s.cfg.Table))
		case s.cols[i].bytea:
			s.setBytea(i, c.Data)
		default:
			s.batch.Set(i, c.Data)
		}
	}
	s.batch.EndRow()
	if len(s.final) > 0 {
		// a key deleted earlier in the run is back
		if k, ok, _ := s.keyOf(rel, t, old); ok {
			delete(s.final, k)
		}
	}
	return nil
}

// remove notes the delete of the key a tuple carries.
func (s *changeSource) remove(rel uint32, t *pglogrepl.TupleData) error {
	if t == nil {
		return errors.New("a delete carried no key (REPLICA IDENTITY NOTHING?)")
	}
	if len(s.key) == 0 {
		return errors.New("a delete came, but the pipeline named no key")
	}
	s.changed = true
	k, ok, err := s.keyOf(rel, t, nil)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("a delete of %s carried no value for a key column: the key must be in the table's replica identity", s.cfg.Table)
	}
	idx := s.rels[rel]
	vals := make([][]byte, len(s.key))
	for n, i := range s.key {
		j := slices.Index(idx, i)
		vals[n] = slices.Clone(t.Columns[j].Data)
	}
	s.final[k] = vals
	return nil
}

// setBytea decodes bytea's hex output.
func (s *changeSource) setBytea(i int, v []byte) {
	src := &Source{batch: s.batch}
	src.setBytea(i, v)
}

// Deleted returns the keys whose last change was a delete, in batches of
// the source's schema (other columns null).
func (s *changeSource) Deleted() []arrow.RecordBatch {
	if s.snap != nil || len(s.final) == 0 {
		return nil
	}
	b := sqlsource.NewBatch(s.env.Allocator(), s.batchColumns(), s.origin, -1)
	defer b.Release()
	var out []arrow.RecordBatch
	for _, vals := range s.final {
		for i := range s.cols {
			n := slices.Index(s.key, i)
			if n < 0 {
				b.Set(i, nil)
				continue
			}
			if s.cols[i].bytea {
				(&Source{batch: b}).setBytea(i, vals[n])
			} else {
				b.Set(i, vals[n])
			}
		}
		b.EndRow()
		if b.Len() >= s.rows {
			out = append(out, b.Flush())
		}
	}
	if b.Len() > 0 {
		out = append(out, b.Flush())
	}
	return out
}

func (s *changeSource) batchColumns() []sqlsource.Column {
	base := make([]sqlsource.Column, len(s.cols))
	for i, col := range s.cols {
		base[i] = col.Column
	}
	return base
}

// Position is the position to store: after the last change read, or ""
// when the run read none (the stored one stays).
func (s *changeSource) Position() string {
	if !s.changed || !s.done && s.snap == nil {
		return ""
	}
	return s.drained.String()
}

// Confirm advances the slot to where the run read (the commit holds it,
// or nothing came before it): the server may recycle the log before it.
func (s *changeSource) Confirm(ctx context.Context) error {
	if s.snap != nil || !s.done || s.drained <= s.confirmed {
		return nil
	}
	pc, err := s.cfg.dial(ctx, s.env, nil)
	if err != nil {
		return err
	}
	defer closeConn(pc)
	err = whileInUse(ctx, func() error {
		_, err := queryRow(ctx, pc, "SELECT pg_catalog.pg_replication_slot_advance($1, $2::pg_lsn)", s.slot, s.drained.String())
		return err
	})
	if err != nil {
		return fmt.Errorf("advancing replication slot %s to %s: %w", s.slot, s.drained, err)
	}
	return nil
}

// Close ends the stream or the snapshot's read; it may be called at any
// time.
func (s *changeSource) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.snap != nil {
		s.snap.Close()
	}
	if s.repl != nil {
		closeConn(s.repl)
		s.repl = nil
	}
	if s.batch != nil {
		s.batch.Release()
	}
	return nil
}
