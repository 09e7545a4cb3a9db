package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sonla-data/kho/connectors"
)

// Check connects (with the retries of the config), and reads the columns of
// the table or query with LIMIT 0 — which also checks the right to read
// them — and the incremental column. It reads no row.
func (c *Config) Check(ctx context.Context, env connectors.Env) error {
	if c.CDC() {
		return c.checkCDC(ctx, env)
	}
	cfg, err := c.pgConfig()
	if err != nil {
		return err
	}
	from, origin := c.from(cfg)
	env.State = nil
	conn, err := c.dial(ctx, env, func(ctx context.Context, pc *pgconn.PgConn) error {
		_, err := c.plan(ctx, pc, env, from, origin)
		return err
	})
	if err != nil {
		return fmt.Errorf("checking postgres source %s: %w", origin, err)
	}
	closeConn(conn)
	return nil
}
