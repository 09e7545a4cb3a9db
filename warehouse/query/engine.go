package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/sonla-data/kho/warehouse/lake"
)

// Options tune the engine.
type Options struct {
	// MemoryLimit is DuckDB's memory_limit (e.g. "2GB"); empty: DuckDB's default.
	MemoryLimit string
	// Threads is DuckDB's thread count; 0: DuckDB's default.
	Threads int
	// TempDir is where DuckDB spills; empty: DuckDB's default.
	TempDir string
	// AsOf pins every view at a point in the past (see AsOf); zero: each
	// table's current snapshot.
	AsOf AsOf
	// Datasets are the datasets the schemas declare: kho.tables lists them
	// with their owner and expectations, loaded or not.
	Datasets []DatasetInfo
}

// Engine is a DuckDB database whose views read the lake.
type Engine struct {
	lake      *lake.Lake
	connector *duckdb.Connector
	db        *sql.DB

	asOf     AsOf
	datasets []DatasetInfo

	mu     sync.Mutex
	views  map[string]viewAt // table -> what its view reads
	travel map[string]int64  // time-travel view -> snapshot id it reads
	system bool              // the kho.* tables exist
	broken map[string]string // table -> why it cannot be read (its view fails with it)
}

// Open starts an in-memory DuckDB over the lake and creates its views.
func Open(ctx context.Context, l *lake.Lake, opt Options) (*Engine, error) {
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("starting DuckDB: %w", err)
	}
	db := sql.OpenDB(c)
	e := &Engine{lake: l, connector: c, db: db, asOf: opt.AsOf, datasets: opt.Datasets,
		views: map[string]viewAt{}, travel: map[string]int64{}, broken: map[string]string{}}
	// Months and days are the province's: Asia/Ho_Chi_Minh (ICU is bundled).
	settings := []string{"SET TimeZone = 'Asia/Ho_Chi_Minh'"}
	if opt.MemoryLimit != "" {
		settings = append(settings, fmt.Sprintf("SET memory_limit = %s", quote(opt.MemoryLimit)))
	}
	if opt.Threads > 0 {
		settings = append(settings, fmt.Sprintf("SET threads = %d", opt.Threads))
	}
	if opt.TempDir != "" {
		settings = append(settings, fmt.Sprintf("SET temp_directory = %s", quote(opt.TempDir)))
	}
	for _, s := range settings {
		if _, err := db.ExecContext(ctx, s); err != nil {
			e.Close()
			return nil, fmt.Errorf("configuring DuckDB (%s): %w", s, err)
		}
	}
	if err := e.Refresh(ctx); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close stops DuckDB.
func (e *Engine) Close() error {
	return errors.Join(e.db.Close(), e.connector.Close())
}

// DB is the database handle (every connection sees the views).
func (e *Engine) DB() *sql.DB { return e.db }

// Connector is DuckDB's connector, for Arrow connections.
func (e *Engine) Connector() *duckdb.Connector { return e.connector }

// Refresh points every view at its table's current snapshot (or the
// snapshot of the engine's AsOf), creating views for new tables, and
// rewrites the kho.tables and kho.snapshots system tables when anything
// changed. Views whose snapshot did not change are left alone.
func (e *Engine) Refresh(ctx context.Context) error {
	names, err := e.lake.Tables(ctx)
	if err != nil {
		return err
	}
	at, err := e.resolve(ctx, e.asOf, names)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	changed := !e.system
	tables := make([]*table.Table, 0, len(names))
	for _, name := range names {
		t, err := e.lake.Load(ctx, name)
		c := false
		if err == nil {
			c, err = e.point(ctx, name, t, at)
		}
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			// A broken table fails its own queries only.
			if berr := e.markBroken(ctx, name, err); berr != nil {
				return berr
			}
			continue
		}
		delete(e.broken, name)
		tables = append(tables, t)
		changed = changed || c
	}
	if changed {
		if err := e.writeSystem(ctx, tables); err != nil {
			return err
		}
		e.system = true
	}
	return nil
}

// RefreshTable points the view of one table at its current snapshot (or
// the engine's AsOf), as Refresh does for all; the system tables are
// rewritten at the next Refresh. A writer calls it after its commit.
func (e *Engine) RefreshTable(ctx context.Context, name string) error {
	t, err := e.lake.Load(ctx, name)
	if err != nil {
		return err
	}
	at, err := e.resolve(ctx, e.asOf, []string{name})
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	changed, err := e.point(ctx, name, t, at)
	if changed {
		e.system = false
	}
	return err
}

