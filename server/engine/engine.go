package engine

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/security/sandbox"
	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/marts"
	"github.com/sonla-data/kho/warehouse/query"
)

// Options bound what a statement may use.
type Options struct {
	// MemoryLimit is DuckDB's memory_limit of each serving database (e.g. "2GB").
	MemoryLimit string
	// Threads of each serving database; 0: DuckDB's default.
	Threads int
	// TempDir is where the serving databases spill.
	TempDir string
	// Timeout bounds a statement (default 60 s).
	Timeout time.Duration
	// MaxRows bounds the rows of a result (default 100 000); a result cut
	// there is reported as truncated.
	MaxRows int64
	// MaxConcurrent bounds the statements running at once on a database
	// (default 2 × CPUs); more wait for a connection.
	MaxConcurrent int
	// MaterializeRows: tables of at most this many rows are copied into the
	// serving databases' memory at each new snapshot instead of read from
	// their files at each statement (default 100 000; < 0: never). The
	// masked relations that show keyed pseudonyms are views either way.
	MaterializeRows int64
	// PseudonymSecret keys the pseudonyms of identifiers that tokens without
	// the PII grant see (mask.TokenKey); kept, it keeps them stable across
	// restarts. Empty: a random one for the engine's lifetime.
	PseudonymSecret []byte
	// CacheBytes bounds the memory of the result cache (resultCache):
	// answers of statements asked again on the same snapshots (default 64
	// MiB; < 0: no cache).
	CacheBytes int64
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 100_000
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 2 * runtime.NumCPU()
	}
	if o.MaterializeRows == 0 {
		o.MaterializeRows = 100_000
	}
	if o.CacheBytes == 0 {
		o.CacheBytes = 64 << 20
	}
	if len(o.PseudonymSecret) == 0 {
		o.PseudonymSecret = make([]byte, 32)
		_, _ = rand.Read(o.PseudonymSecret) // never fails (crypto/rand)
	}
}

// Event is what a finished statement reports to the metrics.
type Event struct {
	Principal auth.Principal
	Source    string // http | pgwire
	Action    string // sql | mart | download
	Outcome   string // audit outcomes
	Rows      int64
	Duration  time.Duration
}

// Deps are what the engine serves and reports to.
type Deps struct {
	Lake    *lake.Lake
	Schemas *schemas.Set
	Marts   []*marts.Mart
	Audit   *audit.Log
	Log     *slog.Logger
	// Observe, when set, is called after every statement.
	Observe func(Event)
}

// Engine serves the lake to principals.
type Engine struct {
	deps    Deps
	opt     Options
	checker *sandbox.Checker
	masked  *database
	raw     *database

	refreshMu sync.Mutex // one refresh at a time
	mu        sync.RWMutex
	objects   map[string]*Object
	describes map[string]*describe
	gen       int64    // bumped when objects or their columns change
	version   int64    // bumped when a served table is added, dropped or at another snapshot (memos)
	unserved  []string // tables the last refresh could not serve at their current snapshot

	catalogs *catalogCache
	cache    *resultCache // nil when off
	descs    descCache
}

// Open starts the serving databases over the lake and creates the views.
func Open(ctx context.Context, d Deps, opt Options) (*Engine, error) {
	opt.defaults()
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{deps: d, opt: opt, objects: map[string]*Object{}, describes: map[string]*describe{}}
	if opt.CacheBytes > 0 {
		e.cache = newResultCache(opt.CacheBytes)
	}
	var err error
	if e.checker, err = sandbox.NewChecker(ctx); err != nil {
		return nil, err
	}
	dirs, err := e.allowedDirs(ctx)
	if err != nil {
		e.Close()
		return nil, err
	}
	cfg := dbConfig{MemoryLimit: opt.MemoryLimit, Threads: opt.Threads, AllowedDirs: dirs, MaxConns: opt.MaxConcurrent, FreshConns: true}
	if opt.TempDir != "" {
		cfg.TempDir = filepath.Join(opt.TempDir, "masked")
	}
	if e.masked, err = openDatabase(ctx, cfg); err != nil {
		e.Close()
		return nil, err
	}
	if opt.TempDir != "" {
		cfg.TempDir = filepath.Join(opt.TempDir, "pii")
	}
	if e.raw, err = openDatabase(ctx, cfg); err != nil {
		e.Close()
		return nil, err
	}
	e.catalogs = newCatalogCache(16)
	if err := e.Refresh(ctx); err != nil {
		var te *TableError
		if !errors.As(err, &te) {
			e.Close()
			return nil, err
		}
		// Serve the rest; the refreshes retry the tables that failed.
		e.deps.Log.Error("some tables are not served / một số bảng chưa phục vụ được", "err", err)
	}
	return e, nil
}

