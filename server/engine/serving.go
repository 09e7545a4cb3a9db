package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// database is one locked-down in-memory DuckDB.
type database struct {
	connector *duckdb.Connector
	db        *sql.DB
}

// dbConfig is how a database is set up before its configuration is locked.
type dbConfig struct {
	MemoryLimit string
	Threads     int
	// TempDir is where the database spills; "" for nowhere (DuckDB's default,
	// <cwd>/.tmp, would be a folder its statements may write).
	TempDir     string
	AllowedDirs []string // folders the views may read (each ends with /)
	MaxConns    int
	Setup       []string // statements run before the lock (macros, schemas)
	// Path opens a database file read-only, which Setup cannot change ("":
	// in memory).
	Path string
	// FreshConns opens a connection for every statement and closes it after:
	// a connection's temporary objects and settings die with it.
	FreshConns bool
}

// openDatabase starts a DuckDB and locks its configuration. Settings are
// global: every connection, the later ones too, has them.
func openDatabase(ctx context.Context, c dbConfig) (*database, error) {
	dsn := ""
	if c.Path != "" {
		dsn = c.Path + "?access_mode=read_only"
	}
	conn, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("starting DuckDB: %w", err)
	}
	d := &database{connector: conn, db: sql.OpenDB(conn)}
	if c.MaxConns > 0 {
		d.db.SetMaxOpenConns(c.MaxConns)
		d.db.SetMaxIdleConns(c.MaxConns)
	}
	if c.FreshConns {
		d.db.SetMaxIdleConns(0)
	}
	stmts := []string{
		"SET GLOBAL TimeZone = 'Asia/Ho_Chi_Minh'",
		"SET GLOBAL autoinstall_known_extensions = false",
		"SET GLOBAL autoload_known_extensions = false",
		"SET GLOBAL allow_community_extensions = false",
		// Lake files never change once written (a commit adds new ones):
		// their Parquet footers are read once.
		"SET GLOBAL parquet_metadata_cache = true",
		// Spilling goes to TempDir or nowhere.
		"SET GLOBAL temp_directory = " + quote(c.TempDir),
	}
	if c.MemoryLimit != "" {
		stmts = append(stmts, "SET GLOBAL memory_limit = "+quote(c.MemoryLimit))
	}
	if c.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET GLOBAL threads = %d", c.Threads))
	}
	stmts = append(stmts, c.Setup...)
	dirs := make([]string, len(c.AllowedDirs))
	for i, d := range c.AllowedDirs {
		dirs[i] = quote(d)
	}
	stmts = append(stmts,
		"SET GLOBAL allowed_directories = ["+strings.Join(dirs, ", ")+"]",
		"SET GLOBAL enable_external_access = false",
		"SET GLOBAL lock_configuration = true",
	)
	for _, s := range stmts {
		if _, err := d.db.ExecContext(ctx, s); err != nil {
			d.close()
			return nil, fmt.Errorf("configuring DuckDB (%s): %w", s, err)
		}
	}
	return d, nil
}

func (d *database) close() error {
	return errors.Join(d.db.Close(), d.connector.Close())
}

// Ident quotes an identifier.
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quote(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
