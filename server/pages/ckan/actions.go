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
	"github.com/sonla-data/kho/server/pages/site"
)

// ckanTime is CKAN's timestamp layout (UTC, no zone).
func ckanTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000")
}

func (h *Handler) orgDict(r *http.Request, o opendata.Org, count int) map[string]any {
	return map[string]any{"id": o.ID, "name": o.ID, "title": o.Name, "display_name": o.Name, "type": "organization",
		"is_organization": true, "state": "active", "approval_status": "approved", "description": "", "image_url": "",
		"image_display_url": "", "created": "", "package_count": count, "num_followers": 0,
		"url": h.base(r) + "/open?agency=" + o.ID}
}

// groupDict is a domain as a CKAN group.
func (h *Handler) groupDict(r *http.Request, domain string, count int) map[string]any {
	return map[string]any{"id": domain, "name": domain, "title": site.VI.T("domain_" + domain), "display_name": site.VI.T("domain_" + domain),
		"title_en": site.EN.T("domain_" + domain), "type": "group", "is_organization": false, "state": "active",
		"approval_status": "approved", "description": "", "image_url": "", "image_display_url": "", "created": "",
		"package_count": count, "num_followers": 0, "url": h.base(r) + "/open?domain=" + domain}
}

func tagDicts(d *opendata.Dataset) []map[string]any {
	var out []map[string]any
	for _, t := range tagNames(d) {
		out = append(out, map[string]any{"id": opendata.Slug(t), "name": t, "display_name": t, "state": "active", "vocabulary_id": nil})
	}
	return out
}

// resourceDict is one download of a dataset as a CKAN resource.
func (h *Handler) resourceDict(r *http.Request, d *opendata.Dataset, i int) map[string]any {
	f := opendata.FormatNames[i]
	return map[string]any{
		"id": d.ID + "-" + f, "package_id": d.ID, "name": d.Title + " (" + strings.ToUpper(f) + ")",
		"description": d.Description, "format": strings.ToUpper(f), "mimetype": opendata.Formats[f],
		"url": h.base(r) + "/open/datasets/" + d.ID + "/download/" + f, "position": i, "state": "active",
		"datastore_active": true, "url_type": "", "resource_type": "file", "hash": "", "size": nil,
		"cache_url": nil, "cache_last_updated": nil, "mimetype_inner": nil,
		"created": ckanTime(d.Created), "last_modified": ckanTime(d.Modified), "metadata_modified": ckanTime(d.Modified),
	}
}

// counts are the published datasets of each organisation and of each group.
type counts struct{ orgs, groups map[string]int }

func countsOf(ds []*opendata.Dataset) counts {
	c := counts{orgs: map[string]int{}, groups: map[string]int{}}
	for _, d := range ds {
		c.orgs[d.Publisher.ID]++
		c.groups[d.Domain]++
	}
	return c
}

// pkg is a dataset as CKAN's package_show gives it.
func (h *Handler) pkg(r *http.Request, d *opendata.Dataset, n counts) map[string]any {
	base := h.base(r)
	lic := h.cat.Options().Licence
	res := []map[string]any{}
	for i := range opendata.FormatNames {
		res = append(res, h.resourceDict(r, d, i))
	}
	tags := tagDicts(d)
	return map[string]any{
		"id": d.ID, "name": d.ID, "title": d.Title, "notes": d.Description, "type": "dataset", "state": "active",
		"private": false, "isopen": true, "license_id": lic.ID, "license_title": lic.Title, "license_url": lic.URL,
		"author": d.Publisher.Name, "author_email": nil, "maintainer": d.Publisher.Name, "maintainer_email": nil,
		"url": base + "/open/datasets/" + d.ID, "version": nil, "creator_user_id": nil,
		"organization": h.orgDict(r, d.Publisher, n.orgs[d.Publisher.ID]), "owner_org": d.Publisher.ID,
		"metadata_created": ckanTime(d.Created), "metadata_modified": ckanTime(d.Modified),
		"num_resources": len(res), "resources": res, "num_tags": len(tags), "tags": tags,
		"groups":                  []map[string]any{h.groupDict(r, d.Domain, n.groups[d.Domain])},
		"relationships_as_object": []any{}, "relationships_as_subject": []any{},
		"extras": []map[string]any{
			{"key": "title_en", "value": d.TitleEN},
			{"key": "notes_en", "value": d.DescriptionEN},
			{"key": "frequency", "value": string(d.Frequency)},
			{"key": "accrual_periodicity", "value": d.Frequency.URI()},
			{"key": "rows", "value": strconv.FormatInt(d.Rows, 10)},
			{"key": "lake_table", "value": d.Name},
		},
	}
}

