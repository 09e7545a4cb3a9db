package audit

import (
	"context"
	"database/sql"
	"errors"
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

const entryCols = `id, at, kind, source, action, token_id, name, role, remote, object, sql, rows, truncated, duration_ns, outcome, reason, count, hash`

func scanEntry(sc interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var at string
	var dur int64
	err := sc.Scan(&e.ID, &at, &e.Kind, &e.Source, &e.Action, &e.TokenID, &e.Name, &e.Role, &e.Remote, &e.Object, &e.SQL,
		&e.Rows, &e.Truncated, &dur, &e.Outcome, &e.Reason, &e.Count, &e.Hash)
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

// Head is the chain's head: the id and hash of the last entry written.
type Head struct {
	ID   int64     `json:"seq"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at,omitzero"` // when it was recorded
}

// Verified is what Verify checked.
type Verified struct {
	Entries int64 // entries whose chain was recomputed
	Last    Head  // the log's last entry
	Head    *Head // the head recorded outside the log; nil when not kept (WithHead) or not yet written
	// After are entries after the recorded head: written by a process that
	// stopped before it recorded the head (a crash); the chain checks them,
	// the head does not, until the next append.
	After int64
}

// Verify recomputes the hash chain and compares its end with the head kept
// outside the log (WithHead). It returns what it checked, or an error naming
// the first entry that does not match, or the entries missing from the end.
func (l *Log) Verify(ctx context.Context) (Verified, error) {
	var v Verified
	var head *Head
	if l.head != nil {
		var h Head
		var at string
		err := l.head.QueryRowContext(ctx, `SELECT seq, hash, at FROM audit_head WHERE id = 1`).Scan(&h.ID, &h.Hash, &at)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return v, fmt.Errorf("reading the audit head: %w", err)
		default:
			h.At, _ = time.Parse(time.RFC3339Nano, at)
			head = &h
		}
	}
	v.Head = head
	rows, err := l.db.QueryContext(ctx, `SELECT `+entryCols+` FROM audit ORDER BY id`)
	if err != nil {
		return v, fmt.Errorf("reading the audit log: %w", err)
	}
	defer rows.Close()
	var prev string
	seenHead := false
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return v, fmt.Errorf("reading the audit log: %w", err)
		}
		if want := chain(prev, e); want != e.Hash {
			return v, fmt.Errorf("mục %d của nhật ký đã bị sửa / audit entry %d was altered", e.ID, e.ID)
		}
		if head != nil {
			switch {
			case e.ID == head.ID:
				if e.Hash != head.Hash {
					return v, fmt.Errorf("mục %d không khớp với đầu chuỗi ghi trong security.db / audit entry %d does not match the head recorded in security.db (hash %.16s…): the log was rewritten", e.ID, e.ID, head.Hash)
				}
				seenHead = true
			case e.ID > head.ID:
				if !seenHead {
					return v, fmt.Errorf("mục %d của nhật ký đã bị xoá / audit entry %d, the head recorded in security.db, was deleted", head.ID, head.ID)
				}
				v.After++
			}
		}
		prev = e.Hash
		v.Last = Head{ID: e.ID, Hash: e.Hash}
		v.Entries++
	}
	if err := rows.Err(); err != nil {
		return v, err
	}
	if head != nil && !seenHead {
		return v, fmt.Errorf("nhật ký bị cắt: mục cuối là %d nhưng đầu chuỗi ghi trong security.db là mục %d / the audit log was cut short: "+
			"its last entry is %d but the head recorded in security.db is entry %d (hash %.16s…, %s): entries %d to %d were deleted",
			v.Last.ID, head.ID, v.Last.ID, head.ID, head.Hash, head.At.Format(time.RFC3339), v.Last.ID+1, head.ID)
	}
	if l.head != nil && head == nil && v.Entries > 0 {
		return v, fmt.Errorf("security.db không có đầu chuỗi của nhật ký / security.db holds no head of the audit chain, so a log cut short cannot be told "+
			"from a whole one (%d entries; the head is recorded from the first entry written by this version of Kho)", v.Entries)
	}
	return v, nil
}
