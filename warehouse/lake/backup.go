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
	"strings"
	"time"
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

// Backup writes a consistent copy of the lake into dir/lake: the catalog
// through SQLite's VACUUM INTO (a transactionally consistent copy, taken
// while writers go on), the marker, and the metadata, manifest lists,
// manifests and data files that the copied catalog's retained snapshots
// reference. Iceberg files are never changed once written, so a file
// already in dir with its size is not copied again; files of an earlier
// backup that the catalog no longer references are removed. dir/lake is
// itself a lake: `kho lake restore` verifies it and puts it in place, and
// it can be opened where it is (it relocates itself).
func (l *Lake) Backup(ctx context.Context, dir string) (BackupResult, error) {
	res := BackupResult{Dir: dir}
	if l.kind != "sqlite" {
		return res, errors.New("kho lake backup copies a SQLite catalog; a PostgreSQL catalog is backed up with pg_dump and the lake's files by copy, as docs/operations.md says")
	}
	dst := filepath.Join(dir, "lake")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return res, err
	}
	// The catalog first: the files to copy are those it references.
	tmp := filepath.Join(dst, "catalog.db.tmp")
	_ = os.Remove(tmp)
	if _, err := l.db.ExecContext(ctx, `VACUUM INTO `+sqlQuote(tmp)); err != nil {
		return res, fmt.Errorf("copying the catalog (VACUUM INTO %s): %w", tmp, err)
	}
	if err := os.Rename(tmp, filepath.Join(dst, "catalog.db")); err != nil {
		return res, err
	}
	_ = os.Remove(filepath.Join(dst, "catalog.db-wal"))
	_ = os.Remove(filepath.Join(dst, "catalog.db-shm"))
	m, err := readMarker(l.root)
	if err != nil || m == nil {
		return res, fmt.Errorf("reading the lake marker: %v", err)
	}
	if err := writeMarker(dst, *m); err != nil {
		return res, err
	}
	cat, err := sql.Open("sqlite", "file:"+filepath.Join(dst, "catalog.db")+"?mode=ro")
	if err != nil {
		return res, err
	}
	defer cat.Close()
	copyLake := &Lake{db: cat, kind: "sqlite", root: l.root}
	rows, err := copyLake.catalogRows(ctx)
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
	}
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
}

// Restore puts the backup in backupDir/lake at cfg.Root, after verifying
// it: it is copied beside the root, opened there and checked (every table's
// metadata, manifests and data files with their sizes); only a backup that
// checks clean replaces the root, whose old content is kept beside it
// (<root>.before-restore-<time>). The lake must not be in use. SQLite
// catalogs under the root only.
func Restore(ctx context.Context, backupDir string, cfg Config) (RestoreResult, error) {
	var res RestoreResult
	if cfg.Catalog.Type == "postgres" || (cfg.Catalog.DSN != "") {
		return res, errors.New("kho lake restore puts back a lake whose SQLite catalog is under its root; for a PostgreSQL catalog restore the database with pg_restore and the files by copy: see docs/operations.md")
	}
	src := filepath.Join(backupDir, "lake")
	if _, err := readMarker(src); err != nil {
		return res, err
	}
	if _, err := os.Stat(filepath.Join(src, "catalog.db")); err != nil {
		return res, fmt.Errorf("%s is not a backup of a lake (no lake/catalog.db): %w", backupDir, err)
	}
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return res, err
	}
	stamp := time.Now().UTC().Format("20060102T150405")
	staging := root + ".restoring-" + stamp
	if err := copyTree(src, staging); err != nil {
		os.RemoveAll(staging)
		return res, fmt.Errorf("copying the backup: %w", err)
	}
	verify := func(at string) (int, error) {
		c := cfg
		c.Root = at
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
	if res.Tables, err = verify(staging); err != nil {
		os.RemoveAll(staging)
		return res, fmt.Errorf("verifying the backup %s (the lake at %s was not touched): %w", backupDir, root, err)
	}
	if _, err := os.Stat(root); err == nil {
		res.Previous = root + ".before-restore-" + stamp
		if err := os.Rename(root, res.Previous); err != nil {
			os.RemoveAll(staging)
			return res, fmt.Errorf("moving the current lake aside: %w", err)
		}
	}
	if err := os.Rename(staging, root); err != nil {
		return res, fmt.Errorf("putting the backup in place (the old lake is at %s): %w", res.Previous, err)
	}
	if _, err := verify(root); err != nil {
		return res, fmt.Errorf("opening the restored lake: %w", err)
	}
	return res, nil
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
