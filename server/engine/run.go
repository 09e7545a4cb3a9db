package engine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/security/sandbox"
)

// Query is a statement to run for a principal.
type Query struct {
	Principal auth.Principal
	SQL       string
	Args      []any
	Source    string // http | pgwire
	Action    string // sql | mart | download
	Object    string // the mart or dataset, for the audit
	Remote    string // the client's address
	// MaxRows lowers the engine's row limit for this statement (0: the
	// engine's; it cannot be raised).
	MaxRows int64
	// Unbounded lifts the row limit (downloads of a whole table).
	Unbounded bool
	// Timeout bounds the statement: 0 the engine's default.
	Timeout time.Duration
	// Database is the database name the client connected to, which
	// current_database() answers in catalog statements ("": kho).
	Database string
}

// ResultColumn is a column of a result.
type ResultColumn struct {
	Name string
	Type string // DuckDB's type name: VARCHAR, BIGINT, DECIMAL(14,0), TIMESTAMP WITH TIME ZONE…
}

// Result is a statement being run; Scan or Arrow runs it, once.
type Result struct {
	ctx       context.Context
	conn      *sql.Conn
	q         *Query
	sql       string // what runs: the text the sandbox checked
	maxRows   int64
	rows      int64
	truncated bool
	ran       bool

	// acquire gets conn, lazily on a cache hit (Arrow reads no cache).
	acquire func() error
	// key is the result cache's key ("": not cached), tables the tables
	// read; hit is the cached answer.
	key    string
	tables []string
	hit    *cacheEntry
	cache  *resultCache
	// stored is the entry a miss's answer was kept as (Scan).
	stored *cacheEntry
}

// Cacheable reports whether the answer is one the result cache keeps: a
// caller that encodes it may keep the encoding (KeepEncoded).
func (r *Result) Cacheable() bool { return r.key != "" }

// Encoded returns the answer as an earlier request for the same answer
// encoded it in format (KeepEncoded), and marks the result read as Scan
// would (Rows, Truncated): only for an answer from the result cache. The
// statement was checked and is audited as any other.
func (r *Result) Encoded(format string) ([]byte, bool) {
	if r.hit == nil || r.ran {
		return nil, false
	}
	b, ok := r.cache.encoding(r.hit, format)
	if !ok {
		return nil, false
	}
	r.ran = true
	r.rows, r.truncated = int64(len(r.hit.rows)), r.hit.truncated
	return b, true
}

// KeepEncoded keeps body, the whole answer read by Scan encoded in format,
// beside the answer in the result cache (counted in its bound), for
// Encoded; nothing when the answer is not kept.
func (r *Result) KeepEncoded(format string, body []byte) {
	e := r.hit
	if e == nil {
		e = r.stored
	}
	if e != nil && r.ran {
		r.cache.encode(e, format, body)
	}
}

// Rows is the number of rows handed out.
func (r *Result) Rows() int64 { return r.rows }

// Truncated reports whether rows were left out at the row limit.
func (r *Result) Truncated() bool { return r.truncated }

// MaxRows is the row limit (< 0: none).
func (r *Result) MaxRows() int64 { return r.maxRows }

func (r *Result) once() error {
	if r.ran {
		return fmt.Errorf("a result is read once")
	}
	r.ran = true
	return nil
}

