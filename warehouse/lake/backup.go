package lake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/iceberg-go"
	sqlcat "github.com/apache/iceberg-go/catalog/sql"

	"github.com/sonla-data/kho/internal/sqlitedsn"
	"github.com/sonla-data/kho/internal/valtext"
)

// BackupResult is what a backup did.
type BackupResult struct {
	Dir    string
	Tables int
	// Files and Bytes are what the backup holds; Copied and CopiedBytes
	// what this backup copied (unchanged files are not copied again).
	Files, Copied      int
	Bytes, CopiedBytes int64
	Pruned             int // files of an earlier backup no longer referenced
}

// Backup writes a consistent copy of the lake into dir/lake: the catalog,
// the marker, and the metadata, manifest lists, manifests and data files
// that the copied catalog's retained snapshots reference. A SQLite catalog
// is copied through SQLite's VACUUM INTO (a transactionally consistent
// copy, taken while writers go on); a PostgreSQL catalog's rows (this lake's
// rows of iceberg_tables and iceberg_namespace_properties, and kho_lake) are
// read in one REPEATABLE READ transaction, so they are one consistent state
// too, and written into a SQLite file of the same tables. Either way
// dir/lake/catalog.db is a SQLite catalog: dir/lake is itself a lake, which
// `kho lake restore` verifies and puts in place (into a PostgreSQL catalog
// when the config names one), and which can be opened where it is (it
// relocates itself).
//
// Iceberg files are never changed once written, so a file already in dir
// with its size is not copied again; files of an earlier backup that the
// catalog no longer references are removed. The new catalog replaces the
// earlier backup's only once every file it references is in place, so a
// backup cut short (killed, disk full) leaves the earlier backup whole.
func (l *Lake) Backup(ctx context.Context, dir string) (BackupResult, error) {
	res := BackupResult{Dir: dir}
	dst := filepath.Join(dir, "lake")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return res, err
	}
	// The catalog first: the files to copy are those it references. It is
	// kept under a temporary name until they are all copied.
	tmp := filepath.Join(dst, "catalog.db.tmp")
	_ = os.Remove(tmp)
	switch l.kind {
	case "sqlite":
		if _, err := l.db.ExecContext(ctx, `VACUUM INTO `+sqlQuote(tmp)); err != nil {
			return res, fmt.Errorf("copying the catalog (VACUUM INTO %s): %w", tmp, err)
		}
	case "postgres":
		if err := exportCatalog(ctx, l.db, tmp); err != nil {
			return res, fmt.Errorf("copying the PostgreSQL catalog into %s: %w", tmp, err)
		}
	default:
		return res, fmt.Errorf("kho lake backup: unknown catalog kind %q", l.kind)
	}
	m, err := readMarker(l.root)
	if err != nil || m == nil {
		return res, fmt.Errorf("reading the lake marker: %v", err)
	}
	cat, err := sql.Open("sqlite", sqlitedsn.File(tmp, "mode=ro"))
	if err != nil {
		return res, err
	}
	copyLake := &Lake{db: cat, kind: "sqlite", root: l.root}
	rows, err := copyLake.catalogRows(ctx)
	cat.Close()
	if err != nil {
		return res, err
	}
	referenced := map[string]bool{}
	for _, r := range rows {
		h, probs := checkTable(r.name, r.loc, referenced)
		if h.Broken || len(probs) > 0 {
			return res, fmt.Errorf("table %s is not whole (%s): the backup would not restore it; repair it first (`kho lake check`)", r.name, probs[0])
		}
		res.Tables++
	}
	var paths []string
	for p := range referenced {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	keep := map[string]bool{}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		rel, err := filepath.Rel(l.root, p)
		if err != nil || strings.HasPrefix(rel, "..") {
			return res, fmt.Errorf("file %s is outside the lake's root %s: not backed up", p, l.root)
		}
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) && strings.HasSuffix(p, ".metadata.json") {
			continue // an old metadata version named in the log, cleaned up since
		}
		if err != nil {
			return res, fmt.Errorf("backing up %s: %w", p, err)
		}
		to := filepath.Join(dst, rel)
		keep[to] = true
		res.Files++
		res.Bytes += fi.Size()
		if bi, err := os.Stat(to); err == nil && bi.Size() == fi.Size() {
			continue
		}
		if err := copyFile(p, to); err != nil {
			return res, fmt.Errorf("backing up %s: %w", p, err)
		}
		res.Copied++
		res.CopiedBytes += fi.Size()
		At("backup:file-copied")
	}
	if err := syncFile(tmp); err != nil {
		return res, err
	}
	if err := writeMarker(dst, *m); err != nil {
		return res, err
	}
	if err := os.Rename(tmp, filepath.Join(dst, "catalog.db")); err != nil {
		return res, err
	}
	_ = os.Remove(filepath.Join(dst, "catalog.db-wal"))
	_ = os.Remove(filepath.Join(dst, "catalog.db-shm"))
	At("backup:catalog-in-place")
	// Prune what an earlier backup held and this one does not.
	err = filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || keep[p] || filepath.Dir(p) == dst {
			return err
		}
		if err := os.Remove(p); err == nil {
			res.Pruned++
		}
		return nil
	})
	return res, err
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// catalogTables are the catalog's tables a backup holds, with the rows of
// this lake (other catalogs may share a PostgreSQL database).
var catalogTables = []struct{ name, where string }{
	{"iceberg_tables", " WHERE catalog_name = '" + CatalogName + "'"},
	{"iceberg_namespace_properties", " WHERE catalog_name = '" + CatalogName + "'"},
	{"kho_lake", ""},
}

