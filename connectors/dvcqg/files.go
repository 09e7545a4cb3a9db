package dvcqg

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// listFiles resolves the configured path (a file or a glob, relative to base)
// to the files to read, sorted. A glob matching nothing is not an error (a
// drop folder may be empty), but its folder must exist.
func listFiles(base, pattern string) ([]string, error) {
	if !filepath.IsAbs(pattern) && base != "" {
		pattern = filepath.Join(base, pattern)
	}
	if !strings.ContainsAny(pattern, `*?[\`) {
		st, err := os.Stat(pattern)
		if err != nil {
			return nil, fmt.Errorf("source.path: %w", err)
		}
		if st.IsDir() {
			return nil, fmt.Errorf("source.path: %s is a folder; give a glob such as %s", pattern, filepath.Join(pattern, "*.json"))
		}
		return []string{pattern}, nil
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("source.path: %w", err)
	}
	if len(matches) == 0 {
		if _, err := os.Stat(staticDir(pattern)); err != nil {
			return nil, fmt.Errorf("source.path: %w", err)
		}
	}
	files := matches[:0]
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && !st.IsDir() {
			files = append(files, m)
		}
	}
	sort.Strings(files)
	return files, nil
}

// staticDir is the leading folder of a glob that has no pattern characters.
func staticDir(pattern string) string {
	dir := filepath.Dir(pattern)
	for strings.ContainsAny(dir, `*?[\`) {
		dir = filepath.Dir(dir)
	}
	return dir
}

// hashFile returns the SHA-256 of a file's content, in hex.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
