package dcat

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/sonla-data/kho/server/pages/ckan"
	"github.com/sonla-data/kho/server/pages/opendata"
	"github.com/sonla-data/kho/server/pages/site"
)

// fileTypes are the EU file-type IRIs of the download formats.
var fileTypes = map[string]string{
	"csv":     "http://publications.europa.eu/resource/authority/file-type/CSV",
	"json":    "http://publications.europa.eu/resource/authority/file-type/JSON",
	"parquet": "http://publications.europa.eu/resource/authority/file-type/PARQUET",
	"xlsx":    "http://publications.europa.eu/resource/authority/file-type/XLSX",
}

var mediaTypes = map[string]string{
	"csv":     "https://www.iana.org/assignments/media-types/text/csv",
	"json":    "https://www.iana.org/assignments/media-types/application/json",
	"parquet": "https://www.iana.org/assignments/media-types/application/vnd.apache.parquet",
	"xlsx":    "https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

func dateTime(t time.Time) Literal {
	return Literal{Value: t.UTC().Format(time.RFC3339), Datatype: "xsd:dateTime"}
}

// themes are the EU data themes (the vocabulary DCAT-AP names for
// dcat:theme) of the warehouse's domains.
var themes = map[string]string{
	"reference": "REGI", "admin_procedures": "GOVE", "agriculture": "AGRI", "industry_trade": "ECON",
	"culture_tourism": "EDUC", "labour": "SOCI", "environment": "ENVI", "education": "EDUC",
	"transport": "TRAN", "construction": "REGI", "health": "HEAL",
}

// ThemeURI is the EU data theme of a domain ("" when none fits).
func ThemeURI(domain string) string {
	if t, ok := themes[domain]; ok {
		return "http://publications.europa.eu/resource/authority/data-theme/" + t
	}
	return ""
}

// Sơn La province: its code among Vietnam's provinces and its bounding box
// (WGS 84), the dct:spatial of every dataset.
const (
	provinceCode = "14"
	provinceBBox = "POLYGON((103.20 20.60, 105.05 20.60, 105.05 22.05, 103.20 22.05, 103.20 20.60))"
)

// Graph builds the catalog's graph; base is the portal's public address.
// The catalog's own address is base/catalog (served, like
// /catalog.jsonld, by Handler); an agency's is base/open/organizations/ID
// (the portal answers it with that agency's datasets).
func Graph(ctx context.Context, cat *opendata.Catalog, base string) (*Node, error) {
	ds, err := cat.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	opt := cat.Options()
	c := &Node{ID: base + "/catalog", Type: "dcat:Catalog"}
	c.Add("dct:title", Literal{Value: site.VI.T("open_title"), Lang: "vi"})
	c.Add("dct:title", Literal{Value: site.EN.T("open_title"), Lang: "en"})
	c.Add("dct:description", Literal{Value: site.VI.T("open_lead"), Lang: "vi"})
	c.Add("dct:description", Literal{Value: site.EN.T("open_lead"), Lang: "en"})
	c.Embed("dct:publisher", agent(base, opendata.Org{ID: opendata.Slug(opt.Publisher), Name: opt.Publisher}))
	c.Link("dct:language", "http://publications.europa.eu/resource/authority/language/VIE")
	c.Link("dct:license", opt.Licence.URL)
	c.Link("foaf:homepage", base+"/open")
	c.Link("dcat:themeTaxonomy", "http://publications.europa.eu/resource/authority/data-theme")
	var newest time.Time
	for _, d := range ds {
		if d.Modified.After(newest) {
			newest = d.Modified
		}
	}
	if !newest.IsZero() {
		c.Add("dct:modified", dateTime(newest))
	}
	place := province(base)
	for _, d := range ds {
		n := datasetNode(d, opt, base, place)
		from, to, ok, err := cat.Period(ctx, d)
		if err != nil {
			return nil, err
		}
		if ok {
			p := &Node{ID: n.ID + "#period", Type: "dct:PeriodOfTime"}
			p.Add("dcat:startDate", Literal{Value: from.Format(time.DateOnly), Datatype: "xsd:date"})
			p.Add("dcat:endDate", Literal{Value: to.Format(time.DateOnly), Datatype: "xsd:date"})
			n.Embed("dct:temporal", p)
		}
		c.Embed("dcat:dataset", n)
	}
	return c, nil
}

// agent is a publishing agency as a foaf:Agent (an Organization).
func agent(base string, o opendata.Org) *Node {
	pub := &Node{ID: base + "/open/organizations/" + o.ID, Type: "foaf:Organization", Also: []string{"foaf:Agent"}}
	pub.Add("foaf:name", Literal{Value: o.Name, Lang: "vi"})
	return pub
}

// province is Sơn La as a dct:Location.
func province(base string) *Node {
	n := &Node{ID: base + "/catalog#tinh-son-la", Type: "dct:Location"}
	n.Add("skos:prefLabel", Literal{Value: "Tỉnh Sơn La", Lang: "vi"})
	n.Add("skos:prefLabel", Literal{Value: "Sơn La province", Lang: "en"})
	n.Add("skos:notation", Literal{Value: provinceCode})
	n.Add("dcat:bbox", Literal{Value: provinceBBox, Datatype: "gsp:wktLiteral"})
	return n
}

func datasetNode(d *opendata.Dataset, opt opendata.Options, base string, place *Node) *Node {
	page := base + "/open/datasets/" + d.ID
	n := &Node{ID: page, Type: "dcat:Dataset"}
	n.Add("dct:identifier", Literal{Value: d.Name})
	n.Add("dct:title", Literal{Value: d.Title, Lang: "vi"})
	n.Add("dct:title", Literal{Value: d.TitleEN, Lang: "en"})
	n.Add("dct:description", Literal{Value: d.Schema.DescriptionVI, Lang: "vi"})
	n.Add("dct:description", Literal{Value: d.Schema.Description, Lang: "en"})
	if d.Schema.DescriptionVI == "" && d.Schema.Description == "" {
		n.Add("dct:description", Literal{Value: d.Title, Lang: "vi"})
	}
	n.Embed("dct:publisher", agent(base, d.Publisher))
	contact := &Node{ID: page + "#contact", Type: "vcard:Organization", Also: []string{"vcard:Kind"}}
	contact.Add("vcard:fn", Literal{Value: d.Publisher.Name, Lang: "vi"})
	contact.Link("vcard:hasURL", base+"/open/organizations/"+d.Publisher.ID)
	n.Embed("dcat:contactPoint", contact)
	if !d.Modified.IsZero() {
		n.Add("dct:modified", dateTime(d.Modified))
		n.Add("dct:issued", dateTime(d.Created))
	}
	n.Link("dct:license", opt.Licence.URL)
	n.Link("dct:language", "http://publications.europa.eu/resource/authority/language/VIE")
	n.Link("dct:accrualPeriodicity", d.Frequency.URI())
	n.Link("dcat:theme", ThemeURI(d.Domain))
	n.Embed("dct:spatial", place)
	n.Add("dcat:keyword", Literal{Value: site.VI.T("domain_" + d.Domain), Lang: "vi"})
	n.Add("dcat:keyword", Literal{Value: site.EN.T("domain_" + d.Domain), Lang: "en"})
	for _, k := range d.Schema.Keywords {
		n.Add("dcat:keyword", Literal{Value: k, Lang: "vi"})
	}
	n.Link("dcat:landingPage", page)
	for _, f := range opendata.FormatNames {
		url := page + "/download/" + f
		dist := &Node{ID: page + "#" + f, Type: "dcat:Distribution"}
		dist.Add("dct:title", Literal{Value: d.Title + " (" + strings.ToUpper(f) + ")", Lang: "vi"})
		dist.Add("dct:title", Literal{Value: d.TitleEN + " (" + strings.ToUpper(f) + ")", Lang: "en"})
		dist.Link("dcat:downloadURL", url)
		dist.Link("dcat:accessURL", url)
		dist.Link("dct:format", fileTypes[f])
		dist.Link("dcat:mediaType", mediaTypes[f])
		dist.Link("dct:license", opt.Licence.URL)
		if !d.Modified.IsZero() {
			dist.Add("dct:modified", dateTime(d.Modified))
		}
		n.Embed("dcat:distribution", dist)
	}
	return n
}

// Handler serves /catalog.jsonld, /catalog.rdf and /catalog (RDF/XML when
// the reader asks for it, JSON-LD otherwise).
type Handler struct{ cat *opendata.Catalog }

// New returns the DCAT handler.
func New(cat *opendata.Catalog) *Handler { return &Handler{cat: cat} }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	base := h.cat.Options().BaseURL
	if base == "" {
		base = ckan.BaseOf(r)
	}
	g, err := Graph(r.Context(), h.cat, base)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	ctype := "application/ld+json"
	if r.URL.Path == "/catalog.rdf" || (r.URL.Path == "/catalog" && wantsRDFXML(r)) {
		ctype = "application/rdf+xml"
		err = WriteRDFXML(&buf, g)
	} else {
		err = WriteJSONLD(&buf, g)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ctype+"; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(buf.Bytes())
}

// wantsRDFXML reports whether the request's Accept prefers RDF/XML (or XML)
// to JSON-LD.
func wantsRDFXML(r *http.Request) bool {
	acc := r.Header.Get("Accept")
	x := strings.Index(acc, "application/rdf+xml")
	if x < 0 {
		x = strings.Index(acc, "application/xml")
	}
	j := strings.Index(acc, "application/ld+json")
	return x >= 0 && (j < 0 || x < j)
}
