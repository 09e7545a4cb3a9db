package mysql

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

func init() {
	connectors.Register(connectors.Spec{
		Name:      "mysql",
		Summary:   "MariaDB or MySQL database: a table or a read-only query, streamed in a consistent snapshot, typed columns",
		NewConfig: func() connectors.Config { return NewConfig() },
	})
}

// Config is the `source:` block of a pipeline reading MariaDB or MySQL. The
// keys are those of sqlsource.Spec (dsn, table, query, incremental,
// batch_rows, retries, retry_wait, connect_timeout) and tinyint1_bool;
// README.md lists them.
type Config struct {
	sqlsource.Spec `yaml:",inline"`
	// TinyInt1Bool reads TINYINT(1) (MySQL's BOOL) columns of a table as
	// booleans; values other than 0 and 1 then make the row bad. Default true.
	TinyInt1Bool bool `yaml:"tinyint1_bool"`
}

// NewConfig returns a config with its defaults filled in.
func NewConfig() *Config { return &Config{Spec: sqlsource.DefaultSpec(), TinyInt1Bool: true} }

// Validate reports every problem of the config at once, each naming its key.
func (c *Config) Validate() error {
	errs := c.Spec.Validate()
	if c.CDC() {
		errs = append(errs, errors.New("source.incremental.mode: cdc is not available for mysql yet (postgres has it); use mode: column with a column"))
	}
	if c.DSN.Value() != "" {
		if _, err := c.myConfig(nil); err != nil {
			errs = append(errs, fmt.Errorf("source.dsn: %w", err))
		}
	}
	return errors.Join(errs...)
}

// myConfig parses the DSN — go-sql-driver's form (user:pass@tcp(host:3306)/db)
// or a mysql:// (mariadb://) URL — and sets what the source relies on: no
// parsing of times by the driver, server-side prepared statements, a UTC
// session, utf8mb4 unless the DSN names a charset.
func (c *Config) myConfig(log *slog.Logger) (*mysql.Config, error) {
	dsn := c.DSN.Value()
	var (
		cfg *mysql.Config
		err error
	)
	if strings.HasPrefix(dsn, "mysql://") || strings.HasPrefix(dsn, "mariadb://") {
		cfg, err = fromURL(dsn)
	} else {
		cfg, err = mysql.ParseDSN(dsn)
	}
	if err != nil {
		return nil, sqlsource.Redact(fmt.Errorf("not a MySQL connection string: %w", err), dsn)
	}
	cfg.ParseTime = false
	cfg.InterpolateParams = false
	cfg.MultiStatements = false
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	if cfg.Timeout == 0 {
		cfg.Timeout = c.Timeout()
	}
	cfg.Logger = driverLogger{log: log, secrets: []string{dsn, cfg.Passwd}}
	return cfg, nil
}

// fromURL reads mysql://user:pass@host:port/db?param=value.
func fromURL(dsn string) (*mysql.Config, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, errors.New("the URL does not parse")
	}
	host := u.Host
	if u.Port() == "" && host != "" {
		host += ":3306"
	}
	cfg, err := mysql.ParseDSN("tcp(" + host + ")" + "/" + strings.TrimPrefix(u.Path, "/") + "?" + u.RawQuery)
	if err != nil {
		return nil, err
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	return cfg, nil
}

// driverLogger sends the driver's own messages (dropped connections) to the
// source's logger, redacted.
type driverLogger struct {
	log     *slog.Logger
	secrets []string
}

func (d driverLogger) Print(v ...any) {
	if d.log != nil {
		d.log.Debug("mysql driver: " + sqlsource.RedactText(fmt.Sprint(v...), d.secrets...))
	}
}
