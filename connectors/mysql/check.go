package mysql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sonla-data/kho/connectors"
)

// Check connects (with the retries of the config), and reads the columns of
// the table or query with LIMIT 0 — which also checks the right to read
// them — and the incremental column. It reads no row.
func (c *Config) Check(ctx context.Context, env connectors.Env) error {
	cfg, err := c.myConfig(env.Log())
	if err != nil {
		return err
	}
	from, origin := c.from(cfg)
	env.State = nil
	sess, err := c.dial(ctx, env, func(ctx context.Context, conn *sql.Conn) error {
		_, err := c.plan(ctx, conn, env, from, origin)
		return err
	})
	if err != nil {
		return fmt.Errorf("checking mysql source %s: %w", origin, err)
	}
	sess.close()
	return nil
}