// createCatalogTables creates the JDBC catalog's tables (V1 layout, as Trino
// and Spark create them) and kho_lake in db, when absent.
func createCatalogTables(ctx context.Context, db *sql.DB, dialect sqlcat.SupportedDialect) error {
	cat, err := sqlcat.NewCatalog(CatalogName, db, dialect, iceberg.Properties{sqlcat.SchemaVersionKey: sqlcat.SchemaVersionV1})
	if err != nil {
		return err
	}
	_ = cat.Close()
	_, err = db.ExecContext(ctx, lakeTableDDL)
	return err
}

// exportCatalog writes this lake's catalog rows of db (PostgreSQL), read in
// one REPEATABLE READ transaction, into a new SQLite file at path.
func exportCatalog(ctx context.Context, db *sql.DB, path string) error {
	_ = os.Remove(path)
	out, err := sql.Open("sqlite", sqlitedsn.File(path))
	if err != nil {
		return err
	}
	defer out.Close()
	if err := createCatalogTables(ctx, out, sqlcat.SQLite); err != nil {
		return err
	}
	from, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer from.Rollback()
	to, err := out.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer to.Rollback()
	if err := copyCatalogRows(ctx, from, to, "sqlite"); err != nil {
		return err
	}
	return to.Commit()
}

// copyCatalogRows copies the rows of catalogTables from one transaction to
// another, column by column as the source has them.
func copyCatalogRows(ctx context.Context, from, to *sql.Tx, toKind string) error {
	for _, t := range catalogTables {
		rs, err := from.QueryContext(ctx, `SELECT * FROM `+t.name+t.where)
		if err != nil {
			if isNoSuchTable(err) && t.name != "iceberg_tables" {
				continue
			}
			return fmt.Errorf("reading %s: %w", t.name, err)
		}
		cols, err := rs.Columns()
		if err != nil {
			rs.Close()
			return err
		}
		var rows [][]any
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				rs.Close()
				return fmt.Errorf("reading %s: %w", t.name, err)
			}
			rows = append(rows, vals)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return fmt.Errorf("reading %s: %w", t.name, err)
		}
		marks := make([]string, len(cols))
		for i := range cols {
			marks[i] = "?"
			if toKind == "postgres" {
				marks[i] = "$" + strconv.Itoa(i+1)
			}
		}
		ins := `INSERT INTO ` + t.name + ` (` + strings.Join(cols, ", ") + `) VALUES (` + strings.Join(marks, ", ") + `)`
		for _, vals := range rows {
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = string(b)
				}
			}
			if _, err := to.ExecContext(ctx, ins, vals...); err != nil {
				return fmt.Errorf("writing %s: %w", t.name, err)
			}
		}
	}
	return nil
}

