// Package yamlpos finds where a key of a YAML document is, so that messages
// about a config, a pipeline or a schema can name file:line.
package yamlpos

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Doc is a parsed YAML document and the file it came from.
type Doc struct {
	File string
	Root *yaml.Node
}

// Parse parses text for positions only (errors leave Root nil: At then gives line 1).
func Parse(file string, text []byte) Doc {
	var root yaml.Node
	if err := yaml.Unmarshal(text, &root); err != nil {
		return Doc{File: file}
	}
	return Doc{File: file, Root: &root}
}

// At returns "file:line" of the path of map keys (string) and sequence
// indexes (int), e.g. At("columns", 3, "type"); as deep as the path exists.
func (d Doc) At(path ...any) string {
	return fmt.Sprintf("%s:%d", d.File, d.Line(path...))
}

// Pos returns "file:line:column" of the path, like At.
func (d Doc) Pos(path ...any) string {
	line, col := d.position(path...)
	return fmt.Sprintf("%s:%d:%d", d.File, line, col)
}

// Line is the line of the deepest node of path that exists.
func (d Doc) Line(path ...any) int {
	line, _ := d.position(path...)
	return line
}

func (d Doc) position(path ...any) (int, int) {
	n := d.Root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line, col := 1, 1
	for _, k := range path {
		if n == nil {
			break
		}
		var next *yaml.Node
		switch k := k.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == k {
						line, col = n.Content[i].Line, n.Content[i].Column
						next = n.Content[i+1]
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && k < len(n.Content) {
				next = n.Content[k]
				line, col = next.Line, next.Column
			}
		}
		n = next
	}
	return line, col
}