// allowedDirs are the lake's namespace folders: the views read the Parquet
// files under them, and nothing else (not the catalog database beside them).
func (e *Engine) allowedDirs(ctx context.Context) ([]string, error) {
	root, err := filepath.Abs(e.deps.Lake.Root())
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	add := func(dir string) {
		dir = strings.TrimSuffix(dir, "/") + "/"
		if !seen[dir] {
			seen[dir] = true
			out = append(out, dir)
		}
	}
	for _, d := range schemas.Domains {
		add(filepath.Join(root, d+".db"))
	}
	names, err := e.deps.Lake.Tables(ctx)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		t, err := e.deps.Lake.Load(ctx, n)
		if err != nil {
			// A table whose metadata cannot be read is not served (Refresh
			// names it); it must not keep the others from being served.
			continue
		}
		add(filepath.Dir(lake.LocalPath(t.Location())))
	}
	sort.Strings(out)
	return out, nil
}

// Close stops the databases.
func (e *Engine) Close() error {
	var errs []error
	if e.catalogs != nil {
		errs = append(errs, e.catalogs.close())
	}
	for _, d := range []*database{e.masked, e.raw} {
		if d != nil {
			errs = append(errs, d.close())
		}
	}
	if e.checker != nil {
		errs = append(errs, e.checker.Close())
	}
	return errors.Join(errs...)
}

// TableError lists the tables a refresh could not serve at their new
// snapshot: a table new to the engine is not served, one it served before
// stays at its previous snapshot; the next refresh tries again.
type TableError struct{ Errs []error }

func (e *TableError) Error() string {
	return fmt.Sprintf("%d tables not refreshed: %v", len(e.Errs), errors.Join(e.Errs...))
}

func (e *TableError) Unwrap() []error { return e.Errs }

// Refresh points the views at their tables' current snapshots, adding the
// views of new tables and dropping those of tables gone. A table that fails
// does not stop the others (*TableError).
func (e *Engine) Refresh(ctx context.Context) error {
	e.refreshMu.Lock()
	defer e.refreshMu.Unlock()
	names, err := e.deps.Lake.Tables(ctx)
	if err != nil {
		return err
	}
	present := map[string]bool{}
	changed := false
	var failed []error
	var unserved []string
	for _, name := range names {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d := describeTable(name, e.deps.Schemas, e.deps.Marts)
		if d == nil {
			continue // not served: no schema and no mart
		}
		present[name] = true
		t, err := e.deps.Lake.Load(ctx, name)
		if err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", name, err))
			unserved = append(unserved, name)
			continue
		}
		var snap int64
		var fresh time.Time
		if s := t.CurrentSnapshot(); s != nil {
			snap, fresh = s.SnapshotID, time.UnixMilli(s.TimestampMs)
		}
		e.mu.RLock()
		old := e.objects[name]
		e.mu.RUnlock()
		if old != nil && old.SnapshotID == snap {
			continue
		}
		sel, err := query.SelectSnapshot(ctx, t, 0)
		if err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", name, err))
			unserved = append(unserved, name)
			continue
		}
		rows := lake.RowCount(t)
		obj, err := e.createViews(ctx, d, sel, rows, old)
		if err != nil {
			failed = append(failed, err)
			unserved = append(unserved, name)
			continue
		}
		obj.SnapshotID, obj.Freshness, obj.Rows = snap, fresh, rows
		if old == nil || !sameColumns(old.Columns, obj.Columns) {
			changed = true
		}
		e.mu.Lock()
		e.objects[name], e.describes[name] = obj, d
		e.version++
		e.mu.Unlock()
		if e.cache != nil {
			e.cache.forgetMemos()
		}
		if old != nil && e.cache != nil {
			e.cache.forget(map[string]bool{name: true})
		}
	}
	sort.Strings(unserved)
	e.mu.Lock()
	e.unserved = unserved
	e.mu.Unlock()
	e.mu.RLock()
	var gone []string
	for name := range e.objects {
		if !present[name] {
			gone = append(gone, name)
		}
	}
	e.mu.RUnlock()
	for _, name := range gone {
		o := e.objects[name]
		for _, db := range []*database{e.masked, e.raw} {
			kind := "VIEW"
			if o.materialized && (db == e.raw || !e.describes[name].keyed()) {
				kind = "TABLE"
			}
			if _, err := db.db.ExecContext(ctx, "DROP "+kind+" IF EXISTS "+Ident(o.Schema())+"."+Ident(o.Table())); err != nil {
				return fmt.Errorf("dropping the view of %s: %w", name, err)
			}
		}
		e.mu.Lock()
		delete(e.objects, name)
		delete(e.describes, name)
		e.version++
		e.mu.Unlock()
		if e.cache != nil {
			e.cache.forgetMemos()
		}
		if e.cache != nil {
			e.cache.forget(map[string]bool{name: true})
		}
		changed = true
	}
	if changed {
		e.mu.Lock()
		e.gen++
		e.mu.Unlock()
	}
	if len(failed) > 0 {
		return &TableError{Errs: failed}
	}
	return nil
}