// copyFile copies src to a new file dst (through a temporary name, synced).
func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// RestoreResult is what a restore did.
type RestoreResult struct {
	Tables int
	// Previous is where the lake that was at the root was moved (empty when
	// there was none).
	Previous string
	// PreviousCatalog is, for a PostgreSQL catalog that held this lake's
	// rows, the SQLite file they were saved in before being replaced.
	PreviousCatalog string
}

// Restore puts the backup in backupDir/lake at cfg.Root, after verifying
// it: it is copied beside the root, opened there and checked (every table's
// metadata, manifests and data files with their sizes); only a backup that
// checks clean replaces the root, whose old content is kept beside it
// (<root>.before-restore-<time>). With a PostgreSQL catalog the verified
// catalog rows are then written into the database lake.catalog.dsn names,
// in one transaction: a fresh database, or the catalog of this same lake
// (whose rows are first saved in <root>.before-restore-<time>.catalog.db);
// a catalog serving another lake is refused. The lake must not be in use. A
// restore cut short (killed) leaves the backup as it was and is finished by
// running it again; the lake that was at the root is then at the root or at
// <root>.before-restore-<time>, as it was.
func Restore(ctx context.Context, backupDir string, cfg Config) (RestoreResult, error) {
	var res RestoreResult
	pg := cfg.Catalog.Type == "postgres"
	if !pg && cfg.Catalog.DSN != "" {
		return res, errors.New("kho lake restore puts back a lake whose SQLite catalog is under its root (lake.catalog.dsn names a file elsewhere): leave lake.catalog.dsn out, or use a PostgreSQL catalog; see docs/operations.md")
	}
	src := filepath.Join(backupDir, "lake")
	bm, err := readMarker(src)
	if err != nil {
		return res, err
	}
	if bm == nil {
		return res, fmt.Errorf("%s is not a backup of a lake (no lake/%s)", backupDir, MarkerFile)
	}
	if _, err := os.Stat(filepath.Join(src, "catalog.db")); err != nil {
		return res, fmt.Errorf("%s is not a backup of a lake (no lake/catalog.db): %w", backupDir, err)
	}
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return res, err
	}
	// What a restore killed before it switched left beside the root.
	if old, _ := filepath.Glob(root + ".restoring-*"); len(old) > 0 {
		for _, o := range old {
			if err := os.RemoveAll(o); err != nil {
				return res, fmt.Errorf("removing %s, left by a restore cut short: %w", o, err)
			}
		}
	}
	// The folders' names carry the time in Vietnam's zone, saying so
	// (…before-restore-20251204T091500.123+07), as everything Kho prints.
	stamp := time.Now().In(valtext.HoChiMinh).Format("20060102T150405.000-07")
	staging := root + ".restoring-" + stamp
	if err := copyTree(src, staging); err != nil {
		os.RemoveAll(staging)
		return res, fmt.Errorf("copying the backup: %w", err)
	}
	At("restore:staged")
	verify := func(c Config) (int, error) {
		l, err := Open(ctx, c)
		if err != nil {
			return 0, err
		}
		defer l.Close()
		chk, err := l.Check(ctx, CheckOptions{})
		if err != nil {
			return 0, err
		}
		if len(chk.Problems) > 0 {
			return 0, fmt.Errorf("the backup is not whole: %s (and %d more problems)", chk.Problems[0], len(chk.Problems)-1)
		}
		return len(chk.Tables), nil
	}
	// The copy is verified with its own SQLite catalog, whatever the lake's.
	if res.Tables, err = verify(Config{Root: staging, LockTimeout: cfg.LockTimeout}); err != nil {
		os.RemoveAll(staging)
		return res, fmt.Errorf("verifying the backup %s (the lake at %s was not touched): %w", backupDir, root, err)
	}
	At("restore:verified")
	if pg {
		saved, err := loadPostgresCatalog(ctx, cfg.Catalog.DSN, filepath.Join(staging, "catalog.db"), bm.ID, root+".before-restore-"+stamp+".catalog.db")
		if err != nil {
			os.RemoveAll(staging)
			return res, fmt.Errorf("restoring the backup %s into the PostgreSQL catalog (the lake at %s was not touched): %w", backupDir, root, err)
		}
		res.PreviousCatalog = saved
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(filepath.Join(staging, "catalog.db"+suffix))
		}
		At("restore:catalog-loaded")
	}
	if _, err := os.Stat(root); err == nil {
		res.Previous = root + ".before-restore-" + stamp
		if err := os.Rename(root, res.Previous); err != nil {
			os.RemoveAll(staging)
			return res, fmt.Errorf("moving the current lake aside: %w", err)
		}
	}
	At("restore:aside")
	if err := os.Rename(staging, root); err != nil {
		return res, fmt.Errorf("putting the backup in place (the old lake is at %s): %w", res.Previous, err)
	}
	At("restore:in-place")
	if _, err := verify(cfg); err != nil {
		return res, fmt.Errorf("opening the restored lake: %w", err)
	}
	return res, nil
}

