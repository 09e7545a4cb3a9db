package portal

import (
	"embed"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/sonla-data/kho/server/pages/opendata"
	"github.com/sonla-data/kho/server/pages/site"
)

//go:embed templates/*.html
var templates embed.FS

var (
	catalogTmpl = site.Page(templates, "templates/catalog.html")
	datasetTmpl = site.Page(templates, "templates/dataset.html")
)

// Handler serves /open, /open/datasets/{id} and its downloads.
type Handler struct {
	deps *site.Deps
	cat  *opendata.Catalog
	mux  *http.ServeMux
}

// New returns the portal's handler.
func New(deps *site.Deps, cat *opendata.Catalog) *Handler {
	h := &Handler{deps: deps, cat: cat, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /open", h.catalog)
	h.mux.HandleFunc("GET /open/{$}", h.catalog)
	h.mux.HandleFunc("GET /open/datasets/{id}", h.dataset)
	h.mux.HandleFunc("GET /open/organizations/{id}", h.organization)
	h.mux.HandleFunc("GET /open/datasets/{id}/download/{format}", h.download)
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

type facet struct {
	Value, Label string
	Count        int
	Selected     bool
}

type catalogPage struct {
	*site.View
	Q, Domain, Agency string
	Domains, Agencies []facet
	Datasets          []*opendata.Dataset
	Total             int
	Licence           opendata.Licence
}

func (h *Handler) catalog(w http.ResponseWriter, r *http.Request) {
	v := site.NewView(w, r, h.deps.Clock())
	v.Title, v.Section = v.T("open_title"), "open"
	q := r.URL.Query()
	p := &catalogPage{View: v, Q: strings.TrimSpace(q.Get("q")), Domain: q.Get("domain"), Agency: q.Get("agency"), Licence: h.cat.Options().Licence}
	all, err := h.cat.Datasets(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.Total = len(all)
	domains, agencies := map[string]int{}, map[string]int{}
	names := map[string]string{}
	for _, d := range all {
		if !d.Matches(p.Q) {
			continue
		}
		if p.Agency == "" || d.Publisher.ID == p.Agency {
			domains[d.Domain]++
		}
		if p.Domain == "" || d.Domain == p.Domain {
			agencies[d.Publisher.ID]++
			names[d.Publisher.ID] = d.Publisher.Name
		}
		if (p.Domain == "" || d.Domain == p.Domain) && (p.Agency == "" || d.Publisher.ID == p.Agency) {
			p.Datasets = append(p.Datasets, d)
		}
	}
	for dom, n := range domains {
		p.Domains = append(p.Domains, facet{Value: dom, Label: v.T("domain_" + dom), Count: n, Selected: dom == p.Domain})
	}
	for id, n := range agencies {
		p.Agencies = append(p.Agencies, facet{Value: id, Label: names[id], Count: n, Selected: id == p.Agency})
	}
	byLabel := func(fs []facet) {
		sort.Slice(fs, func(i, j int) bool { return opendata.Fold(fs[i].Label) < opendata.Fold(fs[j].Label) })
	}
	byLabel(p.Domains)
	byLabel(p.Agencies)
	site.Render(w, catalogTmpl, p)
}

type datasetPage struct {
	*site.View
	D        *opendata.Dataset
	Licence  opendata.Licence
	Preview  *opendata.Result
	Cells    [][]string
	Formats  []string
	Domain   string
	Freq     string
	APIShow  string
	APIStore string
}

func (h *Handler) find(w http.ResponseWriter, r *http.Request) *opendata.Dataset {
	d, err := h.cat.Dataset(r.Context(), r.PathValue("id"))
	if errors.Is(err, opendata.ErrNotFound) {
		http.NotFound(w, r)
		return nil
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return nil
	}
	return d
}

func (h *Handler) dataset(w http.ResponseWriter, r *http.Request) {
	d := h.find(w, r)
	if d == nil {
		return
	}
	v := site.NewView(w, r, h.deps.Clock())
	v.Title, v.Section = v.Pick(d.Title, d.TitleEN), "open"
	p := &datasetPage{View: v, D: d, Licence: h.cat.Options().Licence, Formats: opendata.FormatNames,
		Domain: v.T("domain_" + d.Domain), Freq: v.T(d.Frequency.MessageKey()),
		APIShow: "/api/3/action/package_show?id=" + d.ID, APIStore: "/api/3/action/datastore_search?resource_id=" + d.ID + "-csv&limit=5"}
	res, err := h.cat.Rows(r.Context(), d, opendata.RowQuery{Limit: 20})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.Preview = res
	for _, rec := range res.Records {
		row := make([]string, len(rec))
		for i, x := range rec {
			row[i] = opendata.Text(x)
		}
		p.Cells = append(p.Cells, row)
	}
	site.Render(w, datasetTmpl, p)
}

func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	format := r.PathValue("format")
	ctype, ok := opendata.Formats[format]
	if !ok {
		http.NotFound(w, r)
		return
	}
	opt := opendata.WriteOptions{Headers: r.URL.Query().Get("headers")}
	if opt.Headers != "" && opt.Headers != "vi" && opt.Headers != "en" {
		http.Error(w, "headers: must be vi (Vietnamese labels) or en (English labels)", http.StatusBadRequest)
		return
	}
	d := h.find(w, r)
	if d == nil {
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Content-Disposition", `attachment; filename="`+d.ID+`.`+format+`"`)
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("X-Content-Type-Options", "nosniff")
	if !d.Modified.IsZero() {
		hd.Set("Last-Modified", d.Modified.UTC().Format(http.TimeFormat))
	}
	if err := h.cat.Write(r.Context(), w, d, format, opt); err != nil {
		// The status is sent; cut the body so the reader sees a broken download.
		panic(http.ErrAbortHandler)
	}
}

// organization answers an agency's address (the DCAT publisher's IRI) with
// the catalog of its datasets; the catalog's own publisher's with the whole
// catalog.
func (h *Handler) organization(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == opendata.Slug(h.cat.Options().Publisher) {
		http.Redirect(w, r, "/open", http.StatusSeeOther)
		return
	}
	all, err := h.cat.Datasets(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for _, o := range opendata.Orgs(all) {
		if o.ID == id {
			http.Redirect(w, r, "/open?agency="+url.QueryEscape(id), http.StatusSeeOther)
			return
		}
	}
	http.NotFound(w, r)
}