// point (re)creates the view of t when what it should read changed.
func (e *Engine) point(ctx context.Context, name string, t *table.Table, at AsOf) (bool, error) {
	// read is 0 for the current snapshot (read with the current schema), a
	// snapshot id in the past (read with its own), or -1.
	read := snapshotFor(t, at)
	snap := read
	if read == 0 && t.CurrentSnapshot() != nil {
		snap = t.CurrentSnapshot().SnapshotID
	}
	// A schema change (a column added) commits no snapshot, but the view of
	// the current snapshot gains the column.
	want := viewAt{snap, t.Metadata().CurrentSchema().ID}
	if v, ok := e.views[name]; ok && v == want {
		return false, nil
	}
	if read < 0 {
		if first := firstSnapshot(t); first != nil {
			// The table began after the time asked for: reading it then is an
			// error that says when it began, not an empty table.
			began := time.UnixMilli(first.TimestampMs).In(hcm).Format("2006-01-02 15:04:05 -07")
			msg := fmt.Sprintf("table %s did not exist at %s: it began at %s (its first snapshot, %d); ask for a time from then on",
				name, at.Time.In(hcm).Format("2006-01-02 15:04:05 -07"), began, first.SnapshotID)
			if err := e.errorView(ctx, name, msg); err != nil {
				return false, err
			}
			e.views[name] = want
			return true, nil
		}
	}
	if err := e.createView(ctx, name, t, read); err != nil {
		return false, err
	}
	e.views[name] = want
	return true, nil
}

// firstSnapshot is the table's oldest snapshot still in its metadata (nil
// when it has none).
func firstSnapshot(t *table.Table) *table.Snapshot {
	var first *table.Snapshot
	for _, s := range t.Metadata().Snapshots() {
		if first == nil || s.TimestampMs < first.TimestampMs {
			s := s
			first = &s
		}
	}
	return first
}

// errorView replaces a table's view by one whose every query fails with msg.
func (e *Engine) errorView(ctx context.Context, name, msg string) error {
	ns, tbl, _ := strings.Cut(name, ".")
	for _, s := range []string{
		"CREATE SCHEMA IF NOT EXISTS " + Ident(ns),
		"CREATE OR REPLACE VIEW " + Ident(ns) + "." + Ident(tbl) + " AS SELECT NULL AS missing FROM range(1) WHERE error(" + quote(msg) + ") IS NULL",
	} {
		if _, err := e.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("creating the view %s: %w", name, err)
		}
	}
	return nil
}

// brokenView marks a view that fails with its table's problem.
var brokenView = viewAt{snapshot: -2, schema: -2}

// markBroken replaces the view of a table that cannot be read by one whose
// every query fails with what is wrong (the file, when known) and the way
// out; the other views, the system tables and the other queries go on.
func (e *Engine) markBroken(ctx context.Context, name string, cause error) error {
	msg := "table " + name + " cannot be read: " + cause.Error()
	if _, probs, err := e.lake.TableState(ctx, name); err == nil && len(probs) > 0 {
		msg = "table " + name + " cannot be read: " + probs[0].String()
	}
	if len(msg) > 1000 {
		msg = msg[:1000] + "…"
	}
	msg += "; run `kho lake check` for the way out (`kho lake rollback`, `kho lake check --repair`, `kho lake restore`)"
	e.broken[name] = msg
	ns, tbl, _ := strings.Cut(name, ".")
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + Ident(ns),
		"CREATE OR REPLACE VIEW " + Ident(ns) + "." + Ident(tbl) + " AS SELECT NULL AS broken FROM range(1) WHERE error(" + quote(msg) + ") IS NULL",
	}
	for _, s := range stmts {
		if _, err := e.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("creating the view of the broken table %s: %w", name, err)
		}
	}
	e.views[name] = brokenView
	return nil
}

// Broken lists the tables that cannot be read, with why.
func (e *Engine) Broken() map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]string, len(e.broken))
	for k, v := range e.broken {
		out[k] = v
	}
	return out
}

// AsOf is the point in time the engine's views read (zero: now).
func (e *Engine) AsOf() AsOf { return e.asOf }

// Snapshot is the snapshot id the view of a table reads (0: the table has
// no snapshot, or no view).
func (e *Engine) Snapshot(name string) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return max(e.views[name].snapshot, 0)
}

// viewAt is what a view reads: a snapshot (-1: none) with a schema.
type viewAt struct {
	snapshot int64
	schema   int
}

// Tables lists the tables the engine has views for.
func (e *Engine) Tables() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.views))
	for n := range e.views {
		out = append(out, n)
	}
	return out
}

// createView (re)creates the view of one table at a snapshot (0: current;
// -1: none, an empty view). view is "namespace.name".
func (e *Engine) createView(ctx context.Context, view string, t *table.Table, snapshotID int64) error {
	var (
		sel string
		err error
	)
	if snapshotID < 0 {
		sel = selectEmpty(t.Schema())
	} else if sel, err = SelectSnapshot(ctx, t, snapshotID); err != nil {
		return err
	}
	ns, tbl, _ := strings.Cut(view, ".")
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + Ident(ns),
		"CREATE OR REPLACE VIEW " + Ident(ns) + "." + Ident(tbl) + " AS " + sel,
	}
	for _, s := range stmts {
		if _, err := e.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("creating the view %s: %w", view, err)
		}
	}
	return nil
}

