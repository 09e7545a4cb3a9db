package lake

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// MarkerFile is the file at the lake root that says a lake lives here: its
// id, the layout version and the root it was last opened at. The catalog
// keeps the same id and root (table kho_lake), so a lost, emptied or foreign
// catalog is recognised instead of being taken for a new lake, and a lake
// opened at a new root is recognised as moved or copied.
const MarkerFile = "kho-lake.json"

// LayoutVersion is the version of the lake's layout written in the marker.
const LayoutVersion = 1

// ErrCatalogLost is wrapped by Open's error when the root is marked as a
// lake but its catalog is missing, empty, unreadable or another lake's.
var ErrCatalogLost = errors.New("the lake's catalog is missing, empty, corrupt or another lake's")

// Marker is the content of MarkerFile.
type Marker struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	Root      string    `json:"root"`
	CreatedAt time.Time `json:"created_at"`
}

func readMarker(root string) (*Marker, error) {
	path := filepath.Join(root, MarkerFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the lake marker %s: %w", path, err)
	}
	var m Marker
	if err := json.Unmarshal(b, &m); err != nil || m.ID == "" {
		return nil, fmt.Errorf("the lake marker %s is unreadable (%d bytes): restore it from a backup (`kho lake restore`) or from the id in the catalog's kho_lake table", path, len(b))
	}
	if m.Version > LayoutVersion {
		return nil, fmt.Errorf("the lake at %s has layout version %d; this kho knows versions up to %d: upgrade kho", root, m.Version, LayoutVersion)
	}
	return &m, nil
}

// writeMarker replaces the marker atomically (write, sync, rename).
func writeMarker(root string, m Marker) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(root, MarkerFile), append(b, '\n'))
}

// writeFileAtomic replaces path with b through a temporary file of its own
// (two processes opening a new lake at once both write the marker).
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

func newLakeID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// lakeRecord is the catalog's copy of the marker.
type lakeRecord struct {
	id, root string
}

const lakeTableDDL = `CREATE TABLE IF NOT EXISTS kho_lake (id VARCHAR(64) NOT NULL PRIMARY KEY, root VARCHAR(4096) NOT NULL, version INTEGER NOT NULL)`

// readLakeRecord reads the catalog's kho_lake row; ok is false when the
// table or the row is absent.
// rowQuerier is a *sql.DB, *sql.Conn or *sql.Tx.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readLakeRecord(ctx context.Context, db rowQuerier) (rec lakeRecord, ok bool, err error) {
	err = db.QueryRowContext(ctx, `SELECT id, root FROM kho_lake`).Scan(&rec.id, &rec.root)
	switch {
	case err == nil:
		return rec, true, nil
	case errors.Is(err, sql.ErrNoRows), isNoSuchTable(err):
		return rec, false, nil
	}
	return rec, false, err
}

func isNoSuchTable(err error) bool {
	s := err.Error()
	return strings.Contains(s, "no such table") || strings.Contains(s, "does not exist")
}