// loadPostgresCatalog replaces this lake's rows in the PostgreSQL catalog at
// dsn with those of the SQLite catalog at from, in one transaction. A
// catalog that serves another lake, or holds tables without saying which
// lake, is refused; the rows of this same lake are first saved into a
// SQLite file at save (returned; empty when there was nothing to save).
func loadPostgresCatalog(ctx context.Context, dsn, from, id, save string) (string, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return "", err
	}
	rec, ok, err := readLakeRecord(ctx, db)
	if err != nil {
		return "", err
	}
	n, err := countCatalogTables(ctx, db)
	if err != nil {
		return "", err
	}
	switch {
	case ok && rec.id != id:
		return "", fmt.Errorf("the database lake.catalog.dsn names serves another lake (%s, at %s), not the backup's (%s): restore into a fresh database (CREATE DATABASE ...) and point lake.catalog.dsn at it", rec.id, rec.root, id)
	case !ok && n > 0:
		return "", fmt.Errorf("the database lake.catalog.dsn names holds %d Iceberg table(s) of catalog %q but no record of a Kho lake: restore into a fresh database (CREATE DATABASE ...) and point lake.catalog.dsn at it", n, CatalogName)
	}
	if err := createCatalogTables(ctx, db, sqlcat.Postgres); err != nil {
		return "", err
	}
	saved := ""
	if ok {
		if err := exportCatalog(ctx, db, save); err != nil {
			return "", fmt.Errorf("saving the catalog's rows before replacing them: %w", err)
		}
		saved = save
	}
	in, err := sql.Open("sqlite", sqlitedsn.File(from, "mode=ro"))
	if err != nil {
		return "", err
	}
	defer in.Close()
	rtx, err := in.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return "", err
	}
	defer rtx.Rollback()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	for _, t := range catalogTables {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.name+t.where); err != nil {
			return "", fmt.Errorf("emptying %s: %w", t.name, err)
		}
	}
	if err := copyCatalogRows(ctx, rtx, tx, "postgres"); err != nil {
		return "", err
	}
	return saved, tx.Commit()
}

// copyTree copies the folder src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		return copyFile(p, to)
	})
}
