package pages_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/pages"
	"github.com/sonla-data/kho/server/pages/opendata"
	"github.com/sonla-data/kho/server/pages/site"
	"github.com/sonla-data/kho/warehouse/marts"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestLoginAndRoles(t *testing.T) {
	cases := []struct {
		name, token, accept string
		status              int
		location            string
	}{
		{"a page without a token goes to the login form", "", "text/html", http.StatusSeeOther, "/login?next=%2F%3Fkpi%3Donline"},
		{"an API call without a token is refused", "", "application/json", http.StatusUnauthorized, ""},
		{"an unknown token", "nope", "text/html", http.StatusSeeOther, "/login?next=%2F%3Fkpi%3Donline"},
		{"a public token may not read the dashboard", publicToken, "text/html", http.StatusForbidden, ""},
		{"a dashboard token", leaderToken, "text/html", http.StatusOK, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, env.srv.URL+"/?kpi=online", nil)
			req.Header.Set("Accept", c.accept)
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := noRedirect.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, c.status, resp.StatusCode)
			assert.Equal(t, c.location, resp.Header.Get("Location"))
		})
	}

	// The form keeps the token in an HttpOnly cookie and goes back to next,
	// never off the site.
	form := url.Values{"token": {leaderToken}, "next": {"//evil.example/"}}
	resp, err := noRedirect.PostForm(env.srv.URL+"/login", form)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/", resp.Header.Get("Location"))
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == site.SessionCookie {
			session = c
		}
	}
	require.NotNil(t, session)
	assert.True(t, session.HttpOnly)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, env.srv.URL+"/marts/plan_targets", nil)
	req.AddCookie(session)
	resp, err = noRedirect.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "range(2025, 2031)", "the mart page shows its SQL")

	resp, err = noRedirect.PostForm(env.srv.URL+"/login", url.Values{"token": {"wrong"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Empty(t, resp.Cookies())
}

func TestGzipAndCaching(t *testing.T) {
	// Go's client asks for gzip and inflates by itself unless asked by hand.
	req, _ := http.NewRequest(http.MethodGet, env.srv.URL+"/open", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	zr, err := gzip.NewReader(resp.Body)
	require.NoError(t, err)
	page, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Contains(t, string(page), "Cổng dữ liệu mở tỉnh Sơn La")

	css := regexp.MustCompile(`href="(/static/kho\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(string(page))
	require.NotNil(t, css, "the page links its versioned style sheet")
	req, _ = http.NewRequest(http.MethodGet, env.srv.URL+css[1], nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp2, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	resp2.Body.Close()
	assert.Equal(t, "public, max-age=31536000, immutable", resp2.Header.Get("Cache-Control"))
	assert.Equal(t, "gzip", resp2.Header.Get("Content-Encoding"))
	etag := resp2.Header.Get("ETag")
	require.NotEmpty(t, etag)
	req, _ = http.NewRequest(http.MethodGet, env.srv.URL+css[1], nil)
	req.Header.Set("If-None-Match", etag)
	resp3, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	resp3.Body.Close()
	assert.Equal(t, http.StatusNotModified, resp3.StatusCode)

	// Parquet is not gzipped again; CSV is, and says it is an attachment.
	req, _ = http.NewRequest(http.MethodGet, env.srv.URL+"/open/datasets/health-clinics/download/parquet", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp4, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	head := make([]byte, 4)
	_, err = io.ReadFull(resp4.Body, head)
	resp4.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, "PAR1", string(head))
	assert.Empty(t, resp4.Header.Get("Content-Encoding"))
	resp5 := get(t, "/open/datasets/health-clinics/download/csv")
	assert.Equal(t, `attachment; filename="health-clinics.csv"`, resp5.Header.Get("Content-Disposition"))
	assert.Equal(t, "text/csv; charset=utf-8", resp5.Header.Get("Content-Type"))
}

func TestCKANShapes(t *testing.T) {
	base := env.srv.URL
	ids := publishedIDs(t)

	var search struct {
		Count   int `json:"count"`
		Results []struct {
			Name         string `json:"name"`
			Organization struct{ Name string }
		} `json:"results"`
	}
	ckanCall(t, base, "package_search", "rows=2&start=1&sort=name+asc", &search)
	assert.Equal(t, len(ids), search.Count)
	require.Len(t, search.Results, 2)
	assert.Equal(t, ids[1:3], []string{search.Results[0].Name, search.Results[1].Name}, "rows and start page the results")

	ckanCall(t, base, "package_search", "fq="+url.QueryEscape("organization:so-y-te +dataset_type:dataset")+"&rows=100", &search)
	require.NotZero(t, search.Count)
	for _, r := range search.Results {
		assert.Equal(t, "so-y-te", r.Organization.Name)
	}
	ckanCall(t, base, "package_search", "q="+url.QueryEscape("groups:agriculture")+"&rows=100", &search)
	for _, r := range search.Results {
		assert.True(t, strings.HasPrefix(r.Name, "agriculture-"), r.Name)
	}

	var orgs []string
	ckanCall(t, base, "organization_list", "", &orgs)
	assert.Contains(t, orgs, "so-y-te")
	var org struct {
		Title    string           `json:"title"`
		Packages []map[string]any `json:"packages"`
	}
	ckanCall(t, base, "organization_show", "id=so-y-te&include_datasets=true", &org)
	assert.Equal(t, "Sở Y tế", org.Title)
	assert.NotEmpty(t, org.Packages)

	// CKAN's errors: unknown action, missing parameter, unknown dataset.
	assert.Equal(t, 400, ckanCall(t, base, "package_delete", "id=health-clinics", nil))
	assert.Equal(t, 409, ckanCall(t, base, "package_show", "", nil))
	assert.Equal(t, 404, ckanCall(t, base, "package_show", "id=khong-co", nil))
	assert.Equal(t, 409, ckanCall(t, base, "datastore_search", "resource_id=health-clinics&limit=x", nil))

	// POST with a form body, as some harvesters send.
	resp, err := http.PostForm(base+"/api/3/action/datastore_search", url.Values{"resource_id": {"health-clinics-json"}, "limit": {"0"}})
	require.NoError(t, err)
	var out struct {
		Success bool `json:"success"`
		Result  struct {
			Total   int64            `json:"total"`
			Records []map[string]any `json:"records"`
		} `json:"result"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	resp.Body.Close()
	var n int64
	require.NoError(t, env.wh.Engine.DB().QueryRowContext(t.Context(), `SELECT count(*) FROM health.clinics`).Scan(&n))
	assert.True(t, out.Success)
	assert.Equal(t, n, out.Result.Total, "limit 0 gives the total only")
	assert.Empty(t, out.Result.Records)
}

// TestSectorPanels adds two sector marts as the other engineers' will be
// (one with a month column, one without), builds them into the lake, and
// checks the dashboard finds them by name and shows their figures.
func TestSectorPanels(t *testing.T) {
	ctx := t.Context()
	clinics, err := marts.Parse("marts/sector_test_clinics.sql", `-- mart: sector_test_clinics
-- label: Cơ sở y tế theo xã
-- label_en: Health facilities by commune
-- key: commune_code
-- figure: facilities = sum
-- figure: beds = sum
-- column: facilities = Cơ sở y tế | Facilities
-- column: beds = Giường bệnh | Beds
SELECT commune_code, CAST(count(*) AS BIGINT) AS facilities, CAST(sum(beds) AS BIGINT) AS beds FROM health.clinics GROUP BY commune_code`)
	require.NoError(t, err)
	visits, err := marts.Parse("marts/sector_test_visits.sql", `-- mart: sector_test_visits
-- label: Lượt khám theo tháng
-- label_en: Visits by month
-- key: month, sex
-- figure: visits = sum
-- figure: insured_visits = sum
-- figure: insured_rate = insured_visits / visits
-- column: visits = Lượt khám | Visits
-- column: insured_visits = Lượt khám có BHYT | Insured visits
-- column: insured_rate = Tỷ lệ khám có BHYT | Insured rate
SELECT CAST(date_trunc('month', visit_date) AS DATE) AS month, sex, CAST(count(*) AS BIGINT) AS visits,
       CAST(count(*) FILTER (WHERE insured) AS BIGINT) AS insured_visits, avg(CAST(insured AS INTEGER)) AS insured_rate
FROM health.visits GROUP BY 1, 2`)
	require.NoError(t, err)
	// A sector mart must say how each of its numeric columns adds up, or it
	// is not built: the dashboard could only guess (and used to add ratios).
	undeclared, err := marts.Parse("marts/sector_test_undeclared.sql", `-- mart: sector_test_undeclared
-- label: Lượt khám theo giới tính
-- key: sex
-- figure: visits = sum
-- column: visits = Lượt khám | Visits
SELECT sex, CAST(count(*) AS BIGINT) AS visits, avg(CAST(insured AS INTEGER)) AS insured_rate FROM health.visits GROUP BY 1`)
	require.NoError(t, err)
	_, err = (&marts.Builder{Lake: env.wh.Lake, Engine: env.wh.Engine, Marts: []*marts.Mart{undeclared}, RunID: "test-sectors"}).Build(ctx)
	require.ErrorContains(t, err, "numeric column insured_rate has no")
	b := &marts.Builder{Lake: env.wh.Lake, Engine: env.wh.Engine, Marts: []*marts.Mart{clinics, visits}, RunID: "test-sectors"}
	_, err = b.Build(ctx)
	require.NoError(t, err)
	require.NoError(t, env.wh.Engine.Refresh(ctx))

	all := append(append([]*marts.Mart{}, env.wh.Marts...), clinics, visits)
	serving, err := env.wh.Serve(ctx, env.wh.Audit, nil, all, engine.Options{}) // serves the two new marts
	require.NoError(t, err)
	defer serving.Close()
	deps := env.wh.DepsOn(serving, testTokens)
	deps.Marts = all
	srv := httptest.NewServer(pages.New(deps, pages.Options{}))
	defer srv.Close()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/", nil)
	req.Header.Set("Authorization", "Bearer "+leaderToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	html := string(page)

	panel := func(name string) string {
		i := strings.Index(html, `id="panel-`+name+`"`)
		require.GreaterOrEqual(t, i, 0, "no panel for %s", name)
		j := strings.Index(html[i:], "</figure>")
		return html[i : i+j]
	}
	figures := func(p string) map[string]string {
		out := map[string]string{}
		for _, m := range regexp.MustCompile(`<dt>([^<]+)</dt><dd><a [^>]*>([^<]+)</a></dd>`).FindAllStringSubmatch(p, -1) {
			out[m[1]] = m[2]
		}
		return out
	}
	db := env.wh.Engine.DB()
	var nClinics, beds int64
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*), sum(beds) FROM health.clinics`).Scan(&nClinics, &beds))
	p := panel("sector_test_clinics")
	assert.Contains(t, p, "Cơ sở y tế theo xã")
	assert.Equal(t, map[string]string{"Cơ sở y tế": viInt(nClinics), "Giường bệnh": viInt(beds)}, figures(p))
	assert.Contains(t, p, `href="/marts/sector_test_clinics"`)

	// The dashboard's period (the dossiers' last twelve months) applies to a
	// mart with a month column.
	from, to := defaultPeriod(t)
	var last string
	var nVisits, nInsured, months int64
	require.NoError(t, db.QueryRowContext(ctx, `WITH m AS (SELECT date_trunc('month', visit_date) AS month, count(*) AS n, count(*) FILTER (WHERE insured) AS i FROM health.visits
			WHERE visit_date BETWEEN CAST(? AS DATE) AND last_day(CAST(? AS DATE)) GROUP BY 1)
		SELECT strftime(max(month), '%m/%Y'), arg_max(n, month), arg_max(i, month), count(*) FROM m`, day(from), day(to)).Scan(&last, &nVisits, &nInsured, &months))
	p = panel("sector_test_visits")
	assert.Contains(t, p, "Kỳ gần nhất: "+last)
	assert.Equal(t, viInt(nVisits), figures(p)["Lượt khám"], "the latest month's visits, both sexes")
	assert.Equal(t, viPct(float64(nInsured)/float64(nVisits)), figures(p)["Tỷ lệ khám có BHYT"], "a rate over several rows is the ratio of the sums")
	assert.Equal(t, int(months), strings.Count(p, `class="pt s1"`), "one point a month")

	// With a commune, a mart with commune_code shows that commune's rows.
	var commune string
	var nc, bc int64
	require.NoError(t, db.QueryRowContext(ctx, `SELECT commune_code, count(*), sum(beds) FROM health.clinics GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`).Scan(&commune, &nc, &bc))
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/?commune="+commune, nil)
	req.Header.Set("Authorization", "Bearer "+leaderToken)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	html = string(page)
	assert.Equal(t, map[string]string{"Cơ sở y tế": viInt(nc), "Giường bệnh": viInt(bc)}, figures(panel("sector_test_clinics")), "commune %s", commune)
}

// TestPortalOptions sets another licence and a public address, as an
// operator would in kho.yaml, and finds them in CKAN and DCAT.
func TestPortalOptions(t *testing.T) {
	opt := pages.Options{Portal: opendata.Options{
		Licence: opendata.Licence{ID: "vn-odl-1.0", Title: "Giấy phép dữ liệu mở Việt Nam", TitleEN: "Vietnam Open Data Licence", URL: "https://data.sonla.gov.vn/giay-phep"},
		BaseURL: "https://data.sonla.gov.vn/"}}
	srv := httptest.NewServer(pages.New(env.wh.Deps(testTokens), opt))
	defer srv.Close()
	var pkg struct {
		LicenseID    string `json:"license_id"`
		LicenseTitle string `json:"license_title"`
		Resources    []struct{ URL string }
	}
	ckanCall(t, srv.URL, "package_show", "id=health-clinics", &pkg)
	assert.Equal(t, "vn-odl-1.0", pkg.LicenseID)
	assert.Equal(t, "Giấy phép dữ liệu mở Việt Nam", pkg.LicenseTitle)
	require.NotEmpty(t, pkg.Resources)
	assert.Equal(t, "https://data.sonla.gov.vn/open/datasets/health-clinics/download/csv", pkg.Resources[0].URL)
	_, ld := fetch(t, srv.URL+"/catalog.jsonld")
	assert.Contains(t, string(ld), `"@id": "https://data.sonla.gov.vn/giay-phep"`)
	assert.Contains(t, string(ld), `"@id": "https://data.sonla.gov.vn/open/datasets/health-clinics"`)
	_, page := fetch(t, srv.URL+"/open/datasets/health-clinics")
	assert.Contains(t, string(page), "Giấy phép dữ liệu mở Việt Nam")
}