// countCatalogTables is the number of tables the catalog lists (0 when the
// catalog's tables do not exist yet).
func countCatalogTables(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM iceberg_tables WHERE catalog_name = '`+CatalogName+`'`).Scan(&n)
	if err != nil && isNoSuchTable(err) {
		return 0, nil
	}
	return n, err
}

// checkCatalogFile refuses a marked lake whose SQLite catalog file is
// missing or empty, before SQLite would create a new one.
func checkCatalogFile(root, path string, m *Marker) error {
	what := "SQLite catalog " + path
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return catalogLost(root, what, m, errors.New("the file does not exist"))
	}
	if err != nil {
		return catalogLost(root, what, m, err)
	}
	if fi.Size() == 0 {
		if w, err := os.Stat(path + "-wal"); err != nil || w.Size() == 0 {
			return catalogLost(root, what, m, errors.New("the file is empty (0 bytes)"))
		}
	}
	return nil
}

func catalogLost(root, what string, m *Marker, cause error) error {
	return fmt.Errorf("%w: the folder %s holds lake %s (%s), but its %s cannot serve it: %v. "+
		"Kho will not start an empty catalog over an existing lake (every table, incremental state and the history of the data would look new). "+
		"Restore the catalog from a backup: `kho lake restore BACKUP_DIR` (docs/operations.md)",
		ErrCatalogLost, root, m.ID, MarkerFile, what, cause)
}

func markerCreated(m *Marker) time.Time {
	if m != nil && !m.CreatedAt.IsZero() {
		return m.CreatedAt
	}
	return time.Now().UTC()
}

// identify matches the catalog to the marker: a new lake gets both, a lake
// from before the marker gets one, and a marked lake whose catalog lacks the
// record or holds another id is refused. It returns the catalog's record.
func (l *Lake) identify(ctx context.Context, m *Marker) (lakeRecord, error) {
	if l.kind == "sqlite" && m != nil {
		var res string
		if err := l.db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&res); err != nil || res != "ok" {
			if err == nil {
				err = errors.New(res)
			} else if e := catalogUnreachable(l.catWhat, l.catPath, err); e != nil {
				return lakeRecord{}, e
			}
			return lakeRecord{}, catalogLost(l.root, l.catWhat, m, err)
		}
	}
	rec, ok, err := readLakeRecord(ctx, l.db)
	if err != nil {
		if e := catalogUnreachable(l.catWhat, l.catPath, err); e != nil {
			return rec, e
		}
		if m != nil {
			return rec, catalogLost(l.root, l.catWhat, m, err)
		}
		return rec, fmt.Errorf("opening the %s catalog: %w", l.kind, err)
	}
	switch {
	case m != nil && !ok:
		return rec, catalogLost(l.root, l.catWhat, m, errors.New("it has no record of this lake (kho_lake): it is new, empty or was re-created"))
	case m != nil && m.ID != rec.id:
		return rec, fmt.Errorf("%w: the folder %s holds lake %s, but the %s catalog belongs to lake %s (at %s). "+
			"Point lake.catalog at this lake's catalog, or restore it: `kho lake restore BACKUP_DIR` (docs/operations.md)",
			ErrCatalogLost, l.root, m.ID, l.catWhat, rec.id, rec.root)
	case !ok:
		n, err := countCatalogTables(ctx, l.db)
		if err != nil {
			return rec, fmt.Errorf("opening the %s catalog: %w", l.kind, err)
		}
		rec = lakeRecord{id: newLakeID(), root: l.root}
		if n > 0 {
			// A lake from before the marker: its root is where its tables are.
			if r, err := l.inferRoot(ctx); err == nil && r != "" {
				rec.root = r
			}
		}
		if rec, err = l.recordLake(ctx, rec); err != nil {
			return rec, fmt.Errorf("recording the lake in its catalog: %w", err)
		}
	}
	if m == nil {
		if err := writeMarker(l.root, Marker{ID: rec.id, Version: LayoutVersion, Root: rec.root, CreatedAt: time.Now().UTC()}); err != nil {
			return rec, fmt.Errorf("writing the lake marker: %w", err)
		}
	}
	return rec, nil
}

// recordLake writes rec as the catalog's record of the lake unless another
// process recorded one first, and returns the record that stands. Two
// commands started at once on a new lake (a scheduler and a server, or two
// schedulers sharing a PostgreSQL catalog) both find no record: the write is
// a transaction that takes the catalog's write lock (SQLite's BEGIN
// IMMEDIATE; with PostgreSQL the caller holds the setup lock, see
// setupLock) and looks again inside it, so one id wins and every process
// uses it.
func (l *Lake) recordLake(ctx context.Context, rec lakeRecord) (lakeRecord, error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return rec, err
	}
	defer conn.Close()
	begin := "BEGIN"
	if l.kind == "sqlite" {
		begin = "BEGIN IMMEDIATE"
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return rec, err
	}
	done := false
	defer func() {
		if !done {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if _, err := conn.ExecContext(ctx, lakeTableDDL); err != nil {
		return rec, err
	}
	if won, ok, err := readLakeRecord(ctx, conn); err != nil {
		return rec, err
	} else if ok {
		rec = won
	} else if _, err := conn.ExecContext(ctx, `INSERT INTO kho_lake (id, root, version) VALUES (`+l.param(1)+`, `+l.param(2)+`, `+l.param(3)+`)`,
		rec.id, rec.root, LayoutVersion); err != nil {
		return rec, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return rec, err
	}
	done = true
	return rec, nil
}

// setupLock serialises the opening of a PostgreSQL catalog between
// processes: creating the catalog's tables (iceberg-go's CREATE TABLE IF NOT
// EXISTS and kho_lake) is not safe to run concurrently on PostgreSQL (the
// loser fails on pg_type's unique index), which made one of two schedulers
// started together on a new shared catalog exit. It is a session advisory
// lock on a connection of its own, released by the returned function (or by
// the server if the process dies). SQLite serialises its DDL itself and
// recordLake takes its write lock, so there it is a no-op.
func (l *Lake) setupLock(ctx context.Context) (func(), error) {
	if l.kind != "postgres" {
		return func() {}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, l.lockTimeout)
	defer cancel()
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	key := lockKey("kho catalog setup")
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		conn.Close()
		return nil, lockErr(ctx, "the catalog's setup", err)
	}
	return pgUnlock(conn, key), nil
}

// inferRoot is the root of a lake whose catalog predates kho_lake: the
// folder above <namespace>.db/<table> of its first table.
func (l *Lake) inferRoot(ctx context.Context) (string, error) {
	var loc string
	if err := l.db.QueryRowContext(ctx, `SELECT metadata_location FROM iceberg_tables WHERE catalog_name = `+l.param(1)+
		` AND metadata_location IS NOT NULL ORDER BY table_namespace, table_name LIMIT 1`, CatalogName).Scan(&loc); err != nil {
		return "", err
	}
	p := LocalPath(loc)
	p = "/" + strings.TrimLeft(p, "/")
	// .../<ns>.db/<table>/metadata/<file>
	for range 4 {
		p = filepath.Dir(p)
	}
	return p, nil
}

// moveCheck allows the relocation of a lake found at a new root: always when
// the catalog was copied with the root; for a shared catalog (PostgreSQL, or
// SQLite outside the root) only when the old root no longer holds this lake
// (a move) or when Config.Relocate says the catalog was copied for it.
func (l *Lake) moveCheck(rec lakeRecord, ownCatalog bool) error {
	if ownCatalog || l.cfg.Relocate {
		return nil
	}
	old, err := readMarker(rec.root)
	if err != nil || old == nil || old.ID != rec.id {
		return nil
	}
	return fmt.Errorf("the lake %s is opened at %s, but its %s catalog serves it at %s, where it still is: "+
		"a copy must not share the original's catalog (its writes would land in the original's tables). "+
		"Give the copy a catalog of its own (for PostgreSQL: a copy of the database, docs/operations.md), point lake.catalog at it, "+
		"then run `kho lake relocate` once", rec.id, l.root, l.kind, rec.root)
}

// sameDir reports whether two paths name the same folder (through a link or
// a bind mount).
func sameDir(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
