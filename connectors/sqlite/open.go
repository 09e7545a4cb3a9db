package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/sonla-data/kho/connectors"
)

// resolve returns the database path, relative paths taken from env.BaseDir.
func (c *Config) resolve(env connectors.Env) string {
	p := c.Path
	if !filepath.IsAbs(p) && env.BaseDir != "" {
		p = filepath.Join(env.BaseDir, p)
	}
	return p
}

// openDB opens the database file read-only. The file must exist: SQLite would
// otherwise report only "unable to open database file".
func openDB(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("opening sqlite database: %w", err)
	}
	db, err := sql.Open("sqlite", fileURI(path))
	if err != nil {
		return nil, fmt.Errorf("opening sqlite database %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// fileURI is the read-only SQLite URI of a path; characters that mean
// something in a URI are escaped.
func fileURI(path string) string {
	u := url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(path), RawQuery: "mode=ro"}
	return u.String()
}

// Check opens the database and runs SELECT 1; with a table, it also checks
// that the table exists.
func (c *Config) Check(ctx context.Context, env connectors.Env) error {
	path := c.resolve(env)
	db, err := openDB(path)
	if err != nil {
		return err
	}
	defer db.Close()
	var one int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("checking sqlite database %s: %w", path, err)
	}
	if strings.TrimSpace(c.Table) != "" {
		if _, err := tableColumns(ctx, db, c.Table); err != nil {
			return fmt.Errorf("checking sqlite database %s: %w", path, err)
		}
	}
	return nil
}

// tableColumns reads the declared columns of a table or view.
func tableColumns(ctx context.Context, db *sql.DB, qualified string) ([]column, error) {
	schema, table, err := splitTable(qualified)
	if err != nil {
		return nil, fmt.Errorf("source.table: %w", err)
	}
	if schema == "" {
		schema = "main"
	}
	rows, err := db.QueryContext(ctx, "SELECT name, type FROM pragma_table_info(?, ?) ORDER BY cid", table, schema)
	if err != nil {
		return nil, fmt.Errorf("reading columns of %s: %w", qualified, err)
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.declared); err != nil {
			return nil, fmt.Errorf("reading columns of %s: %w", qualified, err)
		}
		c.typ = arrowType(c.declared, false)
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading columns of %s: %w", qualified, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("source.table: no table or view %q in schema %q", table, schema)
	}
	return cols, nil
}

// queryColumns runs the query with LIMIT 0 to learn its columns and their
// declared types.
func queryColumns(ctx context.Context, db *sql.DB, query string) ([]column, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM ("+query+") LIMIT 0")
	if err != nil {
		return nil, fmt.Errorf("source.query: %w", err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("source.query: %w", err)
	}
	cols := make([]column, len(types))
	for i, t := range types {
		cols[i] = column{name: t.Name(), declared: t.DatabaseTypeName(), typ: arrowType(t.DatabaseTypeName(), true)}
	}
	return cols, rows.Err()
}

// cleanQuery trims the query and a trailing semicolon, so that it can be
// wrapped as a subquery.
func cleanQuery(q string) string {
	q = strings.TrimSpace(q)
	for strings.HasSuffix(q, ";") {
		q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	}
	return q
}

// checkColumns refuses result columns that the batch cannot hold: duplicates
// and the reserved provenance names.
func checkColumns(cols []column) error {
	seen := map[string]bool{}
	for _, c := range cols {
		switch {
		case c.name == connectors.ColFile || c.name == connectors.ColRow || c.name == connectors.ColError:
			return fmt.Errorf("column %q has a name reserved for provenance; rename it in a query", c.name)
		case seen[c.name]:
			return fmt.Errorf("column %q appears twice; give the columns distinct names in a query", c.name)
		}
		seen[c.name] = true
	}
	return nil
}