// Scan runs the statement: header gets the columns, then row every row's
// values (as database/sql scans them into any; valid during the call only),
// up to the row limit.
func (r *Result) Scan(header func([]ResultColumn) error, row func([]any) error) error {
	if err := r.once(); err != nil {
		return err
	}
	if r.hit != nil {
		return r.replay(header, row)
	}
	var rec *recorder
	if r.key != "" {
		rec = &recorder{e: &cacheEntry{key: r.key, tables: r.tables}, max: r.cache.limit()}
	}
	err := r.conn.Raw(func(dc any) error {
		s, err := prepareOne(dc, r.sql)
		if err != nil {
			return err
		}
		defer s.Close()
		args, err := namedArgs(dc, r.q.Args)
		if err != nil {
			return err
		}
		rows, err := s.QueryContext(r.ctx, args)
		if err != nil {
			return err
		}
		defer rows.Close()
		names := rows.Columns()
		cols := make([]ResultColumn, len(names))
		typed, _ := rows.(driver.RowsColumnTypeDatabaseTypeName)
		for i, n := range names {
			cols[i] = ResultColumn{Name: n}
			if typed != nil {
				cols[i].Type = typed.ColumnTypeDatabaseTypeName(i)
			}
		}
		if rec != nil {
			rec.e.cols = append([]ResultColumn(nil), cols...)
		}
		if err := header(cols); err != nil {
			return err
		}
		dvals := make([]driver.Value, len(cols))
		vals := make([]any, len(cols))
		for {
			if r.rows%1024 == 0 && r.ctx.Err() != nil {
				return context.Cause(r.ctx)
			}
			err := rows.Next(dvals)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if r.maxRows >= 0 && r.rows >= r.maxRows {
				r.truncated = true
				return nil
			}
			for i, v := range dvals {
				vals[i] = v
			}
			if rec != nil {
				rec.row(vals)
			}
			if err := row(vals); err != nil {
				return err
			}
			r.rows++
		}
	})
	if err == nil && rec != nil && !rec.over {
		rec.e.truncated = r.truncated
		r.cache.put(rec.e)
		r.stored = rec.e
	}
	return err
}

// replay hands out a cached answer as Scan would the statement's.
func (r *Result) replay(header func([]ResultColumn) error, row func([]any) error) error {
	if err := header(append([]ResultColumn(nil), r.hit.cols...)); err != nil {
		return err
	}
	vals := make([]any, len(r.hit.cols))
	for _, cached := range r.hit.rows {
		if r.rows%1024 == 0 && r.ctx.Err() != nil {
			return context.Cause(r.ctx)
		}
		copy(vals, cached)
		if err := row(vals); err != nil {
			return err
		}
		r.rows++
	}
	r.truncated = r.hit.truncated
	return nil
}

// prepareOne prepares the text as one statement. DuckDB's driver runs every
// statement of a text but the last when asked with a context (ExecContext,
// QueryContext, PrepareContext) and refuses a text of several only in
// Prepare: the sandbox accepts one statement, and the serving databases run
// no more than one either.
func prepareOne(dc any, text string) (*duckdb.Stmt, error) {
	c, ok := dc.(*duckdb.Conn)
	if !ok {
		return nil, fmt.Errorf("unexpected DuckDB connection type %T", dc)
	}
	ds, err := c.Prepare(text)
	if err != nil {
		return nil, err
	}
	s, ok := ds.(*duckdb.Stmt)
	if !ok {
		ds.Close()
		return nil, fmt.Errorf("unexpected statement type %T", ds)
	}
	return s, nil
}

// namedArgs converts arguments as database/sql does for the driver.
func namedArgs(dc any, args []any) ([]driver.NamedValue, error) {
	checker, _ := dc.(driver.NamedValueChecker)
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv := driver.NamedValue{Ordinal: i + 1, Value: a}
		if na, ok := a.(sql.NamedArg); ok {
			nv.Name, nv.Value = na.Name, na.Value
		}
		err := driver.ErrSkip
		if checker != nil {
			err = checker.CheckNamedValue(&nv)
		}
		if errors.Is(err, driver.ErrSkip) {
			nv.Value, err = driver.DefaultParameterConverter.ConvertValue(nv.Value)
		}
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		out[i] = nv
	}
	return out, nil
}

