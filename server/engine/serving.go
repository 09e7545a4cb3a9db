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
	TempDir     string
	AllowedDirs []string // folders the views may read (each ends with /)
	MaxConns    int
	Setup       []string // statements run before the lock (macros, schemas)
}

// openDatabase starts a DuckDB and locks its configuration.
func openDatabase(ctx context.Context, c dbConfig) (*database, error) {
	conn, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("starting DuckDB: %w", err)
	}
	d := &database{connector: conn, db: sql.OpenDB(conn)}
	if c.MaxConns > 0 {
		d.db.SetMaxOpenConns(c.MaxConns)
		d.db.SetMaxIdleConns(c.MaxConns)
	}
	stmts := []string{
		"SET TimeZone = 'Asia/Ho_Chi_Minh'",
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET allow_community_extensions = false",
		// Lake files never change once written (a commit adds new ones):
		// their Parquet footers are read once.
		"SET parquet_metadata_cache = true",
	}
	if c.MemoryLimit != "" {
		stmts = append(stmts, "SET memory_limit = "+quote(c.MemoryLimit))
	}
	if c.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET threads = %d", c.Threads))
	}
	if c.TempDir != "" {
		stmts = append(stmts, "SET temp_directory = "+quote(c.TempDir))
	}
	stmts = append(stmts, c.Setup...)
	dirs := make([]string, len(c.AllowedDirs))
	for i, d := range c.AllowedDirs {
		dirs[i] = quote(d)
	}
	stmts = append(stmts,
		"SET allowed_directories = ["+strings.Join(dirs, ", ")+"]",
		"SET enable_external_access = false",
		"SET lock_configuration = true",
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
