package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

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
}

// Engine is a DuckDB database whose views read the lake.
type Engine struct {
	lake      *lake.Lake
	connector *duckdb.Connector
	db        *sql.DB

	mu    sync.Mutex
	views map[string]int64 // table -> snapshot id its view reads
}

// Open starts an in-memory DuckDB over the lake and creates its views.
func Open(ctx context.Context, l *lake.Lake, opt Options) (*Engine, error) {
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("starting DuckDB: %w", err)
	}
	db := sql.OpenDB(c)
	e := &Engine{lake: l, connector: c, db: db, views: map[string]int64{}}
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

// Refresh points every view at its table's current snapshot, creating views
// for new tables. Views whose snapshot did not change are left alone.
func (e *Engine) Refresh(ctx context.Context) error {
	names, err := e.lake.Tables(ctx)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, name := range names {
		t, err := e.lake.Load(ctx, name)
		if err != nil {
			return err
		}
		var snap int64
		if s := t.CurrentSnapshot(); s != nil {
			snap = s.SnapshotID
		}
		if v, ok := e.views[name]; ok && v == snap {
			continue
		}
		if err := e.createView(ctx, name, t, 0); err != nil {
			return err
		}
		e.views[name] = snap
	}
	return nil
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

// createView (re)creates the view of one table at a snapshot (0: current).
func (e *Engine) createView(ctx context.Context, name string, t *table.Table, snapshotID int64) error {
	sel, err := SelectSnapshot(ctx, t, snapshotID)
	if err != nil {
		return err
	}
	ns, tbl, _ := strings.Cut(name, ".")
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + Ident(ns),
		"CREATE OR REPLACE VIEW " + Ident(ns) + "." + Ident(tbl) + " AS " + sel,
	}
	for _, s := range stmts {
		if _, err := e.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("creating the view of %s: %w", name, err)
		}
	}
	return nil
}

// SelectSnapshot is a SELECT that reads a table's snapshot (0: current):
// its Parquet files, or no rows of the right columns when it has none.
func SelectSnapshot(ctx context.Context, t *table.Table, snapshotID int64) (string, error) {
	files, err := lake.DataFiles(ctx, t, snapshotID)
	if err != nil {
		return "", err
	}
	sc := t.Schema()
	if snapshotID != 0 {
		if s := t.SnapshotByID(snapshotID); s != nil && s.SchemaID != nil {
			if old, ok := t.Schemas()[*s.SchemaID]; ok {
				sc = old
			}
		}
	}
	cols := make([]string, 0, sc.NumFields())
	if len(files) == 0 {
		for _, f := range sc.Fields() {
			cols = append(cols, fmt.Sprintf("CAST(NULL AS %s) AS %s", duckType(f.Type), Ident(f.Name)))
		}
		return "SELECT " + strings.Join(cols, ", ") + " WHERE false", nil
	}
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = quote(f)
	}
	for _, f := range sc.Fields() {
		cols = append(cols, Ident(f.Name))
	}
	return fmt.Sprintf("SELECT %s FROM read_parquet([%s], union_by_name = true)", strings.Join(cols, ", "), strings.Join(quoted, ", ")), nil
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
	case iceberg.BinaryType:
		return "BLOB"
	default:
		return "VARCHAR"
	}
}

// Ident quotes an identifier for DuckDB.
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quote(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
