package pages_test

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	dcatNS = "http://www.w3.org/ns/dcat#"
	dctNS  = "http://purl.org/dc/terms/"
	foafNS = "http://xmlns.com/foaf/0.1/"
	rdfNS  = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
)

// values returns the values of a property of an expanded JSON-LD node.
func values(node map[string]any, prop string) []map[string]any {
	var out []map[string]any
	list, _ := node[prop].([]any)
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func hasType(node map[string]any, typ string) bool {
	ts, _ := node["@type"].([]any)
	for _, x := range ts {
		if x == typ {
			return true
		}
	}
	return false
}

// TestDCATIsJSONLD expands /catalog.jsonld with a JSON-LD processor
// (json-gold) and checks the catalog's dcat:Dataset nodes, then checks that
// /catalog.rdf states exactly the same triples.
func TestDCATIsJSONLD(t *testing.T) {
	code, body := fetch(t, env.srv.URL+"/catalog.jsonld")
	require.Equal(t, 200, code)
	var doc any
	require.NoError(t, json.Unmarshal(body, &doc))

	proc := ld.NewJsonLdProcessor()
	opts := ld.NewJsonLdOptions("")
	expanded, err := proc.Expand(doc, opts)
	require.NoError(t, err, "the catalog expands as JSON-LD")
	require.Len(t, expanded, 1)
	catalog := expanded[0].(map[string]any)
	require.True(t, hasType(catalog, dcatNS+"Catalog"))

	var ids []string
	ckanCall(t, env.srv.URL, "package_list", "", &ids)
	datasets := values(catalog, dcatNS+"dataset")
	require.Len(t, datasets, len(ids), "one dcat:Dataset per published dataset")
	for _, d := range datasets {
		id, _ := d["@id"].(string)
		require.True(t, hasType(d, dcatNS+"Dataset"), id)
		langs := map[string]string{}
		for _, title := range values(d, dctNS+"title") {
			langs[title["@language"].(string)] = title["@value"].(string)
		}
		assert.NotEmpty(t, langs["vi"], "%s: dct:title@vi", id)
		assert.NotEmpty(t, langs["en"], "%s: dct:title@en", id)
		assert.NotEmpty(t, values(d, dctNS+"description"), id)
		pubs := values(d, dctNS+"publisher")
		require.Len(t, pubs, 1, id)
		assert.True(t, hasType(pubs[0], foafNS+"Organization"), id)
		assert.NotEmpty(t, values(pubs[0], foafNS+"name"), id)
		mod := values(d, dctNS+"modified")
		require.Len(t, mod, 1, id)
		assert.Equal(t, "http://www.w3.org/2001/XMLSchema#dateTime", mod[0]["@type"], id)
		lic := values(d, dctNS+"license")
		require.Len(t, lic, 1, id)
		assert.Equal(t, "https://creativecommons.org/licenses/by/4.0/", lic[0]["@id"], id)
		assert.Len(t, values(d, dctNS+"accrualPeriodicity"), 1, id)
		dists := values(d, dcatNS+"distribution")
		require.Len(t, dists, 4, id)
		formats := map[string]bool{}
		for _, dist := range dists {
			assert.True(t, hasType(dist, dcatNS+"Distribution"), id)
			urls := values(dist, dcatNS+"downloadURL")
			require.Len(t, urls, 1, id)
			f := values(dist, dctNS+"format")
			require.Len(t, f, 1, id)
			formats[f[0]["@id"].(string)] = true
			u := urls[0]["@id"].(string)
			require.True(t, strings.HasPrefix(u, env.srv.URL+"/open/datasets/"), u)
			code, _ := fetch(t, u)
			assert.Equal(t, 200, code, u)
		}
		assert.True(t, formats["http://publications.europa.eu/resource/authority/file-type/CSV"], id)
		assert.True(t, formats["http://publications.europa.eu/resource/authority/file-type/PARQUET"], id)
	}

	// The RDF/XML states the same graph as the JSON-LD.
	opts.Format = "application/n-quads"
	nq, err := proc.ToRDF(doc, opts)
	require.NoError(t, err)
	fromLD := parseNQuads(t, nq.(string))
	code, rdf := fetch(t, env.srv.URL+"/catalog.rdf")
	require.Equal(t, 200, code)
	fromXML := parseRDFXML(t, string(rdf))
	require.NotEmpty(t, fromLD)
	for _, tr := range fromLD {
		if _, found := slices.BinarySearch(fromXML, tr); !found {
			t.Errorf("catalog.rdf lacks %s", tr)
		}
	}
	for _, tr := range fromXML {
		if _, found := slices.BinarySearch(fromLD, tr); !found {
			t.Errorf("catalog.rdf adds %s", tr)
		}
	}
}

var nquadRe = regexp.MustCompile(`^<([^>]*)> <([^>]*)> (?:<([^>]*)>|"((?:[^"\\]|\\.)*)"(?:@([a-zA-Z-]+)|\^\^<([^>]*)>)?) \.$`)

// parseNQuads reads json-gold's N-Quads (no blank nodes here) into sorted
// triple strings.
func parseNQuads(t *testing.T, s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		m := nquadRe.FindStringSubmatch(line)
		require.NotNil(t, m, "unexpected N-Quad: %s", line)
		if m[3] != "" {
			out = append(out, triple(m[1], m[2], "<"+m[3]+">"))
			continue
		}
		lit, err := strconv.Unquote(`"` + m[4] + `"`)
		require.NoError(t, err, line)
		out = append(out, triple(m[1], m[2], literal(lit, m[5], m[6])))
	}
	sort.Strings(out)
	return slices.Compact(out) // a graph is a set
}

