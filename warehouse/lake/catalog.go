package lake

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/iceberg-go"
	sqlcat "github.com/apache/iceberg-go/catalog/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // the production catalog's driver ("pgx")
	_ "modernc.org/sqlite"             // the default catalog's driver

	"github.com/sonla-data/kho/internal/sqlitedsn"
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
	relocated   *Relocation
	catWhat     string // "SQLite catalog <path>" or "PostgreSQL catalog", for messages
	catPath     string // the SQLite catalog's file ("" for PostgreSQL)
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
	marker, err := readMarker(root)
	if err != nil {
		return nil, err
	}
	var (
		db      *sql.DB
		dialect sqlcat.SupportedDialect
		kind    string
		what    string // the catalog, for messages
		catPath string // the SQLite catalog's file
		ownCat  bool   // the catalog is a file under the root: a copy of the root copies it
	)
	switch cfg.Catalog.Type {
	case "", "sqlite":
		path := cfg.Catalog.DSN
		if path == "" {
			path = filepath.Join(root, "catalog.db")
		}
		what, catPath = "SQLite catalog "+path, path
		if abs, err := filepath.Abs(path); err == nil {
			ownCat = strings.HasPrefix(abs, root+string(filepath.Separator))
		}
		if marker != nil {
			if err := checkCatalogFile(root, path, marker); err != nil {
				return nil, err
			}
		}
		db, err = sql.Open("sqlite", sqlitedsn.File(path, "_pragma=busy_timeout(10000)", "_pragma=journal_mode(WAL)"))
		dialect, kind = sqlcat.SQLite, "sqlite"
	case "postgres":
		what = "PostgreSQL catalog"
		db, err = sql.Open("pgx", cfg.Catalog.DSN)
		dialect, kind = sqlcat.Postgres, "postgres"
	}
	if err != nil {
		return nil, fmt.Errorf("opening the %s catalog: %w", kind, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if kind == "postgres" {
			// The server is down, refuses us or the database is gone: none of
			// it says the catalog is lost.
			return nil, fmt.Errorf("the lake's PostgreSQL catalog cannot be reached: %w (is the server up, and lake.catalog.dsn right? "+
				"Run the command again when it answers; a restore is needed only if the database itself was lost)", err)
		}
		if e := catalogUnreachable(what, catPath, err); e != nil {
			return nil, e
		}
		if marker != nil {
			return nil, catalogLost(root, what, marker, err)
		}
		return nil, fmt.Errorf("opening the %s catalog: %w", kind, err)
	}
	l := &Lake{db: db, root: root, kind: kind, cfg: cfg, catWhat: what, catPath: catPath}
	l.lockTimeout, _ = cfg.LockWait()
	unlock, err := l.setupLock(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening the %s catalog: %w", kind, err)
	}
	rec, err := l.identify(ctx, marker)
	if err != nil {
		unlock()
		db.Close()
		return nil, err
	}
	cat, err := sqlcat.NewCatalog(CatalogName, db, dialect, iceberg.Properties{
		"warehouse": fileURI(root),
		// The JDBC catalog's V1 layout (with iceberg_type), as Trino and
		// Spark create it.
		sqlcat.SchemaVersionKey: sqlcat.SchemaVersionV1,
	})
	unlock()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening the %s catalog: %w", kind, err)
	}
	l.cat = cat
	if rec.root != root && !sameDir(rec.root, root) {
		if err := l.moveCheck(rec, ownCat); err != nil {
			l.Close()
			return nil, err
		}
		if l.relocated, err = l.relocate(ctx, rec); err != nil {
			l.Close()
			return nil, err
		}
		At("relocate:before-marker")
		if err := writeMarker(root, Marker{ID: rec.id, Version: LayoutVersion, Root: root, CreatedAt: markerCreated(marker)}); err != nil {
			l.Close()
			return nil, fmt.Errorf("writing the lake marker: %w", err)
		}
	}
	return l, nil
}

// CatalogKind is sqlite or postgres.
func (l *Lake) CatalogKind() string { return l.kind }

// Config is the config the lake was opened with.
func (l *Lake) Config() Config { return l.cfg }

// CatalogDB is the catalog's database (for inspection: the tables Trino and
// Spark read).
func (l *Lake) CatalogDB() *sql.DB { return l.db }
