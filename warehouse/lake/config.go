package lake

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CatalogConfig chooses the Iceberg catalog.
type CatalogConfig struct {
	// Type is sqlite (default) or postgres.
	Type string `mapstructure:"type" yaml:"type"`
	// DSN is the catalog database: a file path for sqlite (default
	// <root>/catalog.db), a connection string for postgres
	// (postgres://user:pass@host:5432/db?sslmode=disable).
	DSN string `mapstructure:"dsn" yaml:"dsn"`
}

// Config places the lake and says how it is kept.
type Config struct {
	// Root is the folder of the data and metadata files.
	Root    string        `mapstructure:"root" yaml:"root"`
	Catalog CatalogConfig `mapstructure:"catalog" yaml:"catalog"`
	// Retention is how long a snapshot stays readable by time travel
	// before `kho lake expire` may remove it: "30d", "12h", "90m".
	// Default 30d.
	Retention string `mapstructure:"retention" yaml:"retention"`
	// MinSnapshots is how many of a table's newest snapshots are kept
	// whatever their age. Default 10.
	MinSnapshots int `mapstructure:"min_snapshots" yaml:"min_snapshots"`
	// TargetFileMB is the size compaction aims at for a data file. Default 128.
	TargetFileMB int `mapstructure:"target_file_mb" yaml:"target_file_mb"`
	// LockTimeout is how long a writer waits for a table's lock before
	// giving up: "10m" by default.
	LockTimeout string `mapstructure:"lock_timeout" yaml:"lock_timeout"`
	// Relocate lets Open rewrite the locations of a lake whose catalog is
	// shared (PostgreSQL, or a SQLite file outside the root) when the
	// catalog records another root that still holds the lake: set by
	// `kho lake relocate` after the catalog was copied for the new root.
	Relocate bool `mapstructure:"-" yaml:"-"`
}

// Defaults of the maintenance settings.
const (
	DefaultRetention    = 30 * 24 * time.Hour
	DefaultMinSnapshots = 10
	DefaultTargetFileMB = 128
	DefaultLockTimeout  = 10 * time.Minute
)

// Validate reports every problem of the config at once, naming its key.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Root) == "" {
		errs = append(errs, errors.New("lake.root: must name a folder"))
	}
	switch c.Catalog.Type {
	case "", "sqlite":
	case "postgres":
		if c.Catalog.DSN == "" {
			errs = append(errs, errors.New("lake.catalog.dsn: a postgres catalog needs a connection string"))
		}
	default:
		errs = append(errs, fmt.Errorf("lake.catalog.type: %q must be sqlite or postgres", c.Catalog.Type))
	}
	if _, err := c.RetentionDuration(); err != nil {
		errs = append(errs, fmt.Errorf("lake.retention: %w", err))
	}
	if c.MinSnapshots < 0 {
		errs = append(errs, fmt.Errorf("lake.min_snapshots: %d must be at least 1 (0 means the default, %d)", c.MinSnapshots, DefaultMinSnapshots))
	}
	if c.TargetFileMB < 0 {
		errs = append(errs, fmt.Errorf("lake.target_file_mb: %d must be positive", c.TargetFileMB))
	}
	if _, err := c.LockWait(); err != nil {
		errs = append(errs, fmt.Errorf("lake.lock_timeout: %w", err))
	}
	return errors.Join(errs...)
}

// RetentionDuration is Retention parsed (the default when empty).
func (c Config) RetentionDuration() (time.Duration, error) {
	if c.Retention == "" {
		return DefaultRetention, nil
	}
	return ParseDuration(c.Retention)
}

// MinSnapshotsToKeep is MinSnapshots or its default.
func (c Config) MinSnapshotsToKeep() int {
	if c.MinSnapshots <= 0 {
		return DefaultMinSnapshots
	}
	return c.MinSnapshots
}

// TargetFileBytes is TargetFileMB in bytes, or its default.
func (c Config) TargetFileBytes() int64 {
	if c.TargetFileMB <= 0 {
		return DefaultTargetFileMB << 20
	}
	return int64(c.TargetFileMB) << 20
}

// LockWait is LockTimeout parsed (the default when empty).
func (c Config) LockWait() (time.Duration, error) {
	if c.LockTimeout == "" {
		return DefaultLockTimeout, nil
	}
	return ParseDuration(c.LockTimeout)
}

// ParseDuration reads a Go duration ("36h", "90m") or a number of days
// ("30d"). Negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (e.g. 30d, 12h, 90m)", s)
		}
		d = time.Duration(n * float64(24*time.Hour))
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration (e.g. 30d, 12h, 90m)", s)
		}
	}
	if d < 0 {
		return 0, fmt.Errorf("%q must not be negative", s)
	}
	return d, nil
}