// SelectSnapshot is a SELECT that reads a table's snapshot (0: current)
// with the snapshot's own schema: its Parquet files, or no rows of the
// right columns when it has none.
func SelectSnapshot(ctx context.Context, t *table.Table, snapshotID int64) (string, error) {
	if snapshotID != 0 {
		if err := lake.CheckSnapshot(t, snapshotID); err != nil {
			return "", err
		}
	}
	files, err := lake.Files(ctx, t, snapshotID)
	if err != nil {
		return "", err
	}
	sc := t.Schema()
	if snapshotID != 0 {
		if s := t.SnapshotByID(snapshotID); s != nil && s.SchemaID != nil {
			for _, old := range t.Metadata().Schemas() {
				if old.ID == *s.SchemaID {
					sc = old
				}
			}
		}
	}
	if len(files.Data) == 0 {
		return selectEmpty(sc), nil
	}
	quoted := make([]string, len(files.Data))
	for i, f := range files.Data {
		quoted[i] = quote(f)
	}
	// Columns are matched by their Iceberg field id (written into every
	// Parquet file), as Iceberg readers do: a column added after a file was
	// written reads as NULL from it, and names never confuse columns.
	cols := make([]string, 0, sc.NumFields())
	byID := make([]string, 0, sc.NumFields())
	for _, f := range sc.Fields() {
		cols = append(cols, Ident(f.Name))
		byID = append(byID, fmt.Sprintf("%d: {name: %s, type: %s, default_value: NULL}", f.ID, quote(f.Name), quote(duckType(f.Type))))
	}
	if len(files.Deletes) == 0 {
		return fmt.Sprintf("SELECT %s FROM read_parquet([%s], schema = MAP {%s})",
			strings.Join(cols, ", "), strings.Join(quoted, ", "), strings.Join(byID, ", ")), nil
	}
	return selectWithDeletes(cols, quoted, byID, files), nil
}

// selectWithDeletes reads data files less the rows their position-delete
// files remove: an anti-join on (data file, row number). Delete files name a
// data file by its location, DuckDB by its path: a VALUES list maps one to
// the other.
func selectWithDeletes(cols, quoted, byID []string, files lake.SnapshotFiles) string {
	locs := make([]string, len(files.Data))
	for i := range files.Data {
		locs[i] = fmt.Sprintf("(%s, %s)", quote(files.DataLocations[i]), quote(files.Data[i]))
	}
	dels := make([]string, len(files.Deletes))
	for i, f := range files.Deletes {
		dels[i] = quote(f)
	}
	return fmt.Sprintf("SELECT %s FROM read_parquet([%s], schema = MAP {%s}, filename = true, file_row_number = true) AS kho_d "+
		"WHERE NOT EXISTS (SELECT 1 FROM read_parquet([%s]) AS kho_x JOIN (VALUES %s) AS kho_m(loc, path) ON kho_x.file_path = kho_m.loc "+
		"WHERE kho_m.path = kho_d.filename AND kho_x.pos = kho_d.file_row_number)",
		strings.Join(cols, ", "), strings.Join(quoted, ", "), strings.Join(byID, ", "),
		strings.Join(dels, ", "), strings.Join(locs, ", "))
}

// selectEmpty is a SELECT of no rows with the columns of a schema.
func selectEmpty(sc *iceberg.Schema) string {
	cols := make([]string, 0, sc.NumFields())
	for _, f := range sc.Fields() {
		cols = append(cols, fmt.Sprintf("CAST(NULL AS %s) AS %s", duckType(f.Type), Ident(f.Name)))
	}
	return "SELECT " + strings.Join(cols, ", ") + " WHERE false"
}

func duckType(t iceberg.Type) string {
	switch t := t.(type) {
	case iceberg.StringType:
		return "VARCHAR"
	case iceberg.Int64Type:
		return "BIGINT"
	case iceberg.Int32Type:
		return "INTEGER"
	case iceberg.Float64Type:
		return "DOUBLE"
	case iceberg.Float32Type:
		return "FLOAT"
	case iceberg.BooleanType:
		return "BOOLEAN"
	case iceberg.DateType:
		return "DATE"
	case iceberg.TimestampTzType:
		return "TIMESTAMPTZ"
	case iceberg.TimestampType:
		return "TIMESTAMP"
	case iceberg.DecimalType:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision(), t.Scale())
	case iceberg.BinaryType, iceberg.FixedType:
		return "BLOB"
	case iceberg.TimeType:
		return "TIME"
	case iceberg.UUIDType:
		return "UUID"
	case iceberg.TimestampTzNsType:
		return "TIMESTAMPTZ"
	case iceberg.TimestampNsType:
		return "TIMESTAMP_NS"
	default:
		return "VARCHAR"
	}
}

// Ident quotes an identifier for DuckDB.
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quote(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
