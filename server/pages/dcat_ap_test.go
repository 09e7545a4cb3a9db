package pages_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	vcardNS = "http://www.w3.org/2006/vcard/ns#"
	xsdNS   = "http://www.w3.org/2001/XMLSchema#"
	euAuth  = "http://publications.europa.eu/resource/authority/"
)

// shape is a property constraint of DCAT-AP's SHACL shapes, written here
// from the DCAT-AP 2.1.1 and 3.0 specifications (their SHACL file cannot be
// fetched on these machines: no registry ships it): how many values, and
// what each value must be.
type shape struct {
	path     string
	min, max int    // max 0: unbounded
	kind     string // "iri", "literal", or a class the value must have
	datatype []string
	in       string // an IRI prefix the value must start with (a controlled vocabulary)
}

// DCAT-AP's mandatory and recommended properties of the classes the portal
// publishes. A mandatory property has min 1; a recommended one is checked
// for its kind and cardinality, and the portal must state it (min 1 here)
// where issue 16 asks for it (contactPoint, theme, spatial, temporal).
var dcatAP = map[string][]shape{
	dcatNS + "Catalog": {
		{path: dctNS + "title", min: 1, kind: "literal"},
		{path: dctNS + "description", min: 1, kind: "literal"},
		{path: dctNS + "publisher", min: 1, max: 1, kind: foafNS + "Agent"},
		{path: dcatNS + "dataset", min: 1, kind: dcatNS + "Dataset"},
		{path: foafNS + "homepage", min: 1, max: 1, kind: "iri"},
		{path: dctNS + "language", min: 1, kind: "iri", in: euAuth + "language/"},
		{path: dctNS + "license", max: 1, kind: "iri"},
		{path: dctNS + "modified", max: 1, kind: "literal", datatype: []string{xsdNS + "date", xsdNS + "dateTime"}},
		{path: dcatNS + "themeTaxonomy", min: 1, kind: "iri"},
	},
	dcatNS + "Dataset": {
		{path: dctNS + "title", min: 1, kind: "literal"},
		{path: dctNS + "description", min: 1, kind: "literal"},
		{path: dcatNS + "contactPoint", min: 1, kind: vcardNS + "Kind"},
		{path: dcatNS + "distribution", min: 1, kind: dcatNS + "Distribution"},
		{path: dcatNS + "keyword", min: 1, kind: "literal"},
		{path: dctNS + "publisher", min: 1, max: 1, kind: foafNS + "Agent"},
		{path: dctNS + "spatial", min: 1, kind: dctNS + "Location"},
		{path: dctNS + "temporal", kind: dctNS + "PeriodOfTime"},
		{path: dcatNS + "theme", min: 1, kind: "iri", in: euAuth + "data-theme/"},
		{path: dctNS + "accrualPeriodicity", min: 1, max: 1, kind: "iri", in: euAuth + "frequency/"},
		{path: dctNS + "identifier", kind: "literal"},
		{path: dcatNS + "landingPage", kind: "iri"},
		{path: dctNS + "language", kind: "iri", in: euAuth + "language/"},
		{path: dctNS + "issued", max: 1, kind: "literal", datatype: []string{xsdNS + "date", xsdNS + "dateTime"}},
		{path: dctNS + "modified", max: 1, kind: "literal", datatype: []string{xsdNS + "date", xsdNS + "dateTime"}},
	},
	dcatNS + "Distribution": {
		{path: dcatNS + "accessURL", min: 1, kind: "iri"},
		{path: dcatNS + "downloadURL", kind: "iri"},
		{path: dctNS + "format", min: 1, max: 1, kind: "iri", in: euAuth + "file-type/"},
		{path: dcatNS + "mediaType", max: 1, kind: "iri", in: "https://www.iana.org/assignments/media-types/"},
		{path: dctNS + "license", max: 1, kind: "iri"},
		{path: dctNS + "title", kind: "literal"},
	},
	foafNS + "Agent": {
		{path: foafNS + "name", min: 1, kind: "literal"},
	},
	vcardNS + "Kind": {
		{path: vcardNS + "fn", min: 1, kind: "literal"},
		{path: vcardNS + "hasURL", kind: "iri"},
	},
	dctNS + "PeriodOfTime": {
		{path: dcatNS + "startDate", min: 1, max: 1, kind: "literal", datatype: []string{xsdNS + "date", xsdNS + "dateTime"}},
		{path: dcatNS + "endDate", min: 1, max: 1, kind: "literal", datatype: []string{xsdNS + "date", xsdNS + "dateTime"}},
	},
	dctNS + "Location": {
		{path: dcatNS + "bbox", max: 1, kind: "literal", datatype: []string{"http://www.opengis.net/ont/geosparql#wktLiteral"}},
	},
}