// createViews (re)creates the raw and the masked relation of a table: views
// over its Parquet files, or, for a table of at most Options.MaterializeRows
// rows (marts, reference data), in-memory tables holding the same snapshot,
// so that the dashboard's small requests read no file. The masked database
// holds only masked values either way.
func (e *Engine) createViews(ctx context.Context, d *describe, sel string, rows int64, old *Object) (*Object, error) {
	ns, tbl, _ := strings.Cut(d.obj.Name, ".")
	name := Ident(ns) + "." + Ident(tbl)
	for _, db := range []*database{e.raw, e.masked} {
		if _, err := db.db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+Ident(ns)); err != nil {
			return nil, fmt.Errorf("creating schema %s: %w", ns, err)
		}
	}
	materialize := e.opt.MaterializeRows > 0 && rows <= e.opt.MaterializeRows
	wasMaterialized := old != nil && old.materialized
	if err := replace(ctx, e.raw, name, sel, materialize, old != nil && wasMaterialized != materialize); err != nil {
		return nil, fmt.Errorf("creating the view of %s: %w", d.obj.Name, err)
	}
	rs, err := e.raw.db.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, ns, tbl)
	if err != nil {
		return nil, fmt.Errorf("describing %s: %w", d.obj.Name, err)
	}
	var names, types []string
	for rs.Next() {
		var n, t string
		if err := rs.Scan(&n, &t); err != nil {
			rs.Close()
			return nil, err
		}
		names, types = append(names, n), append(types, t)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	cols := d.columns(names, types)
	masked := "SELECT " + strings.Join(d.maskedSelect(cols), ", ") + " FROM (" + sel + ") AS t"
	// A keyed pseudonym is computed per statement with the token's key: a
	// view (d.keyed is fixed by the schema, so its kind never changes).
	if err := replace(ctx, e.masked, name, masked, materialize && !d.keyed(), old != nil && !d.keyed() && wasMaterialized != materialize); err != nil {
		return nil, fmt.Errorf("creating the masked view of %s: %w", d.obj.Name, err)
	}
	obj := &Object{Object: d.obj, Columns: cols, materialized: materialize}
	obj.Label, obj.LabelEN, obj.Description, obj.Key = d.labels()
	return obj, nil
}

// replace creates or replaces name as a view of sel or a table of its rows;
// kindChanged drops the other kind first, in the same transaction.
func replace(ctx context.Context, db *database, name, sel string, table, kindChanged bool) error {
	kind, other := "VIEW", "TABLE"
	if table {
		kind, other = "TABLE", "VIEW"
	}
	create := "CREATE OR REPLACE " + kind + " " + name + " AS " + sel
	if !kindChanged {
		_, err := db.db.ExecContext(ctx, create)
		return err
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, s := range []string{"BEGIN", "DROP " + other + " IF EXISTS " + name, create, "COMMIT"} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			return err
		}
	}
	return nil
}

func sameColumns(a, b []Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// RefreshEvery refreshes every interval until ctx ends; errors are logged.
func (e *Engine) RefreshEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := e.Refresh(ctx); err != nil && ctx.Err() == nil {
				e.deps.Log.Error("refreshing the views", "err", err)
			}
		}
	}
}

// Objects lists what p may read, by name.
func (e *Engine) Objects(p auth.Principal) []*Object {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []*Object
	for _, o := range e.objects {
		if p.CanRead(o.Object) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// All lists every object served (for metrics).
func (e *Engine) All() []*Object {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]*Object, 0, len(e.objects))
	for _, o := range e.objects {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Object returns the object name when p may read it; false otherwise, the
// same whether it does not exist or p may not read it.
func (e *Engine) Object(p auth.Principal, name string) (*Object, bool) {
	e.mu.RLock()
	o, ok := e.objects[strings.ToLower(name)]
	e.mu.RUnlock()
	if !ok || !p.CanRead(o.Object) {
		return nil, false
	}
	return o, true
}

// policy is p's sandbox policy.
func (e *Engine) policy(p auth.Principal) sandbox.Policy {
	return sandbox.Policy{CanRead: func(schema, table string) bool {
		_, ok := e.Object(p, schema+"."+table)
		return ok
	}}
}

// Unserved lists the tables that the last refresh could not serve at their
// current snapshot (metadata or files that cannot be read): their queries
// fail, or read the snapshot served before, until `kho lake check` or
// `kho lake rollback` repairs them.
func (e *Engine) Unserved() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return append([]string(nil), e.unserved...)
}

// Ready checks that the lake and DuckDB answer.
func (e *Engine) Ready(ctx context.Context) error {
	if _, err := e.deps.Lake.Tables(ctx); err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	for _, d := range []*database{e.masked, e.raw} {
		var one int
		if err := d.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			return fmt.Errorf("duckdb: %w", err)
		}
	}
	return nil
}