func triple(s, p, o string) string { return "<" + s + "> <" + p + "> " + o }

func literal(v, lang, dt string) string {
	switch {
	case lang != "":
		return strconv.Quote(v) + "@" + lang
	case dt != "" && dt != "http://www.w3.org/2001/XMLSchema#string":
		return strconv.Quote(v) + "^^<" + dt + ">"
	}
	return strconv.Quote(v)
}

// parseRDFXML reads the striped RDF/XML the catalog writes (typed node
// elements with rdf:about, property elements with rdf:resource, a nested
// node, or text with xml:lang or rdf:datatype) into sorted triple strings.
func parseRDFXML(t *testing.T, s string) []string {
	dec := xml.NewDecoder(strings.NewReader(s))
	var out []string
	attr := func(se xml.StartElement, space, local string) string {
		for _, a := range se.Attr {
			if a.Name.Space == space && a.Name.Local == local {
				return a.Value
			}
		}
		return ""
	}
	var node func(se xml.StartElement) string
	node = func(se xml.StartElement) string {
		subj := attr(se, rdfNS, "about")
		require.NotEmpty(t, subj, "node element %s without rdf:about", se.Name.Local)
		out = append(out, triple(subj, rdfNS+"type", "<"+se.Name.Space+se.Name.Local+">"))
		for {
			tok, err := dec.Token()
			require.NoError(t, err)
			switch tk := tok.(type) {
			case xml.EndElement:
				return subj
			case xml.StartElement:
				pred := tk.Name.Space + tk.Name.Local
				if res := attr(tk, rdfNS, "resource"); res != "" {
					out = append(out, triple(subj, pred, "<"+res+">"))
					require.NoError(t, dec.Skip())
					continue
				}
				lang, dt := attr(tk, "http://www.w3.org/XML/1998/namespace", "lang"), attr(tk, rdfNS, "datatype")
				var text strings.Builder
				done := false
				for !done {
					tok, err := dec.Token()
					require.NoError(t, err)
					switch c := tok.(type) {
					case xml.CharData:
						text.Write(c)
					case xml.StartElement:
						obj := node(c)
						out = append(out, triple(subj, pred, "<"+obj+">"))
					case xml.EndElement:
						done = true
						if strings.TrimSpace(text.String()) != "" || lang != "" || dt != "" {
							out = append(out, triple(subj, pred, literal(text.String(), lang, dt)))
						}
					}
				}
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if se, ok := tok.(xml.StartElement); ok && !(se.Name.Space == rdfNS && se.Name.Local == "RDF") {
			node(se)
		}
	}
	sort.Strings(out)
	return slices.Compact(out) // a graph is a set
}
