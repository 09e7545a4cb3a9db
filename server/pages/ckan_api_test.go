package pages_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/server/pages/opendata"
)

type facetItem struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Count       int    `json:"count"`
}

type searchResult struct {
	Count   int `json:"count"`
	Results []struct {
		Name         string `json:"name"`
		Title        string `json:"title"`
		Organization struct {
			Name         string `json:"name"`
			PackageCount int    `json:"package_count"`
		} `json:"organization"`
	} `json:"results"`
	Facets       map[string]map[string]int `json:"facets"`
	SearchFacets map[string]struct {
		Title string      `json:"title"`
		Items []facetItem `json:"items"`
	} `json:"search_facets"`
}

func (s searchResult) names() []string {
	var out []string
	for _, r := range s.Results {
		out = append(out, r.Name)
	}
	return out
}

// published are the published datasets' schemas, by CKAN name, from the
// schemas and the lake (not from the portal).
func published(t *testing.T) map[string]struct{ org, domain, title, titleEN string } {
	out := map[string]struct{ org, domain, title, titleEN string }{}
	for _, id := range publishedIDs(t) {
		s, ok := env.wh.Schemas.Get(strings.Replace(id, "-", ".", 1))
		require.True(t, ok, id)
		out[id] = struct{ org, domain, title, titleEN string }{opendata.Slug(s.Owner), s.Namespace(), s.Label, s.LabelEN}
	}
	return out
}

// TestCKANSearchFacets: package_search fills search_facets (and facets)
// with the default fields or those of facet.field, counted over every hit.
func TestCKANSearchFacets(t *testing.T) {
	pub := published(t)
	wantOrgs, wantGroups := map[string]int{}, map[string]int{}
	for _, p := range pub {
		wantOrgs[p.org]++
		wantGroups[p.domain]++
	}
	var s searchResult
	ckanCall(t, env.srv.URL, "package_search", "rows=0&facet.limit=-1", &s)
	assert.Equal(t, len(pub), s.Count)
	assert.Empty(t, s.Results, "rows=0: the facets only")
	counts := func(field string) map[string]int {
		out := map[string]int{}
		for _, it := range s.SearchFacets[field].Items {
			out[it.Name] = it.Count
			assert.NotEmpty(t, it.DisplayName, "%s %s", field, it.Name)
		}
		assert.Equal(t, out, s.Facets[field], "facets and search_facets agree on %s", field)
		return out
	}
	for _, f := range []string{"organization", "groups", "tags", "res_format", "license_id"} {
		require.Contains(t, s.SearchFacets, f)
		assert.Equal(t, f, s.SearchFacets[f].Title)
	}
	assert.Equal(t, wantOrgs, counts("organization"))
	assert.Equal(t, wantGroups, counts("groups"))
	assert.Equal(t, map[string]int{"CSV": len(pub), "JSON": len(pub), "PARQUET": len(pub), "XLSX": len(pub)}, counts("res_format"))
	assert.Equal(t, map[string]int{"cc-by-4.0": len(pub)}, counts("license_id"))
	tags := counts("tags")
	if _, ok := pub["education-schools"]; ok {
		assert.Equal(t, 1, tags["trường học"], "the keyword of education.schools")
	}
	assert.Equal(t, wantGroups["health"], tags["Y tế"], "the domain's name is a tag of each of its datasets")
	// Items come most frequent first.
	items := s.SearchFacets["organization"].Items
	assert.True(t, sort.SliceIsSorted(items, func(i, j int) bool { return items[i].Count > items[j].Count }))

	// facet.field names the facets; they count the hits of q and fq only.
	s = searchResult{}
	ckanCall(t, env.srv.URL, "package_search", "rows=1000&fq=organization:so-y-te&facet.field="+url.QueryEscape(`["organization","groups"]`), &s)
	assert.Equal(t, wantOrgs["so-y-te"], s.Count)
	assert.Len(t, s.SearchFacets, 2)
	assert.Equal(t, map[string]int{"so-y-te": wantOrgs["so-y-te"]}, s.Facets["organization"])
	assert.Equal(t, map[string]int{"health": wantOrgs["so-y-te"]}, s.Facets["groups"], "Sở Y tế publishes health datasets only")
}

