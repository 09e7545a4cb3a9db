package engine

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/security/mask"
)

// setKey gives a connection of db the pseudonym key of p before p's
// statement runs on it (mask.KeyVariable): on the masked database, the views
// show identifiers as pseudonyms keyed by it. Connections are shared by
// tokens, so it is set before every statement. The key is hex (no quoting
// issue), never in the statement p wrote, and p's SQL cannot read it (the
// sandbox refuses getvariable and SET).
func (e *Engine) setKey(ctx context.Context, db *database, conn *sql.Conn, p auth.Principal) error {
	if db != e.masked {
		return nil
	}
	if _, err := conn.ExecContext(ctx, "SET VARIABLE "+mask.KeyVariable+" = '"+mask.TokenKey(e.opt.PseudonymSecret, p.TokenID)+"'"); err != nil {
		return fmt.Errorf("preparing the connection: %w", err)
	}
	return nil
}

// setDatabase tells a catalog database's connection the database name the
// client connected to (current_database()).
func (e *Engine) setDatabase(ctx context.Context, db *database, conn *sql.Conn, name string) error {
	if db == e.masked || db == e.raw || name == "" {
		return nil
	}
	if _, err := conn.ExecContext(ctx, "SET VARIABLE "+databaseVariable+" = "+quote(name)); err != nil {
		return fmt.Errorf("preparing the connection: %w", err)
	}
	return nil
}
