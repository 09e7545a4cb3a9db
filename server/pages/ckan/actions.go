package ckan

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sonla-data/kho/server/pages/opendata"
)

// ckanTime is CKAN's timestamp layout (UTC, no zone).
func ckanTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000")
}

func (h *Handler) orgDict(o opendata.Org, count int) map[string]any {
	return map[string]any{"id": o.ID, "name": o.ID, "title": o.Name, "display_name": o.Name, "type": "organization",
		"is_organization": true, "state": "active", "approval_status": "approved", "description": "", "image_url": "",
		"package_count": count}
}

// pkg is a dataset as CKAN's package_show gives it.
func (h *Handler) pkg(r *http.Request, d *opendata.Dataset) map[string]any {
	base := h.base(r)
	lic := h.cat.Options().Licence
	var res []map[string]any
	for i, f := range opendata.FormatNames {
		res = append(res, map[string]any{
			"id": d.ID + "-" + f, "package_id": d.ID, "name": d.Title + " (" + strings.ToUpper(f) + ")",
			"description": "", "format": strings.ToUpper(f), "mimetype": opendata.Formats[f],
			"url": base + "/open/datasets/" + d.ID + "/download/" + f, "position": i, "state": "active",
			"datastore_active": true, "url_type": "", "resource_type": "file",
			"created": ckanTime(d.Created), "last_modified": ckanTime(d.Modified), "metadata_modified": ckanTime(d.Modified),
		})
	}
	tags := []map[string]any{{"name": d.Domain, "display_name": d.Domain, "state": "active"}}
	return map[string]any{
		"id": d.ID, "name": d.ID, "title": d.Title, "notes": d.Description, "type": "dataset", "state": "active",
		"private": false, "isopen": true, "license_id": lic.ID, "license_title": lic.Title, "license_url": lic.URL,
		"author": d.Publisher.Name, "maintainer": d.Publisher.Name, "url": base + "/open/datasets/" + d.ID, "version": "",
		"organization": h.orgDict(d.Publisher, 0), "owner_org": d.Publisher.ID,
		"metadata_created": ckanTime(d.Created), "metadata_modified": ckanTime(d.Modified),
		"num_resources": len(res), "resources": res, "num_tags": len(tags), "tags": tags,
		"groups": []map[string]any{{"name": d.Domain, "title": d.Domain, "display_name": d.Domain}},
		"extras": []map[string]any{
			{"key": "title_en", "value": d.TitleEN},
			{"key": "frequency", "value": string(d.Frequency)},
			{"key": "accrual_periodicity", "value": d.Frequency.URI()},
			{"key": "rows", "value": strconv.FormatInt(d.Rows, 10)},
			{"key": "lake_table", "value": d.Name},
		},
	}
}

func (h *Handler) packageList(r *http.Request, p params) (any, error) {
	ds, err := h.cat.Datasets(r.Context())
	if err != nil {
		return nil, err
	}
	limit, err := p.int("limit", len(ds), 1000000)
	if err != nil {
		return nil, err
	}
	offset, err := p.int("offset", 0, 1000000)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for i, d := range ds {
		if i >= offset && len(out) < limit {
			out = append(out, d.ID)
		}
	}
	return out, nil
}

func (h *Handler) find(r *http.Request, id string) (*opendata.Dataset, error) {
	if id == "" {
		return nil, validation("id", "Missing value")
	}
	d, err := h.cat.Dataset(r.Context(), id)
	if errors.Is(err, opendata.ErrNotFound) {
		return nil, notFound("dataset " + id)
	}
	return d, err
}

func (h *Handler) packageShow(r *http.Request, p params) (any, error) {
	d, err := h.find(r, p.str("id"))
	if err != nil {
		return nil, err
	}
	return h.pkg(r, d), nil
}

// fqTerm is one field:value of a Solr filter query.
type fqTerm struct {
	field, value string
	negate       bool
}

func parseFQ(fq string) []fqTerm {
	var out []fqTerm
	for _, tok := range strings.Fields(fq) {
		if tok == "AND" || tok == "&&" {
			continue
		}
		t := fqTerm{}
		switch {
		case strings.HasPrefix(tok, "-"):
			t.negate, tok = true, tok[1:]
		case strings.HasPrefix(tok, "+"):
			tok = tok[1:]
		}
		f, v, ok := strings.Cut(tok, ":")
		if !ok {
			continue
		}
		t.field, t.value = f, strings.Trim(v, `"()`)
		out = append(out, t)
	}
	return out
}

