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
		Summary:   "PostgreSQL database: a table or a read-only query, streamed by a server-side cursor, typed columns",
		NewConfig: func() connectors.Config { return NewConfig() },
	})
}

// Config is the `source:` block of a pipeline reading PostgreSQL. The keys are
// those of sqlsource.Spec (dsn, table, query, incremental, batch_rows,
// retries, retry_wait, connect_timeout); README.md lists them.
type Config struct {
	sqlsource.Spec `yaml:",inline"`
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

// pgConfig parses the DSN (a postgres:// URL or key=value pairs) and sets the
// session parameters the source relies on: times in UTC and ISO form, exact
// float output, ISO 8601 intervals.
func (c *Config) pgConfig() (*pgconn.Config, error) {
	cfg, err := pgconn.ParseConfig(c.DSN.Value())
	if err != nil {
		return nil, sqlsource.Redact(fmt.Errorf("not a PostgreSQL connection string: %w", err), c.DSN.Value())
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = c.Timeout()
	}
	for k, v := range map[string]string{
		"TimeZone":           "UTC",
		"DateStyle":          "ISO, YMD",
		"IntervalStyle":      "iso_8601",
		"extra_float_digits": "3",
		"bytea_output":       "hex",
		"client_encoding":    "UTF8",
	} {
		cfg.RuntimeParams[k] = v
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "kho"
	}
	return cfg, nil
}
