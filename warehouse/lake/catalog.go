package lake

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/iceberg-go"
	sqlcat "github.com/apache/iceberg-go/catalog/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // the production catalog's driver ("pgx")
	_ "modernc.org/sqlite"             // the default catalog's driver
)

// CatalogName is the Iceberg catalog's name, as Trino and Spark see it: the
// catalog_name column of every row of the catalog tables.
const CatalogName = "kho"

// Lake is an open lake.
type Lake struct {
	cat         *sqlcat.Catalog
	db          *sql.DB
	root        string
	kind        string // sqlite | postgres
	cfg         Config
	lockTimeout time.Duration
}

// Open opens (creating when needed) the lake at cfg.Root with its catalog:
// a SQLite file by default, or PostgreSQL. Either way the catalog's tables
// are those of Iceberg's JDBC catalog (iceberg_tables,
// iceberg_namespace_properties), so Trino and Spark read the same lake.
func Open(ctx context.Context, cfg Config) (*Lake, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("creating the lake folder %s: %w", root, err)
	}
	var (
		db      *sql.DB
		dialect sqlcat.SupportedDialect
		kind    string
	)
	switch cfg.Catalog.Type {
	case "", "sqlite":
		path := cfg.Catalog.DSN
		if path == "" {
			path = filepath.Join(root, "catalog.db")
		}
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
		dialect, kind = sqlcat.SQLite, "sqlite"
	case "postgres":
		db, err = sql.Open("pgx", cfg.Catalog.DSN)
		dialect, kind = sqlcat.Postgres, "postgres"
	}
	if err != nil {
		return nil, fmt.Errorf("opening the %s catalog: %w", kind, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening the %s catalog: %w", kind, err)
	}
	cat, err := sqlcat.NewCatalog(CatalogName, db, dialect, iceberg.Properties{
		"warehouse": "file://" + root,
		// The JDBC catalog's V1 layout (with iceberg_type), as Trino and
		// Spark create it.
		sqlcat.SchemaVersionKey: sqlcat.SchemaVersionV1,
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening the %s catalog: %w", kind, err)
	}
	wait, _ := cfg.LockWait()
	return &Lake{cat: cat, db: db, root: root, kind: kind, cfg: cfg, lockTimeout: wait}, nil
}

// CatalogKind is sqlite or postgres.
func (l *Lake) CatalogKind() string { return l.kind }

// Config is the config the lake was opened with.
func (l *Lake) Config() Config { return l.cfg }

// CatalogDB is the catalog's database (for inspection: the tables Trino and
// Spark read).
func (l *Lake) CatalogDB() *sql.DB { return l.db }
