package postgres

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// Source streams the rows of one table or query with a binary COPY (or, for
// the tests that compare the two, a server-side cursor on the text
// protocol). Besides connectors.Source it reports the incremental watermark
// (Watermark) once the stream is done.
type Source struct {
	conn    *pgconn.PgConn
	copy    *copyReader // nil when reading the cursor
	plan    *plan
	origin  string
	batch   *sqlsource.Batch
	fetch   string
	rows    int
	buf     []byte
	done    bool
	closed  bool
	started bool // the COPY's header was read
	fetched int  // most rows one FETCH (or one batch of the COPY) returned
}

var _ connectors.Source = (*Source)(nil)

// Open connects (retrying connection failures), describes the table or query,
// opens a read-only REPEATABLE READ transaction and starts the binary COPY of
// the rows: the snapshot every batch is read from is taken here.
func (c *Config) Open(ctx context.Context, env connectors.Env) (connectors.Source, error) {
	if c.CDC() {
		return c.openCDC(ctx, env)
	}
	cfg, err := c.pgConfig()
	if err != nil {
		return nil, err
	}
	from, origin := c.from(cfg)
	s := &Source{origin: origin, rows: c.Rows(env)}
	s.fetch = "FETCH FORWARD " + strconv.Itoa(s.rows) + " FROM " + cursorName
	conn, err := c.dial(ctx, env, func(ctx context.Context, pc *pgconn.PgConn) error {
		p, err := c.plan(ctx, pc, env, from, origin)
		if err != nil {
			return err
		}
		if err := exec(ctx, pc, sessionSettings); err != nil {
			return fmt.Errorf("starting the read transaction: %w", err)
		}
		if c.snapshot != "" {
			if err := exec(ctx, pc, "SET TRANSACTION SNAPSHOT '"+c.snapshot+"'"); err != nil {
				return fmt.Errorf("importing the replication slot's snapshot: %w", err)
			}
		}
		if c.textCursor {
			if _, err := pc.ExecParams(ctx, p.declare, p.args, nil, nil, nil).Close(); err != nil {
				return fmt.Errorf("declaring the cursor: %w", err)
			}
		} else {
			// The snapshot is taken by the COPY's start; the first Next
			// reads its header, and any error of the statement.
			s.copy = startCopy(pc, p.cols, p.copy)
		}
		s.plan = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("opening postgres source %s: %w", origin, err)
	}
	s.conn = conn
	cols := make([]sqlsource.Column, len(s.plan.cols))
	for i, col := range s.plan.cols {
		cols[i] = col.Column
	}
	s.batch = sqlsource.NewBatch(env.Allocator(), cols, origin, s.plan.inc)
	if conn.ParameterStatus("server_encoding") == "UTF8" {
		// PostgreSQL checks every text a UTF8 database stores, and sends it
		// as it is to a UTF8 client (a SQL_ASCII database stores any
		// bytes: those are checked).
		s.batch.TrustUTF8()
	}
	if s.plan.stored != nil {
		s.batch.SetHigh(*s.plan.stored)
	}
	return s, nil
}

// Schema is the typed columns, then _kho_file, _kho_row and _kho_error.
func (s *Source) Schema() *arrow.Schema { return s.batch.Schema() }

// Next fetches the next batch_rows rows from the cursor, or io.EOF. At the
// end the transaction is committed and the connection closed.
func (s *Source) Next(ctx context.Context) (arrow.RecordBatch, error) {
	switch {
	case s.closed:
		return nil, errors.New("postgres source: Next after Close")
	case s.done:
		return nil, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.copy != nil {
		return s.nextCopy(ctx)
	}
	rr := s.conn.ExecParams(ctx, s.fetch, nil, nil, nil, nil)
	if got := len(rr.FieldDescriptions()); got != 0 && got != len(s.plan.cols) {
		rr.Close()
		return nil, s.fail(fmt.Errorf("the cursor returns %d columns, %d were described", got, len(s.plan.cols)))
	}
	n := 0
	for rr.NextRow() {
		vals := rr.Values()
		for i, v := range vals {
			switch {
			case v == nil:
				s.batch.Set(i, nil)
			case s.plan.cols[i].bytea:
				s.setBytea(i, v)
			default:
				s.batch.Set(i, v)
			}
		}
		s.batch.EndRow()
		n++
	}
	if _, err := rr.Close(); err != nil {
		if rec := s.batch.Flush(); rec != nil {
			rec.Release()
		}
		return nil, s.fail(fmt.Errorf("after row %d: %w", s.batch.Rows()-int64(n), err))
	}
	s.fetched = max(s.fetched, n)
	if n < s.rows {
		s.done = true
		if err := s.finish(ctx); err != nil {
			if rec := s.batch.Flush(); rec != nil {
				rec.Release()
			}
			return nil, s.fail(err)
		}
	}
	if n == 0 {
		return nil, io.EOF
	}
	return s.batch.Flush(), nil
}

// nextCopy reads the next batch_rows rows of the binary COPY; ctx's end
// cancels the COPY.
func (s *Source) nextCopy(ctx context.Context) (arrow.RecordBatch, error) {
	stop := context.AfterFunc(ctx, s.copy.cancel)
	defer stop()
	if !s.started {
		s.started = true
		if err := s.copy.header(); err != nil {
			return nil, s.fail(s.ctxErr(ctx, err))
		}
	}
	n, more, err := s.copy.read(s.batch, s.rows)
	if err != nil {
		if rec := s.batch.Flush(); rec != nil {
			rec.Release()
		}
		return nil, s.fail(fmt.Errorf("after row %d: %w", s.batch.Rows()-int64(n), s.ctxErr(ctx, err)))
	}
	s.fetched = max(s.fetched, n)
	if !more {
		s.done = true
		s.copy = nil
		if err := s.finish(ctx); err != nil {
			if rec := s.batch.Flush(); rec != nil {
				rec.Release()
			}
			return nil, s.fail(err)
		}
	}
	if n == 0 {
		return nil, io.EOF
	}
	return s.batch.Flush(), nil
}

var _ connectors.RawDigester = (*Source)(nil)

// DigestRaw implements connectors.RawDigester for the binary COPY of a
// whole table or query (not an incremental read, whose watermark needs the
// values): the digest is of the COPY stream's bytes, after a prelude of
// everything else that decides the batches: the origin (_kho_file), the
// server's encoding (whether text is checked) and each column's name,
// types, wire form and expression.
func (s *Source) DigestRaw(h io.Writer) bool {
	if s.copy == nil || s.started || s.plan.inc >= 0 || s.plan.stored != nil {
		return false
	}
	fmt.Fprintf(h, "kho-pgcopy-1 %q %q %d\n", s.origin, s.conn.ParameterStatus("server_encoding"), len(s.plan.cols))
	for _, c := range s.plan.cols {
		fmt.Fprintf(h, "%q %q %d %d %d %d %q %q\n", c.Name, c.SourceType, c.Kind, c.Precision, c.Scale, c.wire, c.output, c.expr)
	}
	s.copy.tee.w = h
	return true
}

// DrainRaw implements connectors.RawDigester: the rest of the COPY is read
// through the digest, its rows framed and counted but not decoded. At the
// end the transaction is committed and the connection closed, as Next does.
func (s *Source) DrainRaw(ctx context.Context, progress func(int64)) (int64, error) {
	switch {
	case s.closed:
		return 0, errors.New("postgres source: DrainRaw after Close")
	case s.copy == nil || s.copy.tee.w == nil:
		return 0, errors.New("postgres source: DrainRaw without DigestRaw")
	}
	stop := context.AfterFunc(ctx, s.copy.cancel)
	defer stop()
	if !s.started {
		s.started = true
		if err := s.copy.header(); err != nil {
			return 0, s.fail(s.ctxErr(ctx, err))
		}
	}
	var rows int64
	for {
		n, more, err := s.copy.skip(s.rows)
		rows += int64(n)
		if err != nil {
			return rows, s.fail(fmt.Errorf("after row %d: %w", rows, s.ctxErr(ctx, err)))
		}
		if progress != nil {
			progress(rows)
		}
		if !more {
			s.done = true
			s.copy = nil
			if err := s.finish(ctx); err != nil {
				return rows, s.fail(err)
			}
			return rows, nil
		}
	}
}

// ctxErr is ctx's error when ctx ended (the COPY was cancelled for it),
// else err.
func (s *Source) ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

// setBytea decodes bytea's hex output (\x0aff).
func (s *Source) setBytea(i int, v []byte) {
	if len(v) < 2 || v[0] != '\\' || v[1] != 'x' {
		s.batch.Invalid(i, fmt.Errorf("bytea %.20q is not in hex form", v))
		return
	}
	n := hex.DecodedLen(len(v) - 2)
	if cap(s.buf) < n {
		s.buf = make([]byte, n)
	}
	if _, err := hex.Decode(s.buf[:n], v[2:]); err != nil {
		s.batch.Invalid(i, fmt.Errorf("bytea: %w", err))
		return
	}
	s.batch.Set(i, s.buf[:n])
}

// finish commits the read transaction and closes the connection.
func (s *Source) finish(ctx context.Context) error {
	err := exec(ctx, s.conn, "COMMIT")
	closeConn(s.conn)
	s.conn = nil
	if err != nil {
		return fmt.Errorf("ending the read transaction: %w", err)
	}
	return nil
}

// fail ends the stream with an error naming the source.
func (s *Source) fail(err error) error {
	s.done = true
	if s.copy != nil {
		s.copy.stop()
		s.copy = nil
	}
	if s.conn != nil {
		closeConn(s.conn)
		s.conn = nil
	}
	return fmt.Errorf("reading postgres %s: %w", s.origin, err)
}

// Watermark is the highest value of the incremental column read (or the
// stored watermark when no higher one was read), as text: RFC 3339 for times;
// "" without incremental or without any value.
func (s *Source) Watermark() string {
	if m, ok := s.batch.High(); ok {
		return m.String()
	}
	return ""
}

// Close rolls the transaction back and closes the connection; it may be
// called at any time.
func (s *Source) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.copy != nil {
		s.copy.stop()
		s.copy = nil
	}
	if s.conn != nil {
		closeConn(s.conn) // closing the connection ends the transaction
		s.conn = nil
	}
	s.batch.Release()
	return nil
}
