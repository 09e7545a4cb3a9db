package pipelines

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
)

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

// LoadFS reads every *.yaml at the top of fsys; dir is how their paths are shown.
func (l Loader) LoadFS(fsys fs.FS, dir string) ([]*Pipeline, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var (
		out  []*Pipeline
		errs []error
	)
	names := map[string]string{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p, err := l.Parse(filepath.Join(dir, f), b)
		if err != nil {
			errs = append(errs, err)
		}
		if p == nil {
			continue
		}
		if other, dup := names[p.Name]; dup && p.Name != "" {
			errs = append(errs, fmt.Errorf("%s:1: pipeline %q is also defined in %s", p.File, p.Name, other))
			continue
		}
		names[p.Name] = p.File
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

// Parse reads one pipeline. It returns the pipeline as far as it could be
// read, and every problem found.
func (l Loader) Parse(file string, text []byte) (*Pipeline, error) {
	text, err := expand(file, text, l.Lookup)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{File: file, Dir: l.BaseDir, text: text}
	dec := yaml.NewDecoder(bytes.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil {
		return nil, fmt.Errorf("%s: %w", file, yamlError(err, 0))
	}
	var errs []error
	if err := l.decodeSource(p); err != nil {
		errs = append(errs, err)
	}
	return p, errors.Join(errs...)
}

// decodeSource decodes source: into the connector's typed config.
func (l Loader) decodeSource(p *Pipeline) error {
	n := &p.Source
	if n.Kind == 0 {
		return fmt.Errorf("%s:1: source is required", p.File)
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: source must be a mapping with a type", p.File, n.Line)
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
		return fmt.Errorf("%s:%d: source.type %q is not a connector (have: %s)", p.File, n.Line, p.SourceType, strings.Join(reg.Names(), ", "))
	}
	cfg := spec.NewConfig()
	// Decode through text so that unknown keys are refused; lines are mapped
	// back to the pipeline file.
	b, err := yaml.Marshal(rest)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: source: %w", p.File, yamlError(err, lineMap(rest)))
	}
	p.SourceConfig = cfg
	return nil
}

var lineRe = regexp.MustCompile(`line (\d+)`)

// lineMap returns, for a re-marshalled node, the original line of each line
// of the marshalled text (keys are printed one per line in order).
func lineMap(n *yaml.Node) int {
	if len(n.Content) == 0 {
		return 0
	}
	return n.Content[0].Line - 1
}

// yamlError rewrites yaml's "line N" by an offset and joins its list.
func yamlError(err error, offset int) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for i, m := range msgs {
		msgs[i] = lineRe.ReplaceAllStringFunc(m, func(s string) string {
			n, _ := strconv.Atoi(s[5:])
			return "line " + strconv.Itoa(n+offset)
		})
	}
	return errors.New(strings.Join(msgs, "; "))
}
