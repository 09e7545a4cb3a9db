package site

import (
	"context"
	"sync"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/engine"
)

// A page that keeps what it drew (the dashboard's panels) in the engine's
// page cache records the statements it ran to draw it (Recording); a reader
// later shown the kept panels has each of those statements audited as its
// own (Replay), with its name, token and address, so the audit log tells
// who saw which figures whether they were drawn or kept.

// Ran is a statement a page ran, with what it gave.
type Ran struct {
	Statement Statement
	Rows      int64
	Truncated bool
	Failed    bool
}

// Recorded collects the statements run under a Recording context.
type Recorded struct {
	mu     sync.Mutex
	ran    []Ran
	unkept bool
}

// Unkept marks what is drawn under ctx (a Recording) as not to be kept: it
// met an error that was not a statement's (the lake's catalog, say).
func Unkept(ctx context.Context) {
	if r, _ := ctx.Value(recordKey{}).(*Recorded); r != nil {
		r.mu.Lock()
		r.unkept = true
		r.mu.Unlock()
	}
}

// Ran returns the statements run so far, in order.
func (r *Recorded) Ran() []Ran {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Ran(nil), r.ran...)
}

// Failed reports whether a statement failed, or Unkept was called.
func (r *Recorded) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.unkept {
		return true
	}
	for _, x := range r.ran {
		if x.Failed {
			return true
		}
	}
	return false
}

type recordKey struct{}

// Recording returns ctx recording the statements the Querier runs under it.
func Recording(ctx context.Context) (context.Context, *Recorded) {
	r := &Recorded{}
	return context.WithValue(ctx, recordKey{}, r), r
}

func recordRan(ctx context.Context, st Statement, rows int64, truncated bool, err error) {
	r, _ := ctx.Value(recordKey{}).(*Recorded)
	if r == nil {
		return
	}
	st.Reader = auth.Principal{} // Replay puts the reader of the request that shows it
	r.mu.Lock()
	r.ran = append(r.ran, Ran{Statement: st, Rows: rows, Truncated: truncated, Failed: err != nil})
	r.mu.Unlock()
}

// PageScope is the page cache's scope of the request's reader (ReaderOf);
// false when the engine keeps no pages.
func (q *Querier) PageScope(ctx context.Context) (engine.Scope, bool) {
	return q.Engine.PageScope(ReaderOf(ctx))
}

// Memo returns the value a page kept under key.
func (q *Querier) Memo(key string) (any, bool) { return q.Engine.Memo(key) }

// KeepMemo keeps a page's value under key in scope s.
func (q *Querier) KeepMemo(s engine.Scope, key string, v any, size int64) {
	q.Engine.KeepMemo(s, key, v, size)
}

// Replay audits the statements behind kept panels as run for the request's
// reader and client.
func (q *Querier) Replay(ctx context.Context, ran []Ran) {
	reader := ReaderOf(ctx)
	for _, r := range ran {
		st := r.Statement
		st.Reader = reader
		q.Engine.Replayed(q.query(ctx, st), r.Rows, r.Truncated)
	}
}
