package pipelines

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/internal/yamlpos"
)

// DefaultsFile holds the defaults shared by the pipelines of its folder.
const DefaultsFile = "_defaults.yaml"

// Loader reads pipeline files.
type Loader struct {
	Registry *connectors.Registry
	Lookup   Lookup // environment; nil: the process's
	// BaseDir is where relative source paths resolve from: the folder of
	// kho.yaml, or the working directory.
	BaseDir string
}

// LoadDir reads every *.yaml of a folder (sorted) and returns the pipelines
// that parsed, with every problem of every file joined in the error.
func (l Loader) LoadDir(dir string) ([]*Pipeline, error) {
	return l.LoadFS(os.DirFS(dir), dir)
}

// LoadFS reads every *.yaml at the top of fsys; dir is how their paths are
// shown. A _defaults.yaml there gives every pipeline the keys it does not set.
func (l Loader) LoadFS(fsys fs.FS, dir string) ([]*Pipeline, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var (
		out      []*Pipeline
		errs     []error
		defaults *Pipeline
	)
	if b, err := fs.ReadFile(fsys, DefaultsFile); err == nil {
		defaults, err = l.parseDefaults(path.Join(dir, DefaultsFile), b)
		if err != nil {
			errs = append(errs, err)
		}
	}
	names := map[string]string{}
	for _, f := range files {
		if f == DefaultsFile {
			continue
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			errs = append(errs, &FileError{File: path.Join(dir, f), Err: err})
			continue
		}
		p, err := l.parse(path.Join(dir, f), b, defaults)
		if err != nil {
			errs = append(errs, &FileError{File: path.Join(dir, f), Err: err})
		}
		if p == nil {
			continue
		}
		if other, dup := names[p.Name]; dup && p.Name != "" {
			errs = append(errs, &FileError{File: p.File, Err: fmt.Errorf("%s:1: pipeline %q is also defined in %s", p.File, p.Name, other)})
			continue
		}
		names[p.Name] = p.File
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

// FileError is what is wrong with one pipeline file; its text is the
// problems' own (each names file:line). A caller that can do without the
// file (every command but kho validate) leaves it out and goes on.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// Parse reads one pipeline. It returns the pipeline as far as it could be
// read, and every problem found.
func (l Loader) Parse(file string, text []byte) (*Pipeline, error) { return l.parse(file, text, nil) }

func (l Loader) decode(file string, text []byte) (*Pipeline, error) {
	text, secrets, err := expand(file, text, l.Lookup)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{File: file, Dir: l.BaseDir, text: text, secrets: secrets}
	var root yaml.Node
	if err := yaml.Unmarshal(text, &root); err != nil {
		return nil, RedactError(yamlpos.SyntaxError(file, err), secrets)
	}
	if len(root.Content) == 0 {
		return p, nil
	}
	// Every unknown key and every value of the wrong kind, at once.
	errs := yamlpos.UnknownKeys(file, &root, reflect.TypeOf(*p), "yaml", "")
	if err := root.Decode(p); err != nil {
		errs = append(errs, yamlpos.TypeErrors(file, err)...)
	}
	// The pipeline as far as it was read comes back with its problems, so
	// that its source block is checked too.
	return p, RedactError(errors.Join(errs...), secrets)
}

func (l Loader) parseDefaults(file string, text []byte) (*Pipeline, error) {
	d, err := l.decode(file, text)
	if err != nil {
		return nil, err
	}
	if d.Name != "" || d.Target.Dataset != "" {
		return nil, fmt.Errorf("%s:1: defaults may not set name or target.dataset", file)
	}
	return d, nil
}

func (l Loader) parse(file string, text []byte, defaults *Pipeline) (*Pipeline, error) {
	p, err := l.decode(file, text)
	if p == nil {
		return nil, err
	}
	if defaults != nil {
		p.inherit(defaults)
	}
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	if err := l.decodeSource(p); err != nil {
		errs = append(errs, err)
	}
	if err := p.decodeCompleteness(); err != nil {
		errs = append(errs, err)
	}
	return p, RedactError(errors.Join(errs...), p.secrets)
}

// inherit fills what p does not set from the folder's defaults.
func (p *Pipeline) inherit(d *Pipeline) {
	if p.Schedule == "" {
		p.Schedule = d.Schedule
	}
	if p.OnError == "" {
		p.OnError = d.OnError
	}
	if p.SchemaDrift == "" {
		p.SchemaDrift = d.SchemaDrift
	}
	if p.Target.Mode == "" {
		p.Target.Mode = d.Target.Mode
	}
	if p.Freshness == 0 {
		p.Freshness = d.Freshness
	}
	if p.Retries == nil {
		p.Retries = d.Retries
	}
	if p.NumberFormat == nil {
		p.NumberFormat = d.NumberFormat
	}
	if len(d.Transforms) > 0 {
		merged := map[string][]string{}
		for k, v := range d.Transforms {
			merged[k] = v
		}
		for k, v := range p.Transforms {
			merged[k] = v
		}
		p.Transforms = merged
	}
	// Source keys the pipeline does not set (a shared dsn, say) come from the
	// defaults' source block.
	if d.Source.Kind == yaml.MappingNode && (p.Source.Kind == yaml.MappingNode || p.Source.Kind == 0) {
		if p.Source.Kind == 0 {
			p.Source = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1}
		}
		have := map[string]bool{}
		for i := 0; i+1 < len(p.Source.Content); i += 2 {
			have[p.Source.Content[i].Value] = true
		}
		for i := 0; i+1 < len(d.Source.Content); i += 2 {
			if !have[d.Source.Content[i].Value] {
				p.Source.Content = append(p.Source.Content, d.Source.Content[i], d.Source.Content[i+1])
			}
		}
	}
	p.secrets = append(p.secrets, d.secrets...)
}

// decodeSource decodes source: into the connector's typed config.
func (l Loader) decodeSource(p *Pipeline) error {
	n := &p.Source
	if n.Kind == 0 {
		return fmt.Errorf("%s:1: source is required", p.File)
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d:%d: source must be a mapping with a type", p.File, n.Line, n.Column)
	}
	rest := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "type" {
			p.SourceType = n.Content[i+1].Value
			continue
		}
		rest.Content = append(rest.Content, n.Content[i], n.Content[i+1])
	}
	reg := l.Registry
	if reg == nil {
		reg = connectors.Default
	}
	spec, ok := reg.Lookup(p.SourceType)
	if !ok {
		return fmt.Errorf("%s:%d:%d: source.type %q is not a connector (have: %s)", p.File, n.Line, n.Column, p.SourceType, strings.Join(reg.Names(), ", "))
	}
	cfg := spec.NewConfig()
	// Every unknown key and every value of the wrong kind, at once, at
	// their place in the pipeline file.
	errs := yamlpos.UnknownKeys(p.File, rest, reflect.TypeOf(cfg), "yaml", "source")
	if err := rest.Decode(cfg); err != nil {
		errs = append(errs, yamlpos.TypeErrors(p.File, err)...)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	p.SourceConfig = cfg
	return nil
}

func (p *Pipeline) decodeCompleteness() error {
	c := p.Completeness
	if c == nil {
		return nil
	}
	n := &c.Reporters
	switch {
	case n.Kind == yaml.ScalarNode && (n.Value == "communes" || n.Value == "province_agencies"):
		c.Kind = n.Value
	case n.Kind == yaml.SequenceNode:
		c.Kind = "list"
		for _, v := range n.Content {
			c.Codes = append(c.Codes, v.Value)
		}
	default:
		return fmt.Errorf("%s:%d:%d: completeness.reporters must be communes, province_agencies or a list of codes", p.File, n.Line, n.Column)
	}
	return nil
}
