package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the log's driver

	"github.com/sonla-data/kho/internal/sqlitedsn"
)

// Log is the audit log. Record queues an entry and returns at once; a writer
// appends queued entries in batches. Close writes what is queued.
type Log struct {
	db   *sql.DB
	head *sql.DB // the chain's head, in another file (nil: not kept)
	log  *slog.Logger

	queue chan Entry
	done  chan struct{}
	mu    sync.Mutex // serialises appends of this process
	close sync.Once

	queued, written atomic.Int64

	tally      tally
	stopTally  chan struct{}
	tallyEvery time.Duration
}

// Option tunes Open.
type Option func(*Log) error

// WithHead keeps the chain's head (the last entry's id and hash) in the
// SQLite file at path, table audit_head (kho-data/security.db), updated after
// every append, so that Verify finds entries deleted from the end of the
// log: the chain alone cannot show a log cut short.
func WithHead(path string) Option {
	return func(l *Log) error {
		db, err := sql.Open("sqlite", sqlitedsn.File(path, "_pragma=busy_timeout(10000)", "_pragma=journal_mode(WAL)"))
		if err != nil {
			return fmt.Errorf("opening the audit head %s: %w", path, err)
		}
		if _, err := db.Exec(headSchema); err != nil {
			db.Close()
			return fmt.Errorf("creating the audit head in %s: %w", path, err)
		}
		l.head = db
		return nil
	}
}

const headSchema = `CREATE TABLE IF NOT EXISTS audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL, at TEXT NOT NULL)`

const schema = `
CREATE TABLE IF NOT EXISTS audit (
	id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL,
	action TEXT NOT NULL, token_id TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT '',
	remote TEXT NOT NULL DEFAULT '', object TEXT NOT NULL DEFAULT '', sql TEXT NOT NULL DEFAULT '',
	rows INTEGER NOT NULL DEFAULT 0, truncated INTEGER NOT NULL DEFAULT 0, duration_ns INTEGER NOT NULL DEFAULT 0,
	outcome TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`

// migrate adds the columns of later versions to a log made by an earlier one.
func migrate(ctx context.Context, db *sql.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('audit') WHERE name = 'count'`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		_, err := db.ExecContext(ctx, `ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 0`)
		return err
	}
	return nil
}

// Open opens (creating) the log at path; logger reports entries that could
// not be written.
func Open(ctx context.Context, path string, logger *slog.Logger, opts ...Option) (*Log, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db, err := sql.Open("sqlite", sqlitedsn.File(path, "_pragma=busy_timeout(10000)", "_pragma=journal_mode(WAL)", "_pragma=synchronous(NORMAL)"))
	if err != nil {
		return nil, fmt.Errorf("opening the audit log %s: %w", path, err)
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the audit log %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("upgrading the audit log %s: %w", path, err)
	}
	l := &Log{db: db, log: logger, queue: make(chan Entry, 4096), done: make(chan struct{}),
		stopTally: make(chan struct{}), tallyEvery: 5 * time.Second}
	for _, o := range opts {
		if err := o(l); err != nil {
			l.closeDBs()
			return nil, err
		}
	}
	go l.writer()
	go l.tallier()
	return l, nil
}

func (l *Log) closeDBs() error {
	err := l.db.Close()
	if l.head != nil {
		err = errors.Join(err, l.head.Close())
	}
	return err
}

// Record queues an entry. It blocks only when the queue is full.
func (l *Log) Record(e Entry) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	l.queued.Add(1)
	l.queue <- e
}

// Append writes entries now, in one transaction.
func (l *Log) Append(ctx context.Context, es ...Entry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	defer conn.Close()
	// IMMEDIATE: the previous hash read is the last one, even with another
	// process (kho token) appending.
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	last, err := appendTx(ctx, conn, es)
	if err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("writing the audit log: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	// The head follows the commit. A crash between the two leaves the head
	// behind the log, never ahead of it: Verify then reports the entries
	// after the head (checked by the chain only) and the next append moves
	// the head over them. The head never moves back (another process, kho
	// token, appends too).
	if l.head != nil && last.ID > 0 {
		_, err := l.head.ExecContext(ctx, `INSERT INTO audit_head (id, seq, hash, at) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at WHERE excluded.seq > audit_head.seq`,
			last.ID, last.Hash, time.Now().UTC().Format(time.RFC3339Nano))
		if err != nil {
			return fmt.Errorf("writing the audit head (entries up to %d are written): %w", last.ID, err)
		}
	}
	return nil
}

// appendTx appends es and returns the last entry's id and hash.
func appendTx(ctx context.Context, conn *sql.Conn, es []Entry) (Head, error) {
	var prev string
	err := conn.QueryRowContext(ctx, `SELECT hash FROM audit ORDER BY id DESC LIMIT 1`).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Head{}, err
	}
	var last Head
	for _, e := range es {
		if e.At.IsZero() {
			e.At = time.Now()
		}
		e.At = e.At.UTC().Truncate(time.Microsecond)
		h := chain(prev, e)
		res, err := conn.ExecContext(ctx, `INSERT INTO audit (at, kind, source, action, token_id, name, role, remote, object, sql,
			rows, truncated, duration_ns, outcome, reason, count, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			e.At.Format(time.RFC3339Nano), e.Kind, e.Source, e.Action, e.TokenID, e.Name, e.Role, e.Remote, e.Object, e.SQL,
			e.Rows, e.Truncated, int64(e.Duration), e.Outcome, e.Reason, e.Count, h)
		if err != nil {
			return Head{}, err
		}
		if last.ID, err = res.LastInsertId(); err != nil {
			return Head{}, err
		}
		last.Hash, prev = h, h
	}
	return last, nil
}

func (l *Log) writer() {
	defer close(l.done)
	for e := range l.queue {
		batch := []Entry{e}
	drain:
		for len(batch) < 512 {
			select {
			case e, ok := <-l.queue:
				if !ok {
					break drain
				}
				batch = append(batch, e)
			default:
				break drain
			}
		}
		if err := l.Append(context.Background(), batch...); err != nil {
			l.log.Error("audit entries lost / không ghi được nhật ký", "entries", len(batch), "err", err)
		}
		l.written.Add(int64(len(batch)))
	}
}

// Flush writes the tallies counted so far and waits until what was recorded
// before it is written.
func (l *Log) Flush(ctx context.Context) error {
	l.emitTallies(true)
	target := l.queued.Load()
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for l.written.Load() < target {
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Close writes what is queued and closes the file.
func (l *Log) Close() error {
	l.close.Do(func() {
		close(l.stopTally)
		l.emitTallies(true)
		l.tally.mu.Lock()
		l.tally.closed = true
		l.tally.mu.Unlock()
		close(l.queue)
	})
	<-l.done
	return l.closeDBs()
}
