package dcat

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Namespaces of the vocabularies used, by prefix.
var Namespaces = map[string]string{
	"rdf":   "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
	"dcat":  "http://www.w3.org/ns/dcat#",
	"dct":   "http://purl.org/dc/terms/",
	"foaf":  "http://xmlns.com/foaf/0.1/",
	"xsd":   "http://www.w3.org/2001/XMLSchema#",
	"vcard": "http://www.w3.org/2006/vcard/ns#",
	"skos":  "http://www.w3.org/2004/02/skos/core#",
	"locn":  "http://www.w3.org/ns/locn#",
	"gsp":   "http://www.opengis.net/ont/geosparql#",
}

// Node is a resource with an IRI, a type and properties.
type Node struct {
	ID   string
	Type string // compact, e.g. dcat:Dataset
	// Also are more types (compact), e.g. foaf:Agent beside
	// foaf:Organization: DCAT-AP's shapes ask for the superclass, and a
	// harvester does not infer it.
	Also  []string
	Props []Prop
}

// Prop is one property: exactly one of Lit, Ref and Node is set.
type Prop struct {
	Pred string // compact, e.g. dct:title
	Lit  *Literal
	Ref  string
	Node *Node
}

// Literal is a literal with an optional language or datatype (compact).
type Literal struct{ Value, Lang, Datatype string }

// Add appends a literal property (nothing when the value is empty).
func (n *Node) Add(pred string, lit Literal) {
	if lit.Value != "" {
		n.Props = append(n.Props, Prop{Pred: pred, Lit: &lit})
	}
}

// Link appends a property naming another resource (nothing when empty).
func (n *Node) Link(pred, iri string) {
	if iri != "" {
		n.Props = append(n.Props, Prop{Pred: pred, Ref: iri})
	}
}

// Embed appends a property whose value is a described node.
func (n *Node) Embed(pred string, m *Node) { n.Props = append(n.Props, Prop{Pred: pred, Node: m}) }

// jsonld renders the node as a JSON-LD object.
func (n *Node) jsonld() map[string]any {
	obj := map[string]any{"@id": n.ID, "@type": n.Type}
	if len(n.Also) > 0 {
		obj["@type"] = append([]string{n.Type}, n.Also...)
	}
	var order []string
	vals := map[string][]any{}
	for _, p := range n.Props {
		if _, ok := vals[p.Pred]; !ok {
			order = append(order, p.Pred)
		}
		var v any
		switch {
		case p.Lit != nil:
			l := map[string]any{"@value": p.Lit.Value}
			if p.Lit.Lang != "" {
				l["@language"] = p.Lit.Lang
			}
			if p.Lit.Datatype != "" {
				l["@type"] = p.Lit.Datatype
			}
			v = l
		case p.Node != nil:
			v = p.Node.jsonld()
		default:
			v = map[string]any{"@id": p.Ref}
		}
		vals[p.Pred] = append(vals[p.Pred], v)
	}
	for _, k := range order {
		if len(vals[k]) == 1 {
			obj[k] = vals[k][0]
		} else {
			obj[k] = vals[k]
		}
	}
	return obj
}

// WriteJSONLD writes the node as a JSON-LD document with a @context of the
// namespaces.
func WriteJSONLD(w io.Writer, n *Node) error {
	ctx := map[string]any{}
	for p, ns := range Namespaces {
		ctx[p] = ns
	}
	doc := n.jsonld()
	doc["@context"] = ctx
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	return enc.Encode(doc)
}

var xmlEsc = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// expand turns a compact name into an IRI.
func expand(compact string) string {
	p, local, ok := strings.Cut(compact, ":")
	if ns, known := Namespaces[p]; ok && known {
		return ns + local
	}
	return compact
}

// WriteRDFXML writes the node as an RDF/XML document (striped syntax).
func WriteRDFXML(w io.Writer, n *Node) error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n<rdf:RDF")
	prefixes := make([]string, 0, len(Namespaces))
	for p := range Namespaces {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		fmt.Fprintf(&b, "\n  xmlns:%s=\"%s\"", p, Namespaces[p])
	}
	b.WriteString(">\n")
	n.rdfxml(&b, "  ")
	b.WriteString("</rdf:RDF>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (n *Node) rdfxml(b *strings.Builder, ind string) {
	fmt.Fprintf(b, "%s<%s rdf:about=\"%s\">\n", ind, n.Type, xmlEsc.Replace(n.ID))
	for _, t := range n.Also {
		fmt.Fprintf(b, "%s  <rdf:type rdf:resource=\"%s\"/>\n", ind, xmlEsc.Replace(expand(t)))
	}
	for _, p := range n.Props {
		switch {
		case p.Lit != nil:
			attr := ""
			if p.Lit.Lang != "" {
				attr = fmt.Sprintf(` xml:lang="%s"`, xmlEsc.Replace(p.Lit.Lang))
			}
			if p.Lit.Datatype != "" {
				attr = fmt.Sprintf(` rdf:datatype="%s"`, xmlEsc.Replace(expand(p.Lit.Datatype)))
			}
			fmt.Fprintf(b, "%s  <%s%s>%s</%s>\n", ind, p.Pred, attr, xmlEsc.Replace(p.Lit.Value), p.Pred)
		case p.Node != nil:
			fmt.Fprintf(b, "%s  <%s>\n", ind, p.Pred)
			p.Node.rdfxml(b, ind+"    ")
			fmt.Fprintf(b, "%s  </%s>\n", ind, p.Pred)
		default:
			fmt.Fprintf(b, "%s  <%s rdf:resource=\"%s\"/>\n", ind, p.Pred, xmlEsc.Replace(p.Ref))
		}
	}
	fmt.Fprintf(b, "%s</%s>\n", ind, n.Type)
}