// Arrow runs the statement through DuckDB's Arrow interface; fn reads the
// batches, cut at the row limit (see Truncated after fn returns).
func (r *Result) Arrow(fn func(array.RecordReader) error) error {
	if err := r.once(); err != nil {
		return err
	}
	if r.conn == nil {
		if err := r.acquire(); err != nil {
			return err
		}
	}
	return r.conn.Raw(func(dc any) error {
		// The Arrow interface takes text: it must be one statement.
		s, err := prepareOne(dc, r.sql)
		if err != nil {
			return err
		}
		s.Close()
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return fmt.Errorf("opening an Arrow connection: %w", err)
		}
		rdr, err := ar.QueryContext(r.ctx, r.sql, r.q.Args...)
		if err != nil {
			return err
		}
		lr := &limitReader{RecordReader: rdr, r: r}
		defer lr.Release()
		return fn(lr)
	})
}

// Run checks q against the sandbox with the principal's policy, runs it
// under its limits and hands the result to consume; then writes the audit
// entry and reports the event, whatever happened. Errors: *sandbox.Refusal,
// *sandbox.SyntaxError, *TimeoutError, *CanceledError, or DuckDB's
// (*duckdb.Error, reachable with errors.As).
func (e *Engine) Run(ctx context.Context, q Query, consume func(*Result) error) error {
	start := time.Now()
	res := &Result{q: &q, maxRows: e.opt.MaxRows}
	switch {
	case q.Unbounded:
		res.maxRows = -1
	case q.MaxRows > 0 && q.MaxRows < res.maxRows:
		res.maxRows = q.MaxRows
	}
	err := e.run(ctx, &q, res, consume)
	e.finish(&q, start, res.rows, res.truncated, err)
	return err
}

func (e *Engine) run(ctx context.Context, q *Query, res *Result, consume func(*Result) error) error {
	db, sql, st, release, err := e.routeData(ctx, q)
	if err != nil {
		return err
	}
	defer release()
	timeout := q.Timeout
	if timeout <= 0 {
		timeout = e.opt.Timeout
	}
	tctx, cancel := context.WithTimeoutCause(ctx, timeout, errTimeout)
	defer cancel()
	res.ctx, res.sql = tctx, sql
	res.acquire = func() error {
		conn, err := db.db.Conn(tctx)
		if err != nil {
			return fmt.Errorf("waiting for a DuckDB connection: %w", err)
		}
		res.conn = conn
		if err := e.setKey(tctx, db, conn, q.Principal); err != nil {
			return err
		}
		return e.setDatabase(tctx, db, conn, q.Database)
	}
	defer func() {
		if res.conn != nil {
			res.conn.Close()
		}
	}()
	if st != nil {
		if res.key, res.tables = e.cacheKey(q, st, res.maxRows); res.key != "" {
			res.cache = e.cache
			res.hit = e.cache.get(res.key)
		}
	}
	if res.hit == nil {
		if err := res.acquire(); err != nil {
			return settle(ctx, tctx, timeout, err)
		}
	}
	return settle(ctx, tctx, timeout, consume(res))
}

// route checks q and picks the database it runs on and the SQL to run
// there: the text the sandbox checked, exactly (a catalog statement's is its
// relocation to CompatSchema, checked again); release frees the database.
func (e *Engine) route(ctx context.Context, q *Query) (*database, string, func(), error) {
	db, sql, _, release, err := e.routeData(ctx, q)
	return db, sql, release, err
}

// routeData is route, also returning the checked statement when it reads
// data views (nil for a catalog statement), for the result cache.
func (e *Engine) routeData(ctx context.Context, q *Query) (db *database, sql string, data *sandbox.Statement, release func(), err error) {
	pol := e.policy(q.Principal)
	st, err := e.checker.Check(ctx, q.SQL, pol)
	if err != nil {
		return nil, "", nil, nil, err
	}
	if st.Catalog() {
		if st, err = e.checker.Relocate(ctx, st, pol, compatRelocation); err != nil {
			return nil, "", nil, nil, err
		}
		db, release, err := e.catalogFor(ctx, q.Principal)
		return db, st.SQL, nil, release, err
	}
	if q.Principal.PII {
		return e.raw, st.SQL, st, func() {}, nil
	}
	return e.masked, st.SQL, st, func() {}, nil
}

