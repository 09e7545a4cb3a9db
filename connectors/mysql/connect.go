package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// session is one connection of a source, with the pool that made it (one
// connection at most).
type session struct {
	db        *sql.DB
	conn      *sql.Conn
	connector driver.Connector
	id        int64 // the server's CONNECTION_ID()
}

// killTimeout bounds the KILL QUERY sent when a read is stopped.
const killTimeout = 5 * time.Second

// kill stops the session's running statement on the server, from another
// connection: closing the socket alone would leave a statement that sends
// nothing for a while (a sort, SLEEP) running on the department's server.
func (s *session) kill() {
	if s.id == 0 {
		return
	}
	db := sql.OpenDB(s.connector)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), killTimeout)
	defer cancel()
	_, _ = db.ExecContext(ctx, "KILL QUERY "+strconv.FormatInt(s.id, 10))
}

// close ends the connection and its transaction.
func (s *session) close() {
	if s.conn != nil {
		_ = s.conn.Close()
	}
	_ = s.db.Close()
}

// dial connects, then runs setup on the new connection, retrying both with
// the config's backoff while the failure is a connection failure. Errors show
// no password.
func (c *Config) dial(ctx context.Context, env connectors.Env, setup func(context.Context, *sql.Conn) error) (*session, error) {
	cfg, err := c.myConfig(env.Log())
	if err != nil {
		return nil, err
	}
	secrets := []string{c.DSN.Value(), cfg.Passwd}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, sqlsource.Redact(err, secrets...)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	s := &session{db: db, connector: connector}
	err = c.Backoff().Do(ctx, env.Log(), "connecting to "+server(cfg), retryable, func(ctx context.Context) error {
		conn, err := db.Conn(ctx)
		if err == nil {
			err = conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&s.id)
		}
		if err == nil && setup != nil {
			err = setup(ctx, conn)
		}
		if err != nil {
			if conn != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // drop it from the pool
				_ = conn.Close()
			}
			return sqlsource.Redact(err, secrets...)
		}
		s.conn = conn
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// retryable tells a connection failure (refused, reset, lost, too many
// connections, a server shutting down) from an SQL error or a bad password,
// which are never retried.
func retryable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1040, 1053, 1203, 1927, 2002, 2003, 2006, 2013:
			return true
		}
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

// server names the server and database without user or password:
// mysql://host:port/db.
func server(cfg *mysql.Config) string {
	return "mysql://" + cfg.Addr + "/" + cfg.DBName
}

// quote quotes an identifier for MySQL.
func quote(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// from is the FROM clause of the config's table or query, and the origin
// written in _kho_file.
func (c *Config) from(cfg *mysql.Config) (from, origin string) {
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
