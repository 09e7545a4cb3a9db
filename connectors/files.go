package connectors

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// This file holds what the file-reading connectors (csv, excel, dvcqg) share:
// resolving `source.path`, remembering files by content hash, and naming
// columns from header cells (see columns.go).

// globMeta are the characters that make a path a pattern.
const globMeta = `*?[{\`

// IsGlob tells whether a configured path is a pattern rather than one file.
func IsGlob(path string) bool { return strings.ContainsAny(path, globMeta) }

// CheckGlob reports a malformed `source.path` pattern, naming the key, for a
// config's Validate. The syntax is doublestar's: `*`, `?`, `[…]`, `{a,b}` and
// `**` for any number of folders.
func CheckGlob(pattern string) error {
	if !IsGlob(pattern) {
		return nil
	}
	if !doublestar.ValidatePathPattern(filepath.ToSlash(pattern)) {
		return fmt.Errorf("source.path: bad glob pattern %q (use *, ?, [abc], {a,b} and ** for any folders)", pattern)
	}
	return nil
}

// ResolveFiles expands a configured path — one file, or a glob with `**`
// for any depth of folders — relative to baseDir into absolute, clean file
// paths in sorted order. Folders are never returned. Office lock files
// (`~$report.xlsx`, left beside a workbook while Excel has it open) are left
// out with a log line.
//
// A path without pattern characters must name an existing file. A glob that
// matches nothing gives no files and no error (a drop folder may be empty),
// but the folder it starts from must exist: a typo in it is an error.
func ResolveFiles(baseDir, pattern string, log *slog.Logger) ([]string, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := pattern
	if !filepath.IsAbs(p) {
		p = filepath.Join(baseDir, p)
	}
	p, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("resolving source.path %q: %w", pattern, err)
	}
	if !IsGlob(pattern) {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("source.path: %w", err)
		}
		if st.IsDir() {
			return nil, fmt.Errorf("source.path: %s is a folder; give a glob such as %s", p, filepath.Join(p, "*"))
		}
		return []string{p}, nil
	}
	if err := CheckGlob(pattern); err != nil {
		return nil, err
	}
	base, _ := doublestar.SplitPattern(filepath.ToSlash(p))
	if st, err := os.Stat(filepath.FromSlash(base)); err != nil {
		return nil, fmt.Errorf("source.path: the folder of %q: %w", pattern, err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("source.path: %s, the folder of %q, is not a folder", base, pattern)
	}
	matches, err := doublestar.FilepathGlob(p, doublestar.WithFilesOnly(), doublestar.WithFailOnIOErrors())
	if err != nil {
		return nil, fmt.Errorf("source.path: listing %q: %w", pattern, err)
	}
	files := make([]string, 0, len(matches))
	for _, m := range matches {
		if strings.HasPrefix(filepath.Base(m), "~$") {
			log.Info("leaving out an office lock file", "file", m)
			continue
		}
		files = append(files, filepath.Clean(m))
	}
	sort.Strings(files)
	return files, nil
}

// NoFileError is the error of a file connector whose glob matched nothing,
// for the kinds (csv, excel) that need at least one file.
func NoFileError(baseDir, pattern string) error {
	p := pattern
	if !filepath.IsAbs(p) {
		p = filepath.Join(baseDir, p)
	}
	return fmt.Errorf("source.path: no file matches %q (looked for %s)", pattern, p)
}

// HashFile returns the SHA-256 of a file's content, in hex: the identity of
// a file in State.Files.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Unchanged tells whether a file with this content hash was loaded before,
// as recorded in the state of the target's last commit.
func (s *State) Unchanged(path, hash string) bool {
	return s != nil && hash != "" && s.Files[path] == hash
}

// CheckFile hashes a file and tells whether it is unchanged since the
// state's last commit, in which case the caller passes it over (the skip is
// logged here) and still reports its hash in Files(), so the state keeps it.
func CheckFile(path string, state *State, log *slog.Logger) (hash string, unchanged bool, err error) {
	hash, err = HashFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", false, fmt.Errorf("reading %s: %w (was it moved while the run went on?)", path, err)
		}
		return "", false, fmt.Errorf("reading %s: %w", path, err)
	}
	if !state.Unchanged(path, hash) {
		return hash, false, nil
	}
	if log != nil {
		log.Info("skipping a file loaded before, unchanged", "file", path, "sha256", hash)
	}
	return hash, true, nil
}

// FileDigest is what the file sources' connectors.RawDigester shares: a
// prelude of their kind, settings and files, then each file's path and
// SHA-256 once it is read to its end. Files done before Start (read while
// the source was opened) are kept for it.
type FileDigest struct {
	w     io.Writer
	early []string
}

// Started reports whether Start was called.
func (d *FileDigest) Started() bool { return d.w != nil }

// Start writes the prelude into h (settings printed with %+v: every field
// that decides the parsing), then the files done already.
func (d *FileDigest) Start(h io.Writer, kind string, settings any, files []string) {
	fmt.Fprintf(h, "%s %+v %d\n", kind, settings, len(files))
	for _, f := range files {
		fmt.Fprintf(h, "%q\n", f)
	}
	for _, line := range d.early {
		io.WriteString(h, line)
	}
	d.w, d.early = h, nil
}

// Done adds a file read to its end, with the SHA-256 (hex) of its bytes.
func (d *FileDigest) Done(path, sum string) {
	line := fmt.Sprintf("%q %s\n", path, sum)
	if d.w == nil {
		d.early = append(d.early, line)
		return
	}
	io.WriteString(d.w, line)
}

// Rest hashes files not opened yet into the digest, without parsing them;
// progress, when set, hears 0 rows after each.
func (d *FileDigest) Rest(ctx context.Context, files []string, progress func(int64)) error {
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		sum, err := HashFile(path)
		if err != nil {
			return fmt.Errorf("reading %s: %w (was it moved while the run went on?)", path, err)
		}
		d.Done(path, sum)
		if progress != nil {
			progress(0)
		}
	}
	return nil
}
