package excel

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
)

// resolve expands a configured path (a file or a glob, relative to baseDir)
// to absolute file paths in sorted order.
func resolve(baseDir, pattern string) ([]string, error) {
	p := pattern
	if !filepath.IsAbs(p) {
		p = filepath.Join(baseDir, p)
	}
	p, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("resolving source.path %q: %w", pattern, err)
	}
	files, err := filepath.Glob(p)
	if err != nil {
		return nil, fmt.Errorf("source.path: bad glob pattern %q: %w", pattern, err)
	}
	files = slices.DeleteFunc(files, func(f string) bool {
		st, err := os.Stat(f)
		return err == nil && st.IsDir()
	})
	if len(files) == 0 {
		return nil, fmt.Errorf("source.path: no file matches %q (looked for %s)", pattern, p)
	}
	sort.Strings(files)
	return files, nil
}