// Check runs the sandbox only (no audit): for clients that validate early.
func (e *Engine) Check(ctx context.Context, p auth.Principal, text string) (*sandbox.Statement, error) {
	return e.checker.Check(ctx, text, e.policy(p))
}

func (e *Engine) finish(q *Query, start time.Time, rows int64, truncated bool, err error) {
	d := time.Since(start)
	outcome := Outcome(err)
	if e.deps.Audit != nil {
		e.deps.Audit.Record(audit.Entry{At: start, Kind: audit.KindQuery, Source: q.Source, Action: q.Action,
			TokenID: q.Principal.TokenID, Name: q.Principal.Name, Role: string(q.Principal.Role), Remote: q.Remote,
			Object: q.Object, SQL: q.SQL, Rows: rows, Truncated: truncated, Duration: d, Outcome: outcome, Reason: reason(err)})
	}
	if e.deps.Observe != nil {
		e.deps.Observe(Event{Principal: q.Principal, Source: q.Source, Action: q.Action, Outcome: outcome, Rows: rows, Duration: d})
	}
	if outcome == audit.Error {
		e.deps.Log.Debug("statement failed", "who", q.Principal.Who(), "err", err)
	}
}

// Description is what a statement returns and takes, without running it.
type Description struct {
	Columns []ResultColumn
	Params  []string // DuckDB types of the parameters; "" when DuckDB cannot tell
}

// Describe checks q and prepares it to tell its columns and parameters. A
// refusal is audited; a description that succeeds is not (running it is).
func (e *Engine) Describe(ctx context.Context, q Query) (*Description, error) {
	start := time.Now()
	desc, err := e.describe(ctx, &q)
	if err != nil && Outcome(err) != audit.OK {
		e.finish(&q, start, 0, false, err)
	}
	return desc, err
}

func (e *Engine) describe(ctx context.Context, q *Query) (*Description, error) {
	db, sql, data, release, err := e.routeData(ctx, q)
	if err != nil {
		return nil, err
	}
	defer release()
	var key string
	var gen int64
	if data != nil {
		// A data statement's description depends on its text, the views'
		// columns (gen) and the masking (which database); not on the
		// snapshot nor the token's pseudonym key.
		key = describeKey(db == e.raw, sql)
		var d *Description
		var ok bool
		if d, gen, ok = e.described(key); ok {
			return d, nil
		}
	}
	desc, err := e.prepareDescription(ctx, q, db, sql)
	if err == nil && key != "" {
		e.keepDescription(key, gen, desc)
	}
	return desc, err
}

func (e *Engine) prepareDescription(ctx context.Context, q *Query, db *database, sql string) (*Description, error) {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := e.setKey(ctx, db, conn, q.Principal); err != nil {
		return nil, err
	}
	if err := e.setDatabase(ctx, db, conn, q.Database); err != nil {
		return nil, err
	}
	var desc Description
	err = conn.Raw(func(dc any) error {
		s, err := prepareOne(dc, sql)
		if err != nil {
			return err
		}
		defer s.Close()
		for i := 1; i <= s.NumInput(); i++ {
			t, err := s.ParamType(i)
			if err != nil {
				desc.Params = append(desc.Params, "")
				continue
			}
			desc.Params = append(desc.Params, typeName(t, nil))
		}
		n, err := s.ColumnCount()
		if err != nil {
			return err
		}
		for i := range n {
			name, err := s.ColumnName(i)
			if err != nil {
				return err
			}
			t, err := s.ColumnType(i)
			if err != nil {
				return err
			}
			info, _ := s.ColumnTypeInfo(i)
			desc.Columns = append(desc.Columns, ResultColumn{Name: name, Type: typeName(t, info)})
		}
		return nil
	})
	return &desc, err
}
