package pages_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/sonla-data/kho/server/pages/opendata"
	"github.com/sonla-data/kho/server/pages/site"
)

// englishCatalogue is every English string the pages may show beside its
// Vietnamese one: the site's messages, the marts' English labels,
// descriptions (whole and sentence by sentence) and column labels, the
// schemas' English labels and descriptions and their columns' English
// labels, the pipelines' schedules in English words and the licence. An
// English string that reads the same in Vietnamese (CSV, JSON, SQL, CKAN
// API…) is left out.
func englishCatalogue(t *testing.T) []string {
	t.Helper()
	type pair struct{ vi, en string }
	var pairs []pair
	for _, m := range site.Messages() {
		pairs = append(pairs, pair{m[0], m[1]})
	}
	sentences := func(vi, en string) {
		pairs = append(pairs, pair{vi, en})
		for _, s := range regexp.MustCompile(`[.;:]\s+|\s+\(|\)`).Split(en, -1) {
			if s = strings.TrimSpace(strings.TrimSuffix(s, ".")); len(strings.Fields(s)) >= 3 {
				pairs = append(pairs, pair{vi, s})
			}
		}
	}
	for _, m := range env.wh.Marts {
		pairs = append(pairs, pair{m.Label, m.LabelEN})
		sentences(m.DescriptionVI, m.Description)
		for _, c := range m.Columns {
			pairs = append(pairs, pair{c.Label, c.LabelEN})
		}
	}
	for _, d := range env.wh.Schemas.All() {
		pairs = append(pairs, pair{d.Label, d.LabelEN})
		sentences(d.DescriptionVI, d.Description)
		for _, c := range d.Columns {
			pairs = append(pairs, pair{c.Label, c.LabelEN})
		}
	}
	for _, p := range env.wh.Pipelines {
		vi, _ := site.VI.Schedule(p.Schedule)
		en, _ := site.EN.Schedule(p.Schedule)
		pairs = append(pairs, pair{vi, en})
	}
	pairs = append(pairs, pair{opendata.DefaultLicence.Title, opendata.DefaultLicence.TitleEN})
	var vi strings.Builder
	for _, p := range pairs {
		vi.WriteString(p.vi + "\n")
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range pairs {
		en := strings.TrimSpace(p.en)
		if en == "" || seen[en] || !regexp.MustCompile(`[A-Za-z]{2}`).MatchString(en) || strings.Contains(vi.String(), en) {
			continue
		}
		seen[en] = true
		out = append(out, en)
	}
	sort.Strings(out)
	return out
}

// shownText is what a reader sees of a page, and hears of it: its text and
// the attributes that label things (title, aria-label, placeholder, alt,
// an optgroup's label, a tooltip's data-tip), not code (<code>, <pre>), the
// script and style, nor the data shown as they are (translate="no": the
// previews' cells, where a column such as name_en holds English).
func shownText(t *testing.T, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "code", "pre", "script", "style":
				return
			}
			for _, a := range n.Attr {
				if a.Key == "translate" && a.Val == "no" {
					return
				}
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "title", "aria-label", "placeholder", "alt", "label", "data-tip":
					out = append(out, a.Val)
				}
			}
		}
		if n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" {
			out = append(out, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// englishOn lists the catalogue's strings found on a page, as words (not
// inside a longer word), case as written.
func englishOn(texts []string, catalogue []string, res map[string]*regexp.Regexp) []string {
	var found []string
	for _, en := range catalogue {
		re := res[en]
		for _, s := range texts {
			if re.MatchString(s) {
				found = append(found, en+" ← "+strings.TrimSpace(s))
				break
			}
		}
	}
	return found
}

// vietnamesePages are the pages a Vietnamese reader sees: the login, the
// dashboard (province, an agency, a commune, another indicator), every
// mart's page, the portal's list, a search and every dataset's page.
func vietnamesePages(t *testing.T) []string {
	ctx := t.Context()
	db := env.wh.Engine.DB()
	var agency, commune string
	require.NoError(t, db.QueryRowContext(ctx, `SELECT agency_code FROM marts.dossier_kpi_monthly GROUP BY 1 ORDER BY sum(received) DESC LIMIT 1`).Scan(&agency))
	require.NoError(t, db.QueryRowContext(ctx, `SELECT commune_code FROM marts.dossier_kpi_commune_monthly GROUP BY 1 ORDER BY sum(received) DESC LIMIT 1`).Scan(&commune))
	paths := []string{"/login", "/", "/?agency=" + agency, "/?commune=" + commune, "/?kpi=on_time", "/marts/", "/open", "/open?q=y+te"}
	for _, m := range env.wh.Marts {
		paths = append(paths, "/marts/"+m.Name)
	}
	for _, id := range publishedIDs(t) {
		paths = append(paths, "/open/datasets/"+id)
	}
	return paths
}

func fetchPage(t *testing.T, path, lang string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, env.srv.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+leaderToken)
	req.AddCookie(&http.Cookie{Name: site.LangCookie, Value: lang})
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, body)
	return string(body)
}

// TestNoEnglishOnVietnamesePages: no string of the English catalogue is
// shown on a Vietnamese page, every mart and dataset page included; the
// same check finds the English catalogue on the English pages (so it would
// see English where it slipped in).
func TestNoEnglishOnVietnamesePages(t *testing.T) {
	catalogue := englishCatalogue(t)
	require.Greater(t, len(catalogue), 300, "the catalogue holds the pages' English words")
	for _, want := range []string{"Crop area (ha)", "Visits", "Girls", "Data-development index score", "daily at 02:00", "Dossiers digitised"} {
		require.Contains(t, catalogue, want)
	}
	res := map[string]*regexp.Regexp{}
	for _, en := range catalogue {
		res[en] = regexp.MustCompile(`(^|[^\p{L}\p{N}_])` + regexp.QuoteMeta(en) + `($|[^\p{L}\p{N}_])`)
	}
	enHits, viHits := 0, 0
	for _, path := range vietnamesePages(t) {
		vi := englishOn(shownText(t, fetchPage(t, path, "vi")), catalogue, res)
		assert.Empty(t, vi, "English on the Vietnamese page %s", path)
		viHits += len(vi)
		en := englishOn(shownText(t, fetchPage(t, path, "en")), catalogue, res)
		assert.NotEmpty(t, en, "the check finds the English catalogue on the English page %s", path)
		enHits += len(en)
	}
	t.Logf("%d English strings in the catalogue; %d found on the English pages, %d on the Vietnamese ones", len(catalogue), enHits, viHits)
}

// TestTemplateMessagesExist: every message a template asks for by name
// exists (an unknown key would be shown as itself, in English-like words).
func TestTemplateMessagesExist(t *testing.T) {
	msgs := site.Messages()
	files, err := filepath.Glob("*/templates/*.html")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	re := regexp.MustCompile(`\.T "([a-z_0-9]+)"`)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n++
			_, ok := msgs[m[1]]
			assert.True(t, ok, "%s asks for the message %q, which does not exist", f, m[1])
		}
	}
	require.Greater(t, n, 50)
}
