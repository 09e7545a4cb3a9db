package lake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"time"
)

// ErrLocked is returned when a table's lock could not be taken in time:
// another process (or another run in this one) is writing the table.
var ErrLocked = errors.New("the table is being written by someone else")

// lockPoll is how often a waiting writer tries the lock again.
const lockPoll = 100 * time.Millisecond

// Lock takes the single-writer lock of a table ("namespace.table") and
// returns the function that releases it. Every writer of the lake — the
// pipeline runner, the marts builder, compaction, expiry and rollback — holds
// it around its read-modify-commit, so two writers never race on one table
// and maintenance never removes what a writer is about to reference.
//
// It waits while the lock is held elsewhere, until ctx ends or the lake's
// lock_timeout passes (then the error wraps ErrLocked). With the PostgreSQL
// catalog the lock is a session advisory lock in the catalog database, so it
// holds across machines; with SQLite it is an flock on a file under
// <root>/.locks. Both are released by the operating system or the server if
// the process dies. The lock is not re-entrant: do not take it twice.
func (l *Lake) Lock(ctx context.Context, name string) (unlock func(), err error) {
	if _, err := Ident(name); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, l.lockTimeout)
	defer cancel()
	if l.kind == "postgres" {
		return l.pgLock(ctx, name)
	}
	return l.fileLock(ctx, name)
}

// pgLock holds a PostgreSQL advisory lock on a connection of its own.
func (l *Lake) pgLock(ctx context.Context, name string) (func(), error) {
	conn, err := l.db.Conn(context.WithoutCancel(ctx))
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", name, err)
	}
	key := lockKey(name)
	for {
		var ok bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
			conn.Close()
			return nil, lockErr(ctx, name, err)
		}
		if ok {
			return pgUnlock(conn, key), nil
		}
		if err := sleep(ctx); err != nil {
			conn.Close()
			return nil, lockErr(ctx, name, err)
		}
	}
}

// pgUnlock releases the advisory lock key held by conn and closes conn. It
// takes a fresh context: the unlock must happen even after the caller's
// context ended.
func pgUnlock(conn *sql.Conn, key int64) func() {
	return func() {
		uctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(uctx, "SELECT pg_advisory_unlock($1)", key)
		conn.Close()
	}
}

// fileLock holds an exclusive flock on <root>/.locks/<name>.lock, whose
// content says who holds it.
func (l *Lake) fileLock(ctx context.Context, name string) (func(), error) {
	dir := filepath.Join(l.root, ".locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("locking %s: %w", name, err)
	}
	path := filepath.Join(dir, name+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", name, err)
	}
	for {
		ok, err := tryLockFile(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", name, err)
		}
		if ok {
			host, _ := os.Hostname()
			_ = f.Truncate(0)
			_, _ = f.WriteAt(fmt.Appendf(nil, "pid %d on %s since %s\n", os.Getpid(), host, time.Now().Format(time.RFC3339)), 0)
			return func() {
				_ = unlockFile(f)
				f.Close()
			}, nil
		}
		if err := sleep(ctx); err != nil {
			holder, _ := os.ReadFile(path)
			f.Close()
			return nil, lockErr(ctx, name, fmt.Errorf("%w (held by %s)", err, trimNL(string(holder))))
		}
	}
}

func sleep(ctx context.Context) error {
	t := time.NewTimer(lockPoll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func lockErr(ctx context.Context, name string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("locking %s: %w: %w", name, ErrLocked, err)
	}
	return fmt.Errorf("locking %s: %w", name, err)
}

// lockKey is the advisory-lock key of a table: a hash of the catalog's name
// and the table's.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(CatalogName + "\x00" + name))
	return int64(h.Sum64())
}

func trimNL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	if s == "" {
		return "another process"
	}
	return s
}
