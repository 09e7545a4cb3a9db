package site

import (
	"context"
	"net/http"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/engine"
)

// Engine is the serving engine the API and the PostgreSQL wire server use
// (*engine.Engine is one): every statement passes the sandbox with the
// reader's policy, reads views masked for the reader's role, runs under a
// time and a row limit and is written to the audit log. The pages read the
// lake through it and through nothing else.
type Engine interface {
	Run(ctx context.Context, q engine.Query, consume func(*engine.Result) error) error
	// Object returns a table the principal may read (false: missing or
	// not allowed).
	Object(p auth.Principal, name string) (*engine.Object, bool)
	// The page cache (engine/memo.go): drawn panels kept under the result
	// cache's bound, per reader scope and served snapshots.
	PageScope(p auth.Principal) (engine.Scope, bool)
	Memo(key string) (any, bool)
	KeepMemo(s engine.Scope, key string, v any, size int64)
	// Replayed audits a statement whose answer a page showed from a memo.
	Replayed(q engine.Query, rows int64, truncated bool)
}

// Statement is one of the pages' own statements (written here, never the
// user's). Its text goes through the sandbox like any other: there is no
// flag that skips it.
type Statement struct {
	// Reader is who reads: the portal's anonymous public, the dashboard's
	// signed-in token (ReaderOf).
	Reader auth.Principal
	SQL    string
	Args   []any
	// Object is the dataset or mart read, for the audit log.
	Object string
	// MaxRows lowers the engine's row limit (0: the engine's).
	MaxRows int64
	// Download reads a whole dataset: no row limit, the download time
	// limit. It is still checked, masked and audited as any statement.
	Download bool
}

// Querier runs the pages' statements through the serving engine.
type Querier struct {
	Engine Engine
	// DownloadTimeout bounds a download (0: the engine's statement limit).
	DownloadTimeout time.Duration
}

func (q *Querier) query(ctx context.Context, st Statement) engine.Query {
	eq := engine.Query{Principal: st.Reader, SQL: st.SQL, Args: st.Args, Source: "http", Action: "page",
		Object: st.Object, Remote: remoteOf(ctx), MaxRows: st.MaxRows}
	if st.Download {
		eq.Action, eq.Unbounded, eq.MaxRows, eq.Timeout = "download", true, 0, q.DownloadTimeout
	}
	return eq
}

// Scan runs st: header gets the column names and DuckDB types, then row
// every row's values (valid during the call only).
func (q *Querier) Scan(ctx context.Context, st Statement, header func(names, types []string) error, row func([]any) error) error {
	var rows int64
	var truncated bool
	err := q.Engine.Run(ctx, q.query(ctx, st), func(res *engine.Result) error {
		defer func() { rows, truncated = res.Rows(), res.Truncated() }()
		return res.Scan(func(cols []engine.ResultColumn) error {
			names, types := make([]string, len(cols)), make([]string, len(cols))
			for i, c := range cols {
				names[i], types[i] = c.Name, c.Type
			}
			return header(names, types)
		}, row)
	})
	recordRan(ctx, st, rows, truncated, err)
	return err
}

// Arrow runs st and hands its batches to fn, valid only inside fn.
func (q *Querier) Arrow(ctx context.Context, st Statement, fn func(array.RecordReader) error) error {
	var rows int64
	var truncated bool
	err := q.Engine.Run(ctx, q.query(ctx, st), func(res *engine.Result) error {
		defer func() { rows, truncated = res.Rows(), res.Truncated() }()
		return res.Arrow(fn)
	})
	recordRan(ctx, st, rows, truncated, err)
	return err
}

// Object returns a table as p may read it (false: missing or not allowed).
func (q *Querier) Object(p auth.Principal, name string) (*engine.Object, bool) {
	return q.Engine.Object(p, name)
}

// ReaderOf is who the engine runs a page's statements as: the principal of
// the signed-in token (RequireRole), else the anonymous public.
func ReaderOf(ctx context.Context) auth.Principal {
	p, ok := ctx.Value(principalKey{}).(Principal)
	switch {
	case !ok:
		return auth.Anonymous()
	case p.Auth.Role != "":
		return p.Auth
	}
	return auth.Principal{Name: p.Name, Role: auth.Role(p.Role)}
}

type remoteKey struct{}

// Client keeps the request's client address in its context, for the audit
// log of the statements the page runs.
func Client(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), remoteKey{}, r.RemoteAddr)))
	})
}

func remoteOf(ctx context.Context) string {
	s, _ := ctx.Value(remoteKey{}).(string)
	return s
}