// flatGraph is the catalog's nodes by @id, flattened by json-gold, each
// node's properties merged (a node embedded several times is one node).
func flatGraph(t *testing.T, body []byte) map[string]map[string][]map[string]any {
	var doc any
	require.NoError(t, json.Unmarshal(body, &doc))
	proc := ld.NewJsonLdProcessor()
	flat, err := proc.Flatten(doc, nil, ld.NewJsonLdOptions(""))
	require.NoError(t, err)
	nodes := map[string]map[string][]map[string]any{}
	for _, x := range flat.([]any) {
		n := x.(map[string]any)
		id := n["@id"].(string)
		if nodes[id] == nil {
			nodes[id] = map[string][]map[string]any{}
		}
		for k, v := range n {
			switch k {
			case "@id":
			case "@type":
				for _, tp := range v.([]any) {
					nodes[id]["@type"] = appendUnique(nodes[id]["@type"], map[string]any{"@id": tp})
				}
			default:
				for _, val := range v.([]any) {
					nodes[id][k] = appendUnique(nodes[id][k], val.(map[string]any))
				}
			}
		}
	}
	return nodes
}

func appendUnique(list []map[string]any, v map[string]any) []map[string]any {
	b, _ := json.Marshal(v)
	for _, x := range list {
		if a, _ := json.Marshal(x); string(a) == string(b) {
			return list
		}
	}
	return append(list, v)
}

func typesOf(n map[string][]map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, t := range n["@type"] {
		out[t["@id"].(string)] = true
	}
	return out
}