// page applies limit and offset to a list.
func page[T any](p params, all []T) ([]T, error) {
	limit, err := p.int("limit", len(all), 1000000)
	if err != nil {
		return nil, err
	}
	offset, err := p.int("offset", 0, 1000000)
	if err != nil {
		return nil, err
	}
	out := []T{}
	for i, x := range all {
		if i >= offset && len(out) < limit {
			out = append(out, x)
		}
	}
	return out, nil
}

func (h *Handler) packageList(r *http.Request, p params) (any, error) {
	ds, err := h.cat.Datasets(r.Context())
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	return page(p, ids)
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
	ds, err := h.cat.Datasets(r.Context())
	if err != nil {
		return nil, err
	}
	return h.pkg(r, d, countsOf(ds)), nil
}

func (h *Handler) resourceShow(r *http.Request, p params) (any, error) {
	id := p.str("id")
	d, err := h.resource(r, id)
	if err != nil {
		return nil, err
	}
	for i, f := range opendata.FormatNames {
		if id == d.ID+"-"+f {
			return h.resourceDict(r, d, i), nil
		}
	}
	return nil, notFound("Resource was not found.")
}

// fqTerm is one field:value filter of a Solr query.
type fqTerm struct {
	field, value string
	negate       bool
}

// matchFQ tests a dataset against the filter fields CKAN harvesters use
// (exact values, as CKAN's Solr string fields); a field it does not know
// matches nothing, as in Solr.
func (h *Handler) matchFQ(d *opendata.Dataset, terms []fqTerm) bool {
	for _, t := range terms {
		var ok bool
		switch t.field {
		case "organization", "owner_org":
			ok = d.Publisher.ID == t.value
		case "groups", "domain":
			ok = d.Domain == t.value
		case "tags":
			for _, tag := range tagNames(d) {
				ok = ok || tag == t.value
			}
		case "res_format":
			for _, f := range opendata.FormatNames {
				ok = ok || strings.EqualFold(t.value, f)
			}
		case "license_id":
			ok = h.cat.Options().Licence.ID == t.value
		case "name", "id":
			ok = d.ID == t.value
		case "dataset_type", "type":
			ok = t.value == "dataset"
		case "capacity":
			ok = t.value == "public"
		case "frequency":
			ok = string(d.Frequency) == t.value
		case "state":
			ok = t.value == "active"
		}
		if ok == t.negate {
			return false
		}
	}
	return true
}

// facetFields are the facets package_search gives when facet.field is not
// set (CKAN's search.facets default).
var facetFields = []string{"organization", "groups", "tags", "res_format", "license_id"}

// facetValues are a dataset's values of a facet field, with their display
// names.
func (h *Handler) facetValues(d *opendata.Dataset, field string) [][2]string {
	switch field {
	case "organization", "owner_org":
		return [][2]string{{d.Publisher.ID, d.Publisher.Name}}
	case "groups":
		return [][2]string{{d.Domain, site.VI.T("domain_" + d.Domain)}}
	case "tags":
		var out [][2]string
		for _, t := range tagNames(d) {
			out = append(out, [2]string{t, t})
		}
		return out
	case "res_format":
		var out [][2]string
		for _, f := range opendata.FormatNames {
			out = append(out, [2]string{strings.ToUpper(f), strings.ToUpper(f)})
		}
		return out
	case "license_id":
		l := h.cat.Options().Licence
		return [][2]string{{l.ID, l.Title}}
	case "frequency":
		return [][2]string{{string(d.Frequency), site.VI.T(d.Frequency.MessageKey())}}
	}
	return nil
}

// readFacetFields reads facet.field: a JSON list of names (CKAN's form), or
// one name.
func readFacetFields(p params) ([]string, error) {
	v, ok := p["facet.field"]
	if !ok {
		return facetFields, nil
	}
	if list, ok := v.([]any); ok {
		var out []string
		for _, x := range list {
			out = append(out, params{"x": x}.str("x"))
		}
		return out, nil
	}
	s := strings.TrimSpace(p.str("facet.field"))
	if s == "" {
		return nil, nil
	}
	if strings.HasPrefix(s, "[") {
		var out []string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, validation("facet.field", "Not a JSON list of field names")
		}
		return out, nil
	}
	return []string{s}, nil
}

// sortKey is one field of package_search's sort.
type sortKey struct {
	field string
	desc  bool
}

func readSort(s string) ([]sortKey, error) {
	var out []sortKey
	for _, part := range strings.Split(s, ",") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		k := sortKey{field: f[0]}
		if len(f) > 1 {
			switch strings.ToLower(f[1]) {
			case "desc":
				k.desc = true
			case "asc":
			default:
				return nil, validation("sort", "Invalid sort direction "+f[1])
			}
		}
		switch k.field {
		case "score", "name", "title_string", "metadata_modified", "metadata_created", "num_resources", "num_tags", "views_recent", "views_total":
		default:
			return nil, validation("sort", "Cannot sort by "+k.field)
		}
		out = append(out, k)
	}
	return out, nil
}