// TestCKANQueries: field queries, Vietnamese words with and without
// diacritics ranked by where they are found, sort.
func TestCKANQueries(t *testing.T) {
	pub := published(t)
	search := func(q string) searchResult {
		var s searchResult
		ckanCall(t, env.srv.URL, "package_search", "rows=1000&"+q, &s)
		assert.Equal(t, s.Count, len(s.Results), q)
		return s
	}
	// title:x searches titles only: the datasets whose title has every word.
	for _, q := range []string{"thư viện", "khách du lịch", "giáo dục"} {
		var want []string
		for id, p := range pub {
			if hasWords(p.title+" "+p.titleEN, q) {
				want = append(want, id)
			}
		}
		got := search("q=" + url.QueryEscape("title:"+strconvQuote(q))).names()
		sort.Strings(got)
		sort.Strings(want)
		assert.Equal(t, want, got, "title:%q", q)
	}
	assert.Equal(t, 0, search("q="+url.QueryEscape("title:nông")).Count, "no title has the word nông")
	assert.NotZero(t, search("q="+url.QueryEscape("nông")).Count, "publishers and domains do")

	if _, ok := pub["education-schools"]; ok {
		vi := search("q=" + url.QueryEscape("trường học")).names()
		require.NotEmpty(t, vi)
		assert.Equal(t, "education-schools", vi[0], "trường học: %v", vi)
		assert.Equal(t, vi, search("q="+url.QueryEscape("truong hoc")).names(), "the same without diacritics")
		assert.Equal(t, vi, search("q="+url.QueryEscape("TRƯỜNG HỌC")).names(), "and in capitals")
		one := search("q=" + url.QueryEscape("trường")).names()
		require.NotEmpty(t, one)
		assert.True(t, strings.HasPrefix(one[0], "education-"), "trường ranks a school dataset first: %v", one)
		for i, id := range one {
			if strings.HasPrefix(id, "agriculture-") {
				for _, later := range one[i:] {
					assert.False(t, strings.HasPrefix(later, "education-"), "Môi trường's datasets after the schools: %v", one)
				}
				break
			}
		}
	}
	assert.Equal(t, 0, search("q="+url.QueryEscape("truon")).Count, "a piece of a word is not a word")

	// sort
	names := search("sort=" + url.QueryEscape("name desc")).names()
	assert.True(t, sort.SliceIsSorted(names, func(i, j int) bool { return names[i] > names[j] }), "name desc: %v", names)
	assert.Len(t, names, len(pub))
	s := search("sort=" + url.QueryEscape("title_string asc"))
	var titles []string
	for _, r := range s.Results {
		titles = append(titles, opendata.Fold(r.Title))
	}
	assert.True(t, sort.StringsAreSorted(titles), "title_string asc: %v", titles)
	assert.Equal(t, 409, ckanCall(t, env.srv.URL, "package_search", "sort=colour+asc", nil))
	// fq excludes with -field:value; rows and start page the sorted hits.
	noHealth := search("fq=" + url.QueryEscape("-groups:health")).names()
	for _, id := range noHealth {
		assert.False(t, strings.HasPrefix(id, "health-"), id)
	}
	var page searchResult
	ckanCall(t, env.srv.URL, "package_search", "sort=name+desc&rows=2&start=2", &page)
	assert.Equal(t, names[2:4], page.names())
}

func strconvQuote(s string) string { return `"` + s + `"` }