// TestDCATAP validates the catalog against DCAT-AP's mandatory and
// recommended properties (classes, cardinalities, datatypes, controlled
// vocabularies), then checks what a harvester follows: the catalog's and
// publishers' addresses answer, descriptions are Vietnamese tagged vi and
// English tagged en, the frequency is the schema's.
func TestDCATAP(t *testing.T) {
	code, body := fetch(t, env.srv.URL+"/catalog.jsonld")
	require.Equal(t, 200, code)
	nodes := flatGraph(t, body)
	checked := map[string]int{}
	for id, n := range nodes {
		types := typesOf(n)
		for class, shapes := range dcatAP {
			if !types[class] {
				continue
			}
			checked[class]++
			for _, s := range shapes {
				vals := n[s.path]
				assert.GreaterOrEqual(t, len(vals), s.min, "%s (%s): %s at least %d", id, class, s.path, s.min)
				if s.max > 0 {
					assert.LessOrEqual(t, len(vals), s.max, "%s (%s): %s at most %d", id, class, s.path, s.max)
				}
				for _, v := range vals {
					ref, isRef := v["@id"].(string)
					switch s.kind {
					case "literal":
						require.False(t, isRef, "%s: %s must be a literal", id, s.path)
						if s.datatype != nil {
							assert.Contains(t, s.datatype, v["@type"], "%s: %s datatype", id, s.path)
						}
						if lang, ok := v["@language"].(string); ok {
							assert.Contains(t, []string{"vi", "en"}, lang, "%s: %s", id, s.path)
						}
					case "iri":
						require.True(t, isRef, "%s: %s must be an IRI", id, s.path)
						assert.True(t, strings.HasPrefix(ref, s.in), "%s: %s %s is not in %s", id, s.path, ref, s.in)
					default:
						require.True(t, isRef, "%s: %s must be a node", id, s.path)
						target, ok := nodes[ref]
						require.True(t, ok, "%s: %s %s is not described", id, s.path, ref)
						assert.True(t, typesOf(target)[s.kind], "%s: %s %s must be a %s", id, s.path, ref, s.kind)
					}
				}
			}
		}
	}
	ids := publishedIDs(t)
	assert.Equal(t, 1, checked[dcatNS+"Catalog"])
	assert.Equal(t, len(ids), checked[dcatNS+"Dataset"])
	assert.Equal(t, 4*len(ids), checked[dcatNS+"Distribution"])
	assert.Positive(t, checked[dctNS+"PeriodOfTime"], "the dated datasets have a temporal coverage")

	// Descriptions: Vietnamese tagged vi (the schema's description_vi),
	// English tagged en (its description).
	base := env.srv.URL
	for _, id := range ids {
		s, ok := env.wh.Schemas.Get(strings.Replace(id, "-", ".", 1))
		require.True(t, ok)
		n := nodes[base+"/open/datasets/"+id]
		require.NotNil(t, n, id)
		desc := map[string]string{}
		for _, v := range n[dctNS+"description"] {
			desc[v["@language"].(string)] = v["@value"].(string)
		}
		assert.Equal(t, map[string]string{"vi": s.DescriptionVI, "en": s.Description}, desc, id)
		freq := n[dctNS+"accrualPeriodicity"][0]["@id"].(string)
		assert.Equal(t, euAuth+"frequency/"+map[string]string{"continuous": "CONT", "hourly": "HOURLY", "daily": "DAILY",
			"weekly": "WEEKLY", "monthly": "MONTHLY", "quarterly": "QUARTERLY", "semiannual": "ANNUAL_2", "annual": "ANNUAL",
			"irregular": "IRREG"}[s.Frequency], freq, "%s declares %s", id, s.Frequency)

		// The temporal coverage is the first and last day of the data's own date.
		if s.Partition != nil {
			col, _ := s.Column(s.Partition.Column)
			if col.PII == "" {
				var from, to string
				require.NoError(t, env.wh.Engine.DB().QueryRowContext(t.Context(),
					`SELECT strftime(CAST(min("`+col.Name+`") AS DATE), '%Y-%m-%d'), strftime(CAST(max("`+col.Name+`") AS DATE), '%Y-%m-%d') FROM `+s.Name).Scan(&from, &to))
				temporal := n[dctNS+"temporal"]
				require.Len(t, temporal, 1, id)
				period := nodes[temporal[0]["@id"].(string)]
				assert.Equal(t, from, period[dcatNS+"startDate"][0]["@value"], id)
				assert.Equal(t, to, period[dcatNS+"endDate"][0]["@value"], id)
			}
		}
	}

	// A quarterly dataset loaded by a weekly pipeline is quarterly, on the
	// page too.
	aq, ok := env.wh.Schemas.Get("agriculture.aquaculture")
	require.True(t, ok)
	require.Equal(t, "quarterly", aq.Frequency)
	if n := nodes[base+"/open/datasets/agriculture-aquaculture"]; n != nil {
		assert.Equal(t, euAuth+"frequency/QUARTERLY", n[dctNS+"accrualPeriodicity"][0]["@id"])
		_, page := fetch(t, base+"/open/datasets/agriculture-aquaculture")
		assert.Contains(t, string(page), "Hằng quý")
		assert.NotContains(t, string(page), "Hằng tuần")
	}

	// Every address a harvester follows answers: the catalog, the
	// publishers, the contact points' pages, the landing pages.
	follow := map[string]bool{base + "/catalog": true}
	for id, n := range nodes {
		types := typesOf(n)
		if types[foafNS+"Agent"] || types[dcatNS+"Dataset"] || types[dcatNS+"Catalog"] {
			follow[strings.SplitN(id, "#", 2)[0]] = true
		}
		for _, p := range []string{vcardNS + "hasURL", dcatNS + "landingPage", foafNS + "homepage"} {
			for _, v := range n[p] {
				follow[v["@id"].(string)] = true
			}
		}
	}
	for u := range follow {
		require.True(t, strings.HasPrefix(u, base), u)
		resp, err := http.Get(u)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode, "%s answers", u)
	}
	// /catalog is the same graph as /catalog.jsonld, or RDF/XML when asked.
	_, same := fetch(t, base+"/catalog")
	assert.JSONEq(t, string(body), string(same))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/catalog", nil)
	req.Header.Set("Accept", "application/rdf+xml")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "application/rdf+xml; charset=utf-8", resp.Header.Get("Content-Type"))
	code, _ = fetch(t, base+"/open/organizations/khong-co")
	assert.Equal(t, 404, code)
}
