package dcat

import (
	"bytes"
	"context"
	"net/http"
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
}

var mediaTypes = map[string]string{
	"csv":     "https://www.iana.org/assignments/media-types/text/csv",
	"json":    "https://www.iana.org/assignments/media-types/application/json",
	"parquet": "https://www.iana.org/assignments/media-types/application/vnd.apache.parquet",
}

func dateTime(t time.Time) Literal {
	return Literal{Value: t.UTC().Format(time.RFC3339), Datatype: "xsd:dateTime"}
}

// Graph builds the catalog's graph; base is the portal's public address.
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
	pub := &Node{ID: base + "/open/organizations/" + opendata.Slug(opt.Publisher), Type: "foaf:Organization"}
	pub.Add("foaf:name", Literal{Value: opt.Publisher, Lang: "vi"})
	c.Embed("dct:publisher", pub)
	c.Link("dct:language", "http://publications.europa.eu/resource/authority/language/VIE")
	c.Link("dct:license", opt.Licence.URL)
	c.Link("foaf:homepage", base+"/open")
	var newest time.Time
	for _, d := range ds {
		if d.Modified.After(newest) {
			newest = d.Modified
		}
	}
	if !newest.IsZero() {
		c.Add("dct:modified", dateTime(newest))
	}
	for _, d := range ds {
		c.Embed("dcat:dataset", datasetNode(d, opt, base))
	}
	return c, nil
}

func datasetNode(d *opendata.Dataset, opt opendata.Options, base string) *Node {
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
	pub := &Node{ID: base + "/open/organizations/" + d.Publisher.ID, Type: "foaf:Organization"}
	pub.Add("foaf:name", Literal{Value: d.Publisher.Name, Lang: "vi"})
	n.Embed("dct:publisher", pub)
	if !d.Modified.IsZero() {
		n.Add("dct:modified", dateTime(d.Modified))
		n.Add("dct:issued", dateTime(d.Created))
	}
	n.Link("dct:license", opt.Licence.URL)
	n.Link("dct:accrualPeriodicity", d.Frequency.URI())
	n.Add("dcat:keyword", Literal{Value: site.VI.T("domain_" + d.Domain), Lang: "vi"})
	n.Add("dcat:keyword", Literal{Value: site.EN.T("domain_" + d.Domain), Lang: "en"})
	n.Link("dcat:landingPage", page)
	for _, f := range opendata.FormatNames {
		url := page + "/download/" + f
		dist := &Node{ID: page + "#" + f, Type: "dcat:Distribution"}
		dist.Add("dct:title", Literal{Value: d.Title + " (" + f + ")", Lang: "vi"})
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

// Handler serves /catalog.jsonld and /catalog.rdf.
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
	if r.URL.Path == "/catalog.rdf" {
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
