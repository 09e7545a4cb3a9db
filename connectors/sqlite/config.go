package sqlite

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sonla-data/kho/connectors"
)

func init() {
	connectors.Register(connectors.Spec{
		Name:      "sqlite",
		Summary:   "SQLite database file: a table, a view or a read-only query, typed columns",
		NewConfig: func() connectors.Config { return NewConfig() },
	})
}

// Config is the `source:` block of a pipeline reading SQLite.
type Config struct {
	// Path is the database file, relative to the pipeline's folder. It is opened
	// read-only.
	Path string `yaml:"path"`
	// Table is a table or view, optionally qualified by its schema
	// (`main.luot_kham`). Give Table or Query.
	Table string `yaml:"table"`
	// Query is one read-only SELECT (or WITH ... SELECT). Give Table or Query.
	Query string `yaml:"query"`
	// Incremental, when set, reads only rows newer than the stored watermark.
	Incremental *Incremental `yaml:"incremental"`
}

// Incremental picks up only new or updated rows.
type Incremental struct {
	// Column is compared with the stored watermark: rows with column > watermark
	// are read.
	Column string `yaml:"column"`
	// Lag re-reads rows up to this long before the watermark (a Go duration:
	// 10m, 1h30m), for rows committed late. It needs a time column.
	Lag string `yaml:"lag"`
}

// NewConfig returns a config with its defaults filled in (none are needed).
func NewConfig() *Config { return &Config{} }

// Validate reports every problem of the config at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("source.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(c.Path) == "" {
		bad("path", "give the database file")
	}
	hasTable, hasQuery := strings.TrimSpace(c.Table) != "", strings.TrimSpace(c.Query) != ""
	switch {
	case hasTable && hasQuery:
		bad("table", "give table or query, not both")
	case !hasTable && !hasQuery:
		bad("table", "give table or query")
	case hasTable:
		if _, _, err := splitTable(c.Table); err != nil {
			bad("table", "%v", err)
		}
	}
	if inc := c.Incremental; inc != nil {
		if inc.Column == "" {
			bad("incremental.column", "give the column compared with the watermark")
		} else if err := checkIdent(inc.Column); err != nil {
			bad("incremental.column", "%v", err)
		}
		if inc.Lag != "" {
			if d, err := time.ParseDuration(inc.Lag); err != nil {
				bad("incremental.lag", "%q is not a duration (like 10m or 1h30m)", inc.Lag)
			} else if d < 0 {
				bad("incremental.lag", "%q is negative", inc.Lag)
			}
		}
	}
	return errors.Join(errs...)
}

// lag returns the parsed lag (0 when unset); Validate has checked it.
func (c *Config) lag() time.Duration {
	if c.Incremental == nil || c.Incremental.Lag == "" {
		return 0
	}
	d, _ := time.ParseDuration(c.Incremental.Lag)
	return d
}