// hasWords reports whether text holds every word of q, as whole words,
// diacritics and case aside.
func hasWords(text, q string) bool {
	split := func(s string) []string {
		return strings.FieldsFunc(opendata.Fold(s), func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') })
	}
	have := split(text)
	for _, w := range split(q) {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

type datastorePage struct {
	Total   int64            `json:"total"`
	Limit   int              `json:"limit"`
	Records []map[string]any `json:"records"`
	Fields  []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"fields"`
	Links struct {
		Start string `json:"start"`
		Next  string `json:"next"`
	} `json:"_links"`
}

// TestDatastoreSearchPaging follows _links.next to the end of a filtered,
// sorted query of some fields and gets exactly the rows SQL gets, each with
// the _id the row has in every query.
func TestDatastoreSearchPaging(t *testing.T) {
	db := env.wh.Engine.DB()
	ctx := t.Context()
	// The _id of each row: its position in the table's key order.
	ids := map[string]int64{}
	rows, err := db.QueryContext(ctx, `SELECT clinic_id, row_number() OVER (ORDER BY clinic_id) FROM health.clinics`)
	require.NoError(t, err)
	for rows.Next() {
		var id string
		var n int64
		require.NoError(t, rows.Scan(&id, &n))
		ids[id] = n
	}
	require.NoError(t, rows.Err())
	rows.Close()
	var want []string
	rows, err = db.QueryContext(ctx, `SELECT clinic_id FROM health.clinics WHERE clinic_type = 'Trạm y tế' ORDER BY clinic_id DESC`)
	require.NoError(t, err)
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		want = append(want, id)
	}
	rows.Close()
	require.Greater(t, len(want), 6, "enough commune stations for three pages")

	q := url.Values{"resource_id": {"health-clinics-csv"}, "filters": {`{"clinic_type":"Trạm y tế"}`}, "limit": {"3"},
		"fields": {"_id,clinic_id,clinic_type"}, "sort": {"clinic_id desc"}}
	next := "/api/3/action/datastore_search?" + q.Encode()
	var got []string
	for pages := 0; ; pages++ {
		require.Less(t, pages, 1000, "paging does not end")
		u, err := url.Parse(next)
		require.NoError(t, err)
		for _, k := range []string{"filters", "limit", "fields", "sort"} {
			assert.Equal(t, q.Get(k), u.Query().Get(k), "_links.next keeps %s", k)
		}
		var p datastorePage
		require.Equal(t, 200, ckanCall(t, env.srv.URL, "datastore_search", u.RawQuery, &p))
		assert.EqualValues(t, len(want), p.Total, "total of the filtered query")
		var fields []string
		for _, f := range p.Fields {
			fields = append(fields, f.ID)
		}
		assert.Equal(t, []string{"_id", "clinic_id", "clinic_type"}, fields)
		if len(p.Records) == 0 {
			break
		}
		for _, r := range p.Records {
			assert.Len(t, r, 3, "only the fields asked for")
			id := r["clinic_id"].(string)
			got = append(got, id)
			assert.EqualValues(t, ids[id], r["_id"], "the _id of %s is its _id in the whole table", id)
			assert.Equal(t, "Trạm y tế", r["clinic_type"])
		}
		next = p.Links.Next
	}
	assert.Equal(t, want, got, "every page, in order, each row once")

	// q and limit are kept too, and an unfiltered query gives each row the same _id.
	var p datastorePage
	ckanCall(t, env.srv.URL, "datastore_search", "resource_id=health-clinics&q="+url.QueryEscape("Trạm")+"&limit=2", &p)
	u, err := url.Parse(p.Links.Next)
	require.NoError(t, err)
	assert.Equal(t, "Trạm", u.Query().Get("q"))
	assert.Equal(t, "2", u.Query().Get("limit"))
	assert.Equal(t, "2", u.Query().Get("offset"))
	p = datastorePage{}
	ckanCall(t, env.srv.URL, "datastore_search", "resource_id=health-clinics&limit=32000", &p)
	assert.EqualValues(t, len(ids), p.Total)
	for _, r := range p.Records {
		assert.EqualValues(t, ids[r["clinic_id"].(string)], r["_id"])
	}
	// A filter on _id finds that row.
	p = datastorePage{}
	ckanCall(t, env.srv.URL, "datastore_search", "resource_id=health-clinics&filters="+url.QueryEscape(`{"_id": 5}`), &p)
	require.Len(t, p.Records, 1)
	assert.EqualValues(t, 5, p.Records[0]["_id"])
	assert.EqualValues(t, 5, ids[p.Records[0]["clinic_id"].(string)])

	// distinct: each value once, the total is the distinct rows'.
	var types []string
	rows, err = db.QueryContext(ctx, `SELECT DISTINCT clinic_type FROM health.clinics ORDER BY 1`)
	require.NoError(t, err)
	for rows.Next() {
		var s *string
		require.NoError(t, rows.Scan(&s))
		if s != nil {
			types = append(types, *s)
		}
	}
	rows.Close()
	p = datastorePage{}
	ckanCall(t, env.srv.URL, "datastore_search", "resource_id=health-clinics&distinct=true&fields=clinic_type&sort=clinic_type", &p)
	var gotTypes []string
	for _, r := range p.Records {
		assert.Len(t, r, 1, "distinct rows of the fields asked for, no _id")
		if s, ok := r["clinic_type"].(string); ok {
			gotTypes = append(gotTypes, s)
		}
	}
	assert.Equal(t, types, gotTypes)
	assert.EqualValues(t, len(p.Records), p.Total)
	assert.Equal(t, 409, ckanCall(t, env.srv.URL, "datastore_search", "resource_id=health-clinics&fields=colour", nil), "an unknown field")
}

// TestCKANActions: package_show's organisation counts its datasets;
// resource_show, tag_list, group_list, group_show, organization_show and
// help_show answer; every response's help address answers.
func TestCKANActions(t *testing.T) {
	pub := published(t)
	base := env.srv.URL
	var pkg struct {
		Organization struct {
			Name         string `json:"name"`
			PackageCount int    `json:"package_count"`
		} `json:"organization"`
		Groups []struct {
			Name         string `json:"name"`
			Title        string `json:"title"`
			PackageCount int    `json:"package_count"`
		} `json:"groups"`
		Tags      []struct{ Name string } `json:"tags"`
		Resources []map[string]any        `json:"resources"`
	}
	ckanCall(t, base, "package_show", "id=health-clinics", &pkg)
	n := 0
	for _, p := range pub {
		if p.org == "so-y-te" {
			n++
		}
	}
	assert.Equal(t, "so-y-te", pkg.Organization.Name)
	assert.Equal(t, n, pkg.Organization.PackageCount, "package_show counts the organisation's datasets")
	require.Len(t, pkg.Groups, 1)
	assert.Equal(t, "health", pkg.Groups[0].Name)
	assert.Equal(t, "Y tế", pkg.Groups[0].Title)
	var tags []string
	for _, tg := range pkg.Tags {
		tags = append(tags, tg.Name)
	}
	assert.Contains(t, tags, "bệnh viện")

	// resource_show gives the resource as package_show lists it.
	for _, r := range pkg.Resources {
		var res map[string]any
		require.Equal(t, 200, ckanCall(t, base, "resource_show", "id="+url.QueryEscape(r["id"].(string)), &res))
		assert.Equal(t, r, res)
		assert.Equal(t, "health-clinics", res["package_id"])
	}
	assert.Equal(t, 404, ckanCall(t, base, "resource_show", "id=health-clinics-docx", nil))
	assert.Equal(t, 404, ckanCall(t, base, "resource_show", "id=health-visits-csv", nil), "a dataset not published")
	assert.Equal(t, 409, ckanCall(t, base, "resource_show", "", nil))

	var all []string
	ckanCall(t, base, "tag_list", "", &all)
	assert.Contains(t, all, "bệnh viện")
	assert.Contains(t, all, "Y tế")
	var some []string
	ckanCall(t, base, "tag_list", "query="+url.QueryEscape("benh vien"), &some)
	assert.Equal(t, []string{"bệnh viện"}, some)

	wantGroups := map[string]int{}
	for _, p := range pub {
		wantGroups[p.domain]++
	}
	var groups []struct {
		Name         string `json:"name"`
		PackageCount int    `json:"package_count"`
	}
	ckanCall(t, base, "group_list", "all_fields=true", &groups)
	gotGroups := map[string]int{}
	for _, g := range groups {
		gotGroups[g.Name] = g.PackageCount
	}
	assert.Equal(t, wantGroups, gotGroups)
	var names []string
	ckanCall(t, base, "group_list", "sort=name", &names)
	assert.Len(t, names, len(wantGroups))
	assert.True(t, sort.StringsAreSorted(names))
	var group struct {
		PackageCount int              `json:"package_count"`
		Packages     []map[string]any `json:"packages"`
	}
	ckanCall(t, base, "group_show", "id=health&include_datasets=true", &group)
	assert.Equal(t, wantGroups["health"], group.PackageCount)
	assert.Len(t, group.Packages, wantGroups["health"])
	assert.Equal(t, 404, ckanCall(t, base, "group_show", "id=marts", nil))

	var org struct {
		PackageCount int `json:"package_count"`
	}
	ckanCall(t, base, "organization_show", "id=so-y-te", &org)
	assert.Equal(t, n, org.PackageCount)

	// Every response's help names help_show, which answers with the
	// action's documentation.
	for _, action := range []string{"package_list", "package_show", "package_search", "resource_show", "organization_list",
		"organization_show", "group_list", "group_show", "tag_list", "license_list", "status_show", "datastore_search", "help_show"} {
		id := map[string]string{"resource_show": "health-clinics-csv", "organization_show": "so-y-te", "group_show": "health"}[action]
		if id == "" {
			id = "health-clinics"
		}
		code, body := fetch(t, base+"/api/3/action/"+action+"?id="+id+"&resource_id=health-clinics-csv&name=package_show")
		var e struct {
			Help string `json:"help"`
		}
		require.NoError(t, json.Unmarshal(body, &e), action)
		assert.Equal(t, 200, code, action)
		require.True(t, strings.HasPrefix(e.Help, base+"/api/3/action/help_show?name="+action), e.Help)
		hcode, hbody := fetch(t, e.Help)
		var help struct {
			Success bool   `json:"success"`
			Result  string `json:"result"`
		}
		require.NoError(t, json.Unmarshal(hbody, &help), action)
		assert.Equal(t, 200, hcode, action)
		assert.True(t, help.Success, action)
		assert.NotEmpty(t, help.Result, action)
	}
	var doc string
	ckanCall(t, base, "help_show", "name=package_search", &doc)
	assert.Contains(t, doc, "facet.field")
	assert.Equal(t, 404, ckanCall(t, base, "help_show", "name=package_delete", nil))
}
