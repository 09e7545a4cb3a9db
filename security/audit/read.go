package audit

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Filter selects entries.
type Filter struct {
	Since   time.Time
	User    string // token id or name
	Outcome string
	Limit   int // 0: 1000
}

const entryCols = `id, at, kind, source, action, token_id, name, role, remote, object, sql, rows, truncated, duration_ns, outcome, reason, hash`

func scanEntry(sc interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var at string
	var dur int64
	err := sc.Scan(&e.ID, &at, &e.Kind, &e.Source, &e.Action, &e.TokenID, &e.Name, &e.Role, &e.Remote, &e.Object, &e.SQL,
		&e.Rows, &e.Truncated, &dur, &e.Outcome, &e.Reason, &e.Hash)
	e.At, _ = time.Parse(time.RFC3339Nano, at)
	e.Duration = time.Duration(dur)
	return e, err
}

// Entries returns the entries f selects, oldest first (the newest Limit).
func (l *Log) Entries(ctx context.Context, f Filter) ([]Entry, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, f.Since.UTC().Format(time.RFC3339Nano))
	}
	if f.User != "" {
		where = append(where, "(token_id = ? OR name = ?)")
		args = append(args, f.User, f.User)
	}
	if f.Outcome != "" {
		where = append(where, "outcome = ?")
		args = append(args, f.Outcome)
	}
	q := `SELECT ` + entryCols + ` FROM audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	q = `SELECT * FROM (` + q + ` ORDER BY id DESC LIMIT ?) ORDER BY id`
	args = append(args, limit)
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("reading the audit log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Verify recomputes the hash chain and returns the number of entries
// checked, or an error naming the first entry that does not match.
func (l *Log) Verify(ctx context.Context) (int64, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT `+entryCols+` FROM audit ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("reading the audit log: %w", err)
	}
	defer rows.Close()
	var prev string
	var n int64
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return n, fmt.Errorf("reading the audit log: %w", err)
		}
		if want := chain(prev, e); want != e.Hash {
			return n, fmt.Errorf("mục %d của nhật ký đã bị sửa / audit entry %d was altered", e.ID, e.ID)
		}
		prev = e.Hash
		n++
	}
	return n, rows.Err()
}
