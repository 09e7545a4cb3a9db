package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// Source streams the rows of one table or query. Besides connectors.Source it
// reports the incremental watermark (Watermark) once the stream is done.
type Source struct {
	sess    *session
	plan    *plan
	origin  string
	stmt    *sql.Stmt
	rows    *sql.Rows
	cancel  context.CancelFunc
	batch   *sqlsource.Batch
	size    int
	vals    []any
	ptrs    []any
	done    bool
	closed  bool
	running bool // a statement was started and not read to its end
}

var _ connectors.Source = (*Source)(nil)

// Open connects (retrying connection failures), describes the table or query,
// starts a read-only transaction with a consistent snapshot — the snapshot
// every row is read from is taken here — and prepares the statement, which
// runs on the first Next.
func (c *Config) Open(ctx context.Context, env connectors.Env) (connectors.Source, error) {
	cfg, err := c.myConfig(env.Log())
	if err != nil {
		return nil, err
	}
	from, origin := c.from(cfg)
	s := &Source{origin: origin, size: c.Rows(env)}
	sess, err := c.dial(ctx, env, func(ctx context.Context, conn *sql.Conn) error {
		p, err := c.plan(ctx, conn, env, from, origin)
		if err != nil {
			return err
		}
		for _, q := range []string{
			"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
			"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
		} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("starting the read transaction: %w", err)
			}
		}
		stmt, err := conn.PrepareContext(ctx, p.stmt)
		if err != nil {
			return fmt.Errorf("preparing the statement: %w", err)
		}
		s.plan, s.stmt = p, stmt
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("opening mysql source %s: %w", origin, err)
	}
	s.sess = sess
	cols := make([]sqlsource.Column, len(s.plan.cols))
	for i, col := range s.plan.cols {
		cols[i] = col.Column
	}
	s.batch = sqlsource.NewBatch(env.Allocator(), cols, origin, s.plan.inc)
	if s.plan.stored != nil {
		s.batch.SetHigh(*s.plan.stored)
	}
	s.vals = make([]any, len(cols))
	s.ptrs = make([]any, len(cols))
	for i := range s.vals {
		s.ptrs[i] = &s.vals[i]
	}
	return s, nil
}

// Schema is the typed columns, then _kho_file, _kho_row and _kho_error.
func (s *Source) Schema() *arrow.Schema { return s.batch.Schema() }

// Next reads up to batch_rows rows, or io.EOF. The statement starts on the
// first call; its context is the one of that call, which may stop it at any
// time. At the end the transaction is committed and the connection closed.
func (s *Source) Next(ctx context.Context) (arrow.RecordBatch, error) {
	switch {
	case s.closed:
		return nil, errors.New("mysql source: Next after Close")
	case s.done:
		return nil, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.rows == nil {
		qctx, cancel := context.WithCancel(ctx)
		s.running = true
		rows, err := s.stmt.QueryContext(qctx, s.plan.args...)
		if err != nil {
			cancel()
			return nil, s.fail(err)
		}
		s.rows, s.cancel = rows, cancel
	}
	n := 0
	for n < s.size {
		if !s.rows.Next() {
			if err := s.rows.Err(); err != nil {
				s.discard()
				return nil, s.fail(fmt.Errorf("after row %d: %w", s.batch.Rows()-int64(s.batch.Len()), err))
			}
			s.done = true
			if err := s.finish(ctx); err != nil {
				s.discard()
				return nil, s.fail(err)
			}
			break
		}
		if err := s.rows.Scan(s.ptrs...); err != nil {
			s.discard()
			return nil, s.fail(fmt.Errorf("row %d: %w", s.batch.Rows()+1, err))
		}
		for i, v := range s.vals {
			if b, ok := v.([]byte); ok && s.plan.cols[i].bit {
				v = bitValue(b)
			}
			s.batch.Set(i, v)
		}
		s.batch.EndRow()
		n++
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				s.discard()
				return nil, s.fail(err)
			}
		}
	}
	if n == 0 {
		return nil, io.EOF
	}
	return s.batch.Flush(), nil
}

// discard drops the rows of a batch that cannot be finished.
func (s *Source) discard() {
	if rec := s.batch.Flush(); rec != nil {
		rec.Release()
	}
}

// finish ends the statement and the read transaction and closes the connection.
func (s *Source) finish(ctx context.Context) error {
	s.stopQuery(false)
	_, err := s.sess.conn.ExecContext(ctx, "COMMIT")
	s.sess.close()
	s.sess = nil
	if err != nil {
		return fmt.Errorf("ending the read transaction: %w", err)
	}
	return nil
}

// stopQuery closes the rows; abort first stops the statement on the server
// and cancels it, so that the driver drops the connection instead of reading
// the rest of the result.
func (s *Source) stopQuery(abort bool) {
	if abort && s.running {
		s.sess.kill()
	}
	s.running = false
	if abort && s.cancel != nil {
		s.cancel()
	}
	if s.rows != nil {
		_ = s.rows.Close()
		s.rows = nil
	}
	if s.stmt != nil {
		_ = s.stmt.Close()
		s.stmt = nil
	}
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

// fail ends the stream with an error naming the source.
func (s *Source) fail(err error) error {
	s.done = true
	if s.sess != nil {
		s.stopQuery(true)
		s.sess.close()
		s.sess = nil
	}
	return fmt.Errorf("reading mysql %s: %w", s.origin, err)
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

// Close stops the statement and closes the connection (which ends the
// transaction); it may be called at any time.
func (s *Source) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.sess != nil {
		s.stopQuery(true)
		s.sess.close()
		s.sess = nil
	}
	s.batch.Release()
	return nil
}
