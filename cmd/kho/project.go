package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sonla-data/kho/schemas"
	sqlfs "github.com/sonla-data/kho/sql"
	"github.com/sonla-data/kho/warehouse/marts"
)

// A project folder (`kho init`) holds schemas/ and sql/marts/ of its own.
// They are added to the datasets and marts built into the binary: a project
// file with a built-in one's name replaces it, and the replacement is
// reported (kho validate prints it) unless the two files are identical (as
// when Kho runs from its own source tree).

// loadSchemaSet is the built-in datasets with those of dir (when not "")
// laid over them, and a line for every built-in dataset that dir replaces.
func loadSchemaSet(dir string) (*schemas.Set, []string, error) {
	set, err := schemas.LoadEmbedded()
	if err != nil || dir == "" {
		return set, nil, err
	}
	project, err := schemas.LoadFS(os.DirFS(dir), dir)
	if err != nil {
		return set, nil, err
	}
	var notes []string
	for _, d := range project.All() {
		if old, ok := set.Get(d.Name); ok && !sameFile(schemas.Embedded, embeddedPath(old.File), d.File) {
			notes = append(notes, fmt.Sprintf("%s replaces the built-in dataset %s", d.File, d.Name))
		}
		set.Add(d)
	}
	return set, notes, nil
}

// embeddedPath is the path inside schemas.Embedded of a built-in schema file
// (LoadEmbedded names them "schemas/<domain>/<dataset>.yaml").
func embeddedPath(file string) string { return strings.TrimPrefix(filepath.ToSlash(file), "schemas/") }

// loadMartSet is the built-in marts with those of dir (when not "") laid
// over them, in an order that builds every mart after what it reads, and a
// line for every built-in mart that dir replaces.
func loadMartSet(dir string) ([]*marts.Mart, []string, error) {
	builtIn, err := marts.Load(sqlfs.Marts, "marts")
	if err != nil || dir == "" {
		return builtIn, nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return builtIn, nil, err
	}
	sort.Strings(files)
	byName := map[string]int{}
	for i, m := range builtIn {
		byName[m.Name] = i
	}
	all := append([]*marts.Mart(nil), builtIn...)
	var notes []string
	var errs []error
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m, err := marts.Parse(f, string(b))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if i, ok := byName[m.Name]; ok {
			if !sameFile(sqlfs.Marts, path.Join("marts", m.Name+".sql"), f) {
				notes = append(notes, fmt.Sprintf("%s replaces the built-in mart %s", f, m.Name))
			}
			all[i] = m
			continue
		}
		byName[m.Name] = len(all)
		all = append(all, m)
	}
	if len(errs) == 0 {
		if _, err := marts.Order(all); err != nil {
			errs = append(errs, err)
		}
	}
	return all, notes, errors.Join(errs...)
}

// sameFile reports whether the embedded file at name and the file on disk
// at file hold the same bytes.
func sameFile(fsys fs.FS, name, file string) bool {
	a, err := fs.ReadFile(fsys, name)
	if err != nil {
		return false
	}
	b, err := os.ReadFile(file)
	return err == nil && bytes.Equal(a, b)
}