func compareHits(a, b hit, keys []sortKey) int {
	for _, k := range keys {
		c := 0
		switch k.field {
		case "score":
			c = cmpFloat(a.score, b.score)
		case "name":
			c = strings.Compare(a.d.ID, b.d.ID)
		case "title_string":
			c = strings.Compare(opendata.Fold(a.d.Title), opendata.Fold(b.d.Title))
		case "metadata_modified", "metadata_created":
			c = a.d.Modified.Compare(b.d.Modified)
		}
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return strings.Compare(a.d.ID, b.d.ID)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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
	fields, err := readFacetFields(p)
	if err != nil {
		return nil, err
	}
	facetLimit := 50
	if s := p.str("facet.limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, validation("facet.limit", "Invalid integer")
		}
		facetLimit = n // negative: every value
	}
	facetMin, err := p.int("facet.mincount", 1, 1000000)
	if err != nil {
		return nil, err
	}
	sortText := strings.TrimSpace(p.str("sort"))
	if sortText == "" {
		sortText = "score desc, metadata_modified desc"
	}
	keys, err := readSort(sortText)
	if err != nil {
		return nil, err
	}
	ds, err := h.cat.Datasets(r.Context())
	if err != nil {
		return nil, err
	}
	sq := &searchQuery{}
	sq.add(parseQuery(p.str("q")))
	sq.add(parseQuery(p.str("fq")))
	if fqs, ok := p["fq_list"].([]any); ok {
		for _, x := range fqs {
			sq.add(parseQuery(params{"x": x}.str("x")))
		}
	}
	hits := h.search(ds, sq)
	sort.SliceStable(hits, func(i, j int) bool { return compareHits(hits[i], hits[j], keys) < 0 })

	n := countsOf(ds)
	results := []map[string]any{}
	for i, x := range hits {
		if i >= start && len(results) < rows {
			results = append(results, h.pkg(r, x.d, n))
		}
	}
	facets := map[string]any{}
	searchFacets := map[string]any{}
	for _, f := range fields {
		count := map[string]int{}
		names := map[string]string{}
		for _, x := range hits {
			for _, v := range h.facetValues(x.d, f) {
				count[v[0]]++
				names[v[0]] = v[1]
			}
		}
		var items []map[string]any
		plain := map[string]int{}
		for v, c := range count {
			if c >= facetMin {
				items = append(items, map[string]any{"name": v, "display_name": names[v], "count": c})
			}
		}
		sort.Slice(items, func(i, j int) bool {
			a, b := items[i]["count"].(int), items[j]["count"].(int)
			if a != b {
				return a > b
			}
			return items[i]["name"].(string) < items[j]["name"].(string)
		})
		if facetLimit >= 0 && len(items) > facetLimit {
			items = items[:facetLimit]
		}
		for _, it := range items {
			plain[it["name"].(string)] = it["count"].(int)
		}
		if items == nil {
			items = []map[string]any{}
		}
		facets[f] = plain
		searchFacets[f] = map[string]any{"title": f, "items": items}
	}
	return map[string]any{"count": len(hits), "sort": sortText, "results": results, "facets": facets, "search_facets": searchFacets}, nil
}

func (h *Handler) organizationList(r *http.Request, p params) (any, error) {
	ds, err := h.cat.Datasets(r.Context())
	if err != nil {
		return nil, err
	}
	n := countsOf(ds)
	orgs := opendata.Orgs(ds)
	if err := sortListed(p, orgs, func(o opendata.Org) (string, string, int) { return o.ID, o.Name, n.orgs[o.ID] }); err != nil {
		return nil, err
	}
	orgs, err = page(p, orgs)
	if err != nil {
		return nil, err
	}
	if p.bool("all_fields") {
		out := []map[string]any{}
		for _, o := range orgs {
			out = append(out, h.orgDict(r, o, n.orgs[o.ID]))
		}
		return out, nil
	}
	out := []string{}
	for _, o := range orgs {
		out = append(out, o.ID)
	}
	return out, nil
}

