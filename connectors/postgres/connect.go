package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// closeTimeout bounds the goodbye to the server when a source closes.
const closeTimeout = 5 * time.Second

// dial connects, then runs setup on the new connection, retrying both with
// the config's backoff while the failure is a connection failure. Errors show
// no password.
func (c *Config) dial(ctx context.Context, env connectors.Env, setup func(context.Context, *pgconn.PgConn) error) (*pgconn.PgConn, error) {
	cfg, err := c.pgConfig()
	if err != nil {
		return nil, err
	}
	secrets := []string{c.DSN.Value(), cfg.Password}
	var conn *pgconn.PgConn
	err = c.Backoff().Do(ctx, env.Log(), "connecting to "+server(cfg), retryable, func(ctx context.Context) error {
		pc, err := pgconn.ConnectConfig(ctx, cfg)
		if err != nil {
			return sqlsource.Redact(err, secrets...)
		}
		if setup != nil {
			if err := setup(ctx, pc); err != nil {
				closeConn(pc)
				return sqlsource.Redact(err, secrets...)
			}
		}
		conn = pc
		return nil
	})
	return conn, err
}

// retryable tells a connection failure (refused, reset, timed out, a server
// starting up or shutting down, too many connections) from an SQL error or a
// bad password, which are never retried.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03", "53300":
			return true
		}
		return strings.HasPrefix(pe.Code, "08")
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err)
}

// server names the server and database without user or password:
// postgres://host:port/db.
func server(cfg *pgconn.Config) string {
	return "postgres://" + net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))) + "/" + cfg.Database
}

// closeConn ends a connection, the transaction with it, within closeTimeout.
func closeConn(pc *pgconn.PgConn) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = pc.Close(ctx)
}

// exec runs statements without parameters and reads their results.
func exec(ctx context.Context, pc *pgconn.PgConn, sql string) error {
	_, err := pc.Exec(ctx, sql).ReadAll()
	return err
}

// literal quotes a string constant for PostgreSQL; the read transaction sets
// standard_conforming_strings, so a backslash is itself.
func literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// quote quotes an identifier for PostgreSQL.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// from is the FROM clause of the config's table or query, and the origin
// written in _kho_file.
func (c *Config) from(cfg *pgconn.Config) (from, origin string) {
	if strings.TrimSpace(c.Table) != "" {
		schema, table, _ := sqlsource.SplitTable(c.Table)
		from = quote(table)
		if schema != "" {
			from = quote(schema) + "." + from
		}
		return from, server(cfg) + "/" + strings.TrimSpace(c.Table)
	}
	return "(" + sqlsource.CleanQuery(c.Query) + ") AS _kho_query", server(cfg) + " (query)"
}
