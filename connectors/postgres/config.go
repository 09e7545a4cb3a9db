package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

func init() {
	connectors.Register(connectors.Spec{
		Name:      "postgres",
		Summary:   "PostgreSQL database: a table or a read-only query, streamed by a binary COPY in one snapshot, typed columns",
		NewConfig: func() connectors.Config { return NewConfig() },
	})
}

// Config is the `source:` block of a pipeline reading PostgreSQL. The keys are
// those of sqlsource.Spec (dsn, table, query, incremental, batch_rows,
// retries, retry_wait, connect_timeout); README.md lists them.
type Config struct {
	sqlsource.Spec `yaml:",inline"`
	// snapshot, when set, is an exported snapshot (a replication slot's)
	// that the read transaction imports (change data capture, cdc.go).
	snapshot string

	// textCursor reads with a server-side cursor on the text protocol
	// instead of the binary COPY: the reference the tests compare the COPY's
	// batches with, value by value.
	textCursor bool
}

// NewConfig returns a config with its defaults filled in.
func NewConfig() *Config { return &Config{Spec: sqlsource.DefaultSpec()} }

// Validate reports every problem of the config at once, each naming its key.
func (c *Config) Validate() error {
	errs := c.Spec.Validate()
	if c.DSN.Value() != "" {
		if _, err := c.pgConfig(); err != nil {
			errs = append(errs, fmt.Errorf("source.dsn: %w", err))
		}
	}
	return errors.Join(errs...)
}

// pgConfig parses the DSN (a postgres:// URL or key=value pairs). Only
// client_encoding (UTF8) and application_name go in the startup message: the
// settings the values' text depends on are set in the read transaction
// (sessionSettings), which connection poolers such as PgBouncer accept.
func (c *Config) pgConfig() (*pgconn.Config, error) {
	cfg, err := pgconn.ParseConfig(c.DSN.Value())
	if err != nil {
		return nil, sqlsource.Redact(fmt.Errorf("not a PostgreSQL connection string: %w", err), c.DSN.Value())
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = c.Timeout()
	}
	cfg.RuntimeParams["client_encoding"] = "UTF8"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "kho"
	}
	return cfg, nil
}

// sessionSettings start the read transaction and fix, for it alone, how
// values are written: times in UTC and ISO form, intervals in ISO 8601,
// floats exact, bytea in hex.
const sessionSettings = `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SET LOCAL TimeZone = 'UTC';
SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL IntervalStyle = 'iso_8601';
SET LOCAL extra_float_digits = 3;
SET LOCAL bytea_output = 'hex';
SET LOCAL standard_conforming_strings = on`
