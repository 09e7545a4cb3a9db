package sampledata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	_ "modernc.org/sqlite" // driver "sqlite"
)

// batchSize is the number of rows per SQLite transaction.
const batchSize = 5000

// createDB replaces path with a new SQLite database holding the schema.
func createDB(ctx context.Context, path string, schema ...string) (*sql.DB, error) {
	for _, p := range []string{path, path + "-journal", path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("removing %s: %w", p, err)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	stmts := append([]string{"PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF"}, schema...)
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, fmt.Errorf("creating schema of %s: %w", path, err)
		}
	}
	return db, nil
}

// inserter writes rows with one prepared statement, committing every batchSize rows.
type inserter struct {
	db    *sql.DB
	query string
	tx    *sql.Tx
	stmt  *sql.Stmt
	n     int
}

func newInserter(db *sql.DB, query string) *inserter { return &inserter{db: db, query: query} }

func (w *inserter) add(ctx context.Context, args ...any) error {
	if w.tx == nil {
		tx, err := w.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("beginning transaction: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, w.query)
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("preparing %q: %w", w.query, err)
		}
		w.tx, w.stmt = tx, stmt
	}
	if _, err := w.stmt.ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("inserting row %d: %w", w.n+1, err)
	}
	w.n++
	if w.n%batchSize == 0 {
		return w.commit()
	}
	return nil
}

func (w *inserter) commit() error {
	if w.tx == nil {
		return nil
	}
	w.stmt.Close()
	err := w.tx.Commit()
	w.tx, w.stmt = nil, nil
	if err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// close commits what is left; after an error it rolls back.
func (w *inserter) close(err error) error {
	if err != nil {
		if w.tx != nil {
			w.stmt.Close()
			w.tx.Rollback()
			w.tx = nil
		}
		return err
	}
	return w.commit()
}
