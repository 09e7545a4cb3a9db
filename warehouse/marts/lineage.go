package marts

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// Node kinds of the lineage graph.
const (
	KindPipeline = "pipeline"
	KindTable    = "table"
	KindSystem   = "system"
	KindMart     = "mart"
)

// Node is a pipeline, a lake table, a system table or a mart.
type Node struct {
	ID   string // pipeline name, or namespace.table
	Kind string
}

// Edge says From feeds To.
type Edge struct{ From, To Node }

// Lineage is the graph from the pipelines through the tables they write to
// the marts that read them, and on to the marts reading marts.
type Lineage struct {
	Nodes []Node
	Edges []Edge
}

// BuildLineage draws the lineage of marts; feeds maps a lake table to the
// pipelines that write it.
func BuildLineage(ms []*Mart, feeds map[string][]string) (*Lineage, error) {
	order, err := Order(ms)
	if err != nil {
		return nil, err
	}
	l := &Lineage{}
	seen := map[Node]bool{}
	add := func(n Node) {
		if !seen[n] {
			seen[n] = true
			l.Nodes = append(l.Nodes, n)
		}
	}
	edges := map[Edge]bool{}
	link := func(from, to Node) {
		add(from)
		add(to)
		if e := (Edge{from, to}); !edges[e] {
			edges[e] = true
			l.Edges = append(l.Edges, e)
		}
	}
	for _, m := range order {
		mart := Node{m.Table(), KindMart}
		add(mart)
		for _, d := range m.DependsOn {
			src := nodeOf(d)
			link(src, mart)
			if src.Kind != KindTable {
				continue
			}
			ps := append([]string(nil), feeds[d]...)
			sort.Strings(ps)
			for _, p := range ps {
				link(Node{p, KindPipeline}, src)
			}
		}
	}
	return l, nil
}

func nodeOf(table string) Node {
	switch {
	case strings.HasPrefix(table, "marts."):
		return Node{table, KindMart}
	case strings.HasPrefix(table, SystemNamespace+"."):
		return Node{table, KindSystem}
	}
	return Node{table, KindTable}
}

// inputs are the nodes feeding n, sorted.
func (l *Lineage) inputs(n Node) []Node {
	var out []Node
	for _, e := range l.Edges {
		if e.To == n {
			out = append(out, e.From)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// WriteText prints, for each mart in build order, the tree of what it reads
// down to the pipelines.
func (l *Lineage) WriteText(w io.Writer) error {
	var err error
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		for _, in := range l.inputs(n) {
			_, e := fmt.Fprintf(w, "%s<- %s\n", strings.Repeat("   ", depth+1), label(in))
			if err == nil {
				err = e
			}
			walk(in, depth+1)
		}
	}
	for _, n := range l.Nodes {
		if n.Kind != KindMart {
			continue
		}
		if _, e := fmt.Fprintln(w, n.ID); e != nil {
			return e
		}
		walk(n, 0)
	}
	return err
}

func label(n Node) string {
	switch n.Kind {
	case KindPipeline:
		return "pipeline " + n.ID
	case KindSystem:
		return n.ID + " (lake metadata)"
	}
	return n.ID
}

var mermaidID = regexp.MustCompile(`[^A-Za-z0-9_]`)

// WriteMermaid prints the graph as a Mermaid flowchart: pipelines as
// stadiums, lake tables as cylinders, system tables as hexagons, marts as
// subroutines.
func (l *Lineage) WriteMermaid(w io.Writer) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	id := func(n Node) string { return n.Kind[:1] + "_" + mermaidID.ReplaceAllString(n.ID, "_") }
	for _, n := range l.Nodes {
		var shape string
		switch n.Kind {
		case KindPipeline:
			shape = `(["` + n.ID + `"])`
		case KindTable:
			shape = `[("` + n.ID + `")]`
		case KindSystem:
			shape = `{{"` + n.ID + `"}}`
		default:
			shape = `[["` + n.ID + `"]]`
		}
		fmt.Fprintf(&b, "  %s%s:::%s\n", id(n), shape, n.Kind)
	}
	for _, e := range l.Edges {
		fmt.Fprintf(&b, "  %s --> %s\n", id(e.From), id(e.To))
	}
	b.WriteString("  classDef pipeline fill:#eef,stroke:#557\n")
	b.WriteString("  classDef table fill:#efe,stroke:#575\n")
	b.WriteString("  classDef system fill:#ffe,stroke:#775\n")
	b.WriteString("  classDef mart fill:#fee,stroke:#755\n")
	_, err := io.WriteString(w, b.String())
	return err
}