// matchFQ tests a dataset against the filter fields CKAN harvesters use;
// fields it does not know are left out of the test.
func (h *Handler) matchFQ(d *opendata.Dataset, terms []fqTerm) bool {
	for _, t := range terms {
		var ok bool
		switch t.field {
		case "organization", "owner_org":
			ok = d.Publisher.ID == t.value
		case "groups", "tags", "domain":
			ok = d.Domain == t.value
		case "res_format":
			ok = strings.EqualFold(t.value, "csv") || strings.EqualFold(t.value, "json") || strings.EqualFold(t.value, "parquet")
		case "license_id":
			ok = h.cat.Options().Licence.ID == t.value
		case "name", "id":
			ok = d.ID == t.value
		case "dataset_type", "type":
			ok = t.value == "dataset"
		case "capacity":
			ok = t.value == "public"
		default:
			continue
		}
		if ok == t.negate {
			return false
		}
	}
	return true
}

func (h *Handler) packageSearch(r *http.Request, p params) (any, error) {
	rows, err := p.int("rows", 10, 1000)
	if err != nil {
		return nil, err
	}
	start, err := p.int("start", 0, 1000000)
	if err != nil {
		return nil, err
	}
	ds, err := h.cat.Datasets(r.Context())
	if err != nil {
		return nil, err
	}
	q := strings.TrimSpace(p.str("q"))
	if q == "*:*" {
		q = ""
	}
	terms := parseFQ(p.str("fq"))
	// "field:value" words of q filter like fq; the rest is free text.
	var words []string
	for _, w := range strings.Fields(q) {
		if strings.Contains(w, ":") {
			terms = append(terms, parseFQ(w)...)
		} else {
			words = append(words, w)
		}
	}
	var hits []*opendata.Dataset
	for _, d := range ds {
		if d.Matches(strings.Join(words, " ")) && h.matchFQ(d, terms) {
			hits = append(hits, d)
		}
	}
	sortKey := strings.TrimSpace(p.str("sort"))
	switch {
	case strings.HasPrefix(sortKey, "metadata_modified"):
		desc := strings.HasSuffix(sortKey, "desc")
		sort.SliceStable(hits, func(i, j int) bool {
			if desc {
				return hits[i].Modified.After(hits[j].Modified)
			}
			return hits[i].Modified.Before(hits[j].Modified)
		})
	case strings.HasPrefix(sortKey, "title_string"):
		desc := strings.HasSuffix(sortKey, "desc")
		sort.SliceStable(hits, func(i, j int) bool {
			a, b := opendata.Fold(hits[i].Title), opendata.Fold(hits[j].Title)
			if desc {
				return a > b
			}
			return a < b
		})
	}
	results := []map[string]any{}
	for i, d := range hits {
		if i >= start && len(results) < rows {
			results = append(results, h.pkg(r, d))
		}
	}
	if sortKey == "" {
		sortKey = "score desc, metadata_modified desc"
	}
	return map[string]any{"count": len(hits), "sort": sortKey, "results": results, "facets": map[string]any{}, "search_facets": map[string]any{}}, nil
}

func (h *Handler) organizationList(r *http.Request, p params) (any, error) {
	ds, err := h.cat.Datasets(r.Context())
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, d := range ds {
		counts[d.Publisher.ID]++
	}
	orgs := opendata.Orgs(ds)
	if p.bool("all_fields") {
		out := []map[string]any{}
		for _, o := range orgs {
			out = append(out, h.orgDict(o, counts[o.ID]))
		}
		return out, nil
	}
	out := []string{}
	for _, o := range orgs {
		out = append(out, o.ID)
	}
	return out, nil
}

func (h *Handler) organizationShow(r *http.Request, p params) (any, error) {
	id := p.str("id")
	if id == "" {
		return nil, validation("id", "Missing value")
	}
	ds, err := h.cat.Datasets(r.Context())
	if err != nil {
		return nil, err
	}
	var pkgs []map[string]any
	var org *opendata.Org
	for _, d := range ds {
		if d.Publisher.ID == id || d.Publisher.Name == id {
			o := d.Publisher
			org = &o
			pkgs = append(pkgs, h.pkg(r, d))
		}
	}
	if org == nil {
		return nil, notFound("organization " + id)
	}
	out := h.orgDict(*org, len(pkgs))
	if p.bool("include_datasets") {
		out["packages"] = pkgs
	}
	return out, nil
}