// sortListed sorts organization_list's and group_list's answer as CKAN
// does: sort is "name", "title" or "package_count", then asc or desc
// (default "title asc").
func sortListed[T any](p params, list []T, key func(T) (name, title string, count int)) error {
	s := strings.Fields(strings.ToLower(p.str("sort")))
	field, desc := "title", false
	if len(s) > 0 {
		field = s[0]
	}
	if len(s) > 1 {
		desc = s[1] == "desc"
	}
	if field != "name" && field != "title" && field != "package_count" {
		return validation("sort", "Cannot sort by field "+field)
	}
	if field == "package_count" && len(s) < 2 {
		desc = true
	}
	sort.SliceStable(list, func(i, j int) bool {
		an, at, ac := key(list[i])
		bn, bt, bc := key(list[j])
		c := 0
		switch field {
		case "name":
			c = strings.Compare(an, bn)
		case "title":
			c = strings.Compare(opendata.Fold(at), opendata.Fold(bt))
		case "package_count":
			c = ac - bc
		}
		if c == 0 {
			c = strings.Compare(an, bn)
			if desc {
				c = -c
			}
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
	return nil
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
	n := countsOf(ds)
	var pkgs []map[string]any
	var org *opendata.Org
	for _, d := range ds {
		if d.Publisher.ID == id || d.Publisher.Name == id {
			o := d.Publisher
			org = &o
			pkgs = append(pkgs, h.pkg(r, d, n))
		}
	}
	if org == nil {
		return nil, notFound("organization " + id)
	}
	out := h.orgDict(r, *org, len(pkgs))
	if p.bool("include_datasets") {
		out["packages"] = pkgs
	}
	out["users"], out["extras"], out["groups"], out["tags"] = []any{}, []any{}, []any{}, []any{}
	return out, nil
}

func (h *Handler) groupList(r *http.Request, p params) (any, error) {
	ds, err := h.cat.Datasets(r.Context())
	if err != nil {
		return nil, err
	}
	n := countsOf(ds)
	var groups []string
	for g := range n.groups {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	if err := sortListed(p, groups, func(g string) (string, string, int) { return g, site.VI.T("domain_" + g), n.groups[g] }); err != nil {
		return nil, err
	}
	groups, err = page(p, groups)
	if err != nil {
		return nil, err
	}
	if p.bool("all_fields") {
		out := []map[string]any{}
		for _, g := range groups {
			out = append(out, h.groupDict(r, g, n.groups[g]))
		}
		return out, nil
	}
	return groups, nil
}

func (h *Handler) groupShow(r *http.Request, p params) (any, error) {
	id := p.str("id")
	if id == "" {
		return nil, validation("id", "Missing value")
	}
	ds, err := h.cat.Datasets(r.Context())
	if err != nil {
		return nil, err
	}
	n := countsOf(ds)
	if n.groups[id] == 0 {
		return nil, notFound("group " + id)
	}
	out := h.groupDict(r, id, n.groups[id])
	if p.bool("include_datasets") {
		var pkgs []map[string]any
		for _, d := range ds {
			if d.Domain == id {
				pkgs = append(pkgs, h.pkg(r, d, n))
			}
		}
		out["packages"] = pkgs
	}
	out["users"], out["extras"], out["groups"], out["tags"] = []any{}, []any{}, []any{}, []any{}
	return out, nil
}

func (h *Handler) tagList(r *http.Request, p params) (any, error) {
	ds, err := h.cat.Datasets(r.Context())
	if err != nil {
		return nil, err
	}
	q := opendata.Fold(p.str("query"))
	seen := map[string]bool{}
	var tags []string
	for _, d := range ds {
		for _, t := range tagNames(d) {
			if !seen[t] && strings.Contains(opendata.Fold(t), q) {
				seen[t] = true
				tags = append(tags, t)
			}
		}
	}
	sort.Slice(tags, func(i, j int) bool { return opendata.Fold(tags[i]) < opendata.Fold(tags[j]) })
	if p.bool("all_fields") {
		out := []map[string]any{}
		for _, t := range tags {
			out = append(out, map[string]any{"id": opendata.Slug(t), "name": t, "display_name": t, "state": "active", "vocabulary_id": nil})
		}
		return out, nil
	}
	if tags == nil {
		tags = []string{}
	}
	return tags, nil
}

func (h *Handler) licenseList(*http.Request, params) (any, error) {
	l := h.cat.Options().Licence
	return []map[string]any{{"id": l.ID, "title": l.Title, "url": l.URL, "od_conformance": "approved", "osd_conformance": "not reviewed", "status": "active", "family": "", "maintainer": "", "domain_content": false, "domain_data": true, "domain_software": false}}, nil
}

func (h *Handler) statusShow(r *http.Request, _ params) (any, error) {
	return map[string]any{"ckan_version": Version, "site_title": "Cổng dữ liệu mở tỉnh Sơn La", "site_url": h.base(r),
		"site_description": "Kho dữ liệu tỉnh Sơn La", "locale_default": "vi", "error_emails_to": nil,
		"extensions": []string{"datastore", "dcat"}}, nil
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
