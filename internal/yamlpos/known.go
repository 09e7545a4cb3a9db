package yamlpos

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// UnknownKeys lists every key of the document under n that the Go type t
// does not know, each as "file:line:column: unknown key ..." with the
// closest known key ("did you mean ...") or the keys known there. tag is
// the struct tag naming the keys ("yaml" or "mapstructure"). Fields of type
// yaml.Node, interfaces and maps of them are not looked into (their keys
// are checked where they are decoded). path names where n is ("" for the
// document's top).
func UnknownKeys(file string, n *yaml.Node, t reflect.Type, tag, path string) []error {
	var errs []error
	walkKnown(file, n, t, tag, path, &errs)
	return errs
}

var nodeType = reflect.TypeOf(yaml.Node{})

func walkKnown(file string, n *yaml.Node, t reflect.Type, tag, path string, errs *[]error) {
	if n == nil {
		return
	}
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			walkKnown(file, c, t, tag, path, errs)
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nodeType {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return
		}
		if reflect.PointerTo(t).Implements(unmarshalerType) {
			return // decodes itself
		}
		fields := structKeys(t, tag)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				*errs = append(*errs, unknownKey(file, k, path, fields))
				continue
			}
			walkKnown(file, v, ft, tag, join(path, k.Value), errs)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkKnown(file, n.Content[i+1], t.Elem(), tag, join(path, n.Content[i].Value), errs)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, c := range n.Content {
			walkKnown(file, c, t.Elem(), tag, fmt.Sprintf("%s[%d]", path, i), errs)
		}
	}
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// structKeys are the keys a struct type knows, with their types (embedded
// and inline/squashed structs included).
func structKeys(t reflect.Type, tag string) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get(tag), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if (f.Anonymous && name == "") || strings.Contains(opts, "inline") || strings.Contains(opts, "squash") || strings.Contains(opts, "remain") {
			if ft.Kind() == reflect.Struct {
				for k, v := range structKeys(ft, tag) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func unknownKey(file string, k *yaml.Node, path string, known map[string]reflect.Type) error {
	where := "at the top level"
	if path != "" {
		where = "in " + path
	}
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	hint := "; the keys there are " + strings.Join(names, ", ")
	if s := Closest(k.Value, names); s != "" {
		hint = fmt.Sprintf("; did you mean %q?", s)
	}
	return fmt.Errorf("%s:%d:%d: unknown key %q %s%s", file, k.Line, k.Column, k.Value, where, hint)
}

// Closest is the candidate nearest to s by edit distance, when near enough
// to be a likely typo (at most a third of the longer word, and at most 3);
// empty otherwise.
func Closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(len(s), len(best)) / 3
	if limit > 3 {
		limit = 3
	}
	if bestD == 0 || bestD > max(limit, 1) {
		return ""
	}
	return best
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and swaps of two neighbours each count one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

var intoRe = regexp.MustCompile(`cannot unmarshal (!!\w+)(?: ` + "`" + `([^` + "`" + `]*)` + "`" + `)? into (\S+(?: \{\})?)`)

// Humane rewrites a message of the YAML decoder for a user: Go type names
// and YAML tags become words ("cannot unmarshal !!seq into string" becomes
// "a list where a single value is expected").
func Humane(msg string) string {
	return intoRe.ReplaceAllStringFunc(msg, func(s string) string {
		m := intoRe.FindStringSubmatch(s)
		got := tagWord(m[1])
		if m[2] != "" {
			got += fmt.Sprintf(" (%s)", m[2])
		}
		return fmt.Sprintf("%s where %s is expected", got, typeWord(m[3]))
	})
}

func tagWord(tag string) string {
	switch tag {
	case "!!seq":
		return "a list"
	case "!!map":
		return "a mapping (key: value lines)"
	case "!!str":
		return "a text"
	case "!!int":
		return "a whole number"
	case "!!float":
		return "a number"
	case "!!bool":
		return "true/false"
	case "!!null":
		return "nothing"
	}
	return "a value"
}

// TypeWord says in words what a Go type holds ("a whole number", "a
// list").
func TypeWord(goType string) string { return typeWord(goType) }

func typeWord(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping (key: value lines)"
	case goType == "string":
		return "a single text value"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case strings.Contains(goType, "Duration"):
		return "a duration (e.g. 90m, 12h)"
	}
	return "a mapping (key: value lines)"
}

var syntaxRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// SyntaxError is the YAML parser's error as "file:line: the file is not
// valid YAML: ...".
func SyntaxError(file string, err error) error {
	if m := syntaxRe.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("%s:%s: the file is not valid YAML: %s", file, m[1], m[2])
	}
	return fmt.Errorf("%s: the file is not valid YAML: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
}

var typeLineRe = regexp.MustCompile(`^line (\d+): (.*)$`)

// TypeErrors turns the decoder's error (a *yaml.TypeError lists one line
// per value) into "file:line: ..." errors in words, one per problem.
func TypeErrors(file string, err error) []error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if e, ok := err.(*yaml.TypeError); ok {
		te = e
		msgs = te.Errors
	}
	out := make([]error, 0, len(msgs))
	for _, m := range msgs {
		m = Humane(strings.TrimPrefix(m, "yaml: "))
		if x := typeLineRe.FindStringSubmatch(m); x != nil {
			out = append(out, fmt.Errorf("%s:%s: %s", file, x[1], x[2]))
		} else {
			out = append(out, fmt.Errorf("%s: %s", file, m))
		}
	}
	return out
}