func (h *Handler) licenseList(*http.Request, params) (any, error) {
	l := h.cat.Options().Licence
	return []map[string]any{{"id": l.ID, "title": l.Title, "url": l.URL, "od_conformance": "approved", "status": "active"}}, nil
}

func (h *Handler) statusShow(r *http.Request, _ params) (any, error) {
	return map[string]any{"ckan_version": Version, "site_title": "Cổng dữ liệu mở tỉnh Sơn La", "site_url": h.base(r),
		"site_description": "Kho dữ liệu tỉnh Sơn La", "locale_default": "vi", "extensions": []string{"datastore", "dcat"}}, nil
}

// resource finds the dataset of a datastore resource id (<dataset>-csv,
// -json, -parquet, or the dataset's own id).
func (h *Handler) resource(r *http.Request, id string) (*opendata.Dataset, error) {
	if id == "" {
		return nil, validation("resource_id", "Missing value")
	}
	base := id
	for _, f := range opendata.FormatNames {
		base = strings.TrimSuffix(base, "-"+f)
	}
	d, err := h.cat.Dataset(r.Context(), base)
	if errors.Is(err, opendata.ErrNotFound) {
		return nil, notFound("Resource \"" + id + "\" was not found.")
	}
	return d, err
}

// filters reads datastore_search's filters: a JSON object of column ->
// value or list of values.
func readFilters(p params) (map[string][]string, error) {
	var obj map[string]any
	switch v := p["filters"].(type) {
	case nil:
		return nil, nil
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, nil
		}
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			return nil, validation("filters", "Not a JSON object")
		}
	case map[string]any:
		obj = v
	default:
		return nil, validation("filters", "Not a JSON object")
	}
	out := map[string][]string{}
	for k, v := range obj {
		vals, ok := v.([]any)
		if !ok {
			vals = []any{v}
		}
		for _, x := range vals {
			out[k] = append(out[k], params{"x": x}.str("x"))
		}
	}
	return out, nil
}

func (h *Handler) datastoreSearch(r *http.Request, p params) (any, error) {
	id := p.str("resource_id")
	if id == "" {
		id = p.str("id")
	}
	d, err := h.resource(r, id)
	if err != nil {
		return nil, err
	}
	limit, err := p.int("limit", 100, 32000)
	if err != nil {
		return nil, err
	}
	offset, err := p.int("offset", 0, 1<<31)
	if err != nil {
		return nil, err
	}
	filters, err := readFilters(p)
	if err != nil {
		return nil, err
	}
	q := opendata.RowQuery{Limit: limit, Offset: offset, Filters: filters, Sort: p.str("sort")}
	switch v := p["q"].(type) {
	case string:
		q.Q = v
	case nil:
	default:
		return nil, validation("q", "Only a full-text string is supported")
	}
	if limit == 0 {
		q.Limit = 1 // the total only
	}
	res, err := h.cat.Rows(r.Context(), d, q)
	var fe *opendata.FilterError
	if errors.As(err, &fe) {
		return nil, validation("filters", fe.Error())
	}
	if err != nil {
		return nil, err
	}
	fields := []map[string]any{{"id": "_id", "type": "int"}}
	for _, f := range res.Fields {
		fields = append(fields, map[string]any{"id": f.ID, "type": f.Type, "info": map[string]any{"label": f.Label, "label_en": f.LabelEN}})
	}
	records := []map[string]any{}
	if limit > 0 {
		for i, rec := range res.Records {
			obj := map[string]any{"_id": offset + i + 1}
			for j, f := range res.Fields {
				obj[f.ID] = rec[j]
			}
			records = append(records, obj)
		}
	}
	path := "/api/3/action/datastore_search?resource_id=" + id
	return map[string]any{
		"resource_id": id, "fields": fields, "records": records, "total": res.Total, "limit": limit, "offset": offset,
		"include_total": true, "records_format": "objects",
		"_links": map[string]any{"start": path, "next": path + "&offset=" + strconv.Itoa(offset+limit)},
	}, nil
}
