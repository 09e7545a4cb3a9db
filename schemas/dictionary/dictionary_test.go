package dictionary

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/sonla-data/kho/schemas"
)

func TestWrite(t *testing.T) {
	set, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	dir := t.TempDir()
	feeds := map[string][]Feed{"health.visits": {{Name: "health_visits", Description: "Lượt khám", Source: "sqlite", Schedule: "0 2 * * *", Mode: "merge"}}}
	readers := map[string][]string{"health.visits": {"marts.sector_health"}}
	require.NoError(t, Write(dir, set, feeds, readers))

	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	require.NoError(t, err)
	links := parseLinks(t, string(index))
	assert.Len(t, links, len(set.All()), "the index links every dataset")
	for _, ds := range set.All() {
		assert.Contains(t, links, Page(ds.Name))
		assert.Contains(t, string(index), ds.Label)
		b, err := os.ReadFile(filepath.Join(dir, Page(ds.Name)))
		require.NoError(t, err, ds.Name)
		page := string(b)
		_, err = html.Parse(strings.NewReader(page))
		require.NoError(t, err)
		for _, want := range []string{ds.Label, ds.LabelEN, ds.Owner, Classifications[ds.Classification][0]} {
			assert.Contains(t, page, esc(want), ds.Name)
		}
		for _, c := range ds.Columns {
			assert.Contains(t, page, "<code>"+c.Name+"</code>", ds.Name)
		}
	}
	visits, _ := os.ReadFile(filepath.Join(dir, "health.visits.html"))
	for _, want := range []string{"health_visits", "marts.sector_health", "cccd", "month(visit_date)", "Hạn chế / restricted"} {
		assert.Contains(t, string(visits), want)
	}
}

// esc escapes text as html/template does, for the checks above.
func esc(s string) string { return html.EscapeString(s) }

func parseLinks(t *testing.T, page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					out = append(out, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}
