package ckan

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sonla-data/kho/server/pages/opendata"
)

// readFields reads datastore_search's fields: a JSON list, or names
// separated by commas.
func readFields(p params) ([]string, error) {
	switch v := p["fields"].(type) {
	case nil:
		return nil, nil
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, params{"x": x}.str("x"))
		}
		return out, nil
	}
	s := strings.TrimSpace(p.str("fields"))
	if strings.HasPrefix(s, "[") {
		var out []string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, validation("fields", "Not a list of field names")
		}
		return out, nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out, nil
}

// readSortParam reads datastore_search's sort: "col desc, col2" or a JSON
// list of such strings.
func readSortParam(p params) string {
	if list, ok := p["sort"].([]any); ok {
		var parts []string
		for _, x := range list {
			parts = append(parts, params{"x": x}.str("x"))
		}
		return strings.Join(parts, ",")
	}
	return p.str("sort")
}

// boolParam reads a boolean parameter (true, "true", "1"); def when absent.
func (p params) boolOr(k string, def bool) (bool, error) {
	if _, ok := p[k]; !ok || p.str(k) == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(p.str(k))
	if err != nil {
		return false, validation(k, "Not a boolean")
	}
	return b, nil
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
	fields, err := readFields(p)
	if err != nil {
		return nil, err
	}
	distinct, err := p.boolOr("distinct", false)
	if err != nil {
		return nil, err
	}
	includeTotal, err := p.boolOr("include_total", true)
	if err != nil {
		return nil, err
	}
	format := p.str("records_format")
	switch format {
	case "":
		format = "objects"
	case "objects", "lists":
	default:
		return nil, validation("records_format", "Must be objects or lists")
	}
	sortText := readSortParam(p)
	q := opendata.RowQuery{Limit: limit, Offset: offset, Filters: filters, Sort: sortText, Fields: fields,
		WithID: true, Distinct: distinct, NoTotal: !includeTotal}
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
		return nil, validation(fe.Param, fe.Error())
	}
	if err != nil {
		return nil, err
	}
	outFields := []map[string]any{}
	for _, f := range res.Fields {
		m := map[string]any{"id": f.ID, "type": f.Type}
		if f.ID != opendata.IDField {
			m["info"] = map[string]any{"label": f.Label, "label_en": f.LabelEN}
		}
		outFields = append(outFields, m)
	}
	var records any
	if format == "lists" {
		lists := [][]any{}
		if limit > 0 {
			lists = append(lists, res.Records...)
		}
		records = lists
	} else {
		objs := []map[string]any{}
		if limit > 0 {
			for _, rec := range res.Records {
				obj := make(map[string]any, len(rec))
				for j, f := range res.Fields {
					obj[f.ID] = rec[j]
				}
				objs = append(objs, obj)
			}
		}
		records = objs
	}
	out := map[string]any{
		"resource_id": id, "fields": outFields, "records": records, "limit": limit,
		"include_total": includeTotal, "records_format": format,
		"_links": h.links(p, id, offset, limit),
	}
	if offset > 0 {
		out["offset"] = offset
	}
	if includeTotal {
		out["total"] = res.Total
		out["total_was_estimated"] = false
	}
	for _, k := range []string{"q", "filters", "sort", "distinct"} {
		if _, ok := p[k]; ok {
			out[k] = p[k]
		}
	}
	return out, nil
}

// links are CKAN's _links: the first page and the next of the same query,
// every parameter kept but the offset.
func (h *Handler) links(p params, id string, offset, limit int) map[string]any {
	v := url.Values{}
	v.Set("resource_id", id)
	for _, k := range []string{"q", "filters", "fields", "sort", "distinct", "include_total", "records_format", "plain", "language"} {
		if _, ok := p[k]; !ok {
			continue
		}
		s := p.str(k)
		if k == "fields" || k == "sort" {
			if list, ok := p[k].([]any); ok {
				var parts []string
				for _, x := range list {
					parts = append(parts, params{"x": x}.str("x"))
				}
				s = strings.Join(parts, ",")
			}
		}
		v.Set(k, s)
	}
	if _, ok := p["limit"]; ok {
		v.Set("limit", strconv.Itoa(limit))
	}
	path := "/api/3/action/datastore_search?"
	start := path + v.Encode()
	v.Set("offset", strconv.Itoa(offset+limit))
	return map[string]any{"start": start, "next": path + v.Encode()}
}
