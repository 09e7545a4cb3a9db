package schemas

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/internal/yamlpos"
)

// Embedded holds the province's schema files, schemas/<domain>/<dataset>.yaml.
//
//go:embed */*.yaml
var Embedded embed.FS

// Set is every dataset schema known to a Kho, by dataset name.
type Set struct {
	byName map[string]*Dataset
}

// Get returns the schema of a dataset.
func (s *Set) Get(name string) (*Dataset, bool) {
	d, ok := s.byName[name]
	return d, ok
}

// All returns every dataset, sorted by name.
func (s *Set) All() []*Dataset {
	out := make([]*Dataset, 0, len(s.byName))
	for _, d := range s.byName {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Add puts a dataset in the set, replacing one of the same name.
func (s *Set) Add(d *Dataset) {
	if s.byName == nil {
		s.byName = map[string]*Dataset{}
	}
	s.byName[d.Name] = d
}

// LoadFS reads every <domain>/<dataset>.yaml of fsys and validates them all,
// returning every problem at once (errors.Join), each naming file:line.
func LoadFS(fsys fs.FS, prefix string) (*Set, error) {
	files, err := fs.Glob(fsys, "*/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	set := &Set{byName: map[string]*Dataset{}}
	var errs []error
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		name := path.Join(prefix, f)
		d, err := Parse(name, b)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		domain := path.Dir(f)
		want := domain + "." + strings.TrimSuffix(path.Base(f), ".yaml")
		if d.Name != want {
			errs = append(errs, fmt.Errorf("%s:1: dataset is %q but the file's place says %q", name, d.Name, want))
			continue
		}
		set.byName[d.Name] = d
	}
	return set, errors.Join(errs...)
}

// LoadEmbedded returns the schemas built into the binary.
func LoadEmbedded() (*Set, error) { return LoadFS(Embedded, "schemas") }

// Parse reads and validates one schema file.
func Parse(file string, b []byte) (*Dataset, error) {
	var d Dataset
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s: %w", file, yamlErr(err))
	}
	d.File = file
	if err := d.validate(yamlpos.Parse(file, b)); err != nil {
		return nil, err
	}
	return &d, nil
}

func yamlErr(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return errors.New(strings.Join(te.Errors, "; "))
	}
	return err
}
