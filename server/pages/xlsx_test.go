package pages_test

import (
	"bytes"
	"html"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	xhtml "golang.org/x/net/html"
)

// pageTable reads a table view of a page: its header cells' texts and its
// rows' cells (text and data-value).
type pageCell struct{ Text, Value string }

func pageTable(t *testing.T, page, id string) (cols []string, rows [][]pageCell) {
	t.Helper()
	doc, err := xhtml.Parse(strings.NewReader(page))
	require.NoError(t, err)
	var find func(n *xhtml.Node) *xhtml.Node
	find = func(n *xhtml.Node) *xhtml.Node {
		if n.Type == xhtml.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "id" && a.Val == id {
					return n
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if f := find(c); f != nil {
				return f
			}
		}
		return nil
	}
	root := find(doc)
	require.NotNil(t, root, "no table %s on the page", id)
	text := func(n *xhtml.Node) string {
		var b strings.Builder
		var walk func(*xhtml.Node)
		walk = func(n *xhtml.Node) {
			if n.Type == xhtml.TextNode {
				b.WriteString(n.Data)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(n)
		return b.String()
	}
	var walk func(n *xhtml.Node, inBody bool)
	walk = func(n *xhtml.Node, inBody bool) {
		if n.Type == xhtml.ElementNode {
			switch n.Data {
			case "tbody":
				inBody = true
			case "tr":
				if inBody {
					var row []pageCell
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						if c.Type == xhtml.ElementNode && (c.Data == "td" || c.Data == "th") {
							pc := pageCell{Text: text(c)}
							for _, a := range c.Attr {
								if a.Key == "data-value" {
									pc.Value = a.Val
								}
							}
							row = append(row, pc)
						}
					}
					rows = append(rows, row)
					return
				}
			case "th":
				if !inBody {
					cols = append(cols, text(n))
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inBody)
		}
	}
	walk(root, false)
	return cols, rows
}

func fetchBytes(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, env.srv.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+leaderToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, body)
	return resp, body
}

var agoRe = regexp.MustCompile(`\s*\([^()]*\)$`)

// exactOf is a figure's exact value as a number: "n/d" divided.
func exactOf(t *testing.T, v string) float64 {
	if n, d, ok := strings.Cut(v, "/"); ok {
		x, err := strconv.ParseFloat(n, 64)
		require.NoError(t, err)
		y, err := strconv.ParseFloat(d, 64)
		require.NoError(t, err)
		return x / y
	}
	x, err := strconv.ParseFloat(v, 64)
	require.NoError(t, err, v)
	return x
}

// TestXLSXExports follows every table's export link of the dashboard (an
// agency's and a commune's views too) and of a mart's page, opens each
// workbook with excelize and checks it against the table on the page:
// the same Vietnamese headers (with the codes' column), the same rows,
// every figure a number equal to its exact value (a rate a percentage),
// and codes as text with their leading zeros.
func TestXLSXExports(t *testing.T) {
	ctx := t.Context()
	var agency string
	require.NoError(t, env.wh.Engine.DB().QueryRowContext(ctx, `SELECT agency_code FROM reference.agencies WHERE agency_name = 'Sở Y tế'`).Scan(&agency))
	links := regexp.MustCompile(`<a class="xlsx" id="xlsx-([^"]+)" href="([^"]+)"`)
	tables := 0
	zeroCodes := 0
	for _, view := range []string{"/?kpi=on_time&order=worst", "/?agency=" + agency} {
		page := fetchPage(t, view, "vi")
		found := links.FindAllStringSubmatch(page, -1)
		require.Greater(t, len(found), 12, "%s: an export per table (3 KPI blocks, the index, 9 sectors, freshness)", view)
		require.Equal(t, strings.Count(page, `<table`), len(found)+0, "%s: every table has its export", view)
		for _, m := range found {
			id, href := m[1], html.UnescapeString(m[2])
			tableID := "table-" + id
			if id == "freshness" {
				tableID = "fresh-table"
			}
			cols, rows := pageTable(t, page, tableID)
			resp, body := fetchBytes(t, href)
			require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", resp.Header.Get("Content-Type"), href)
			require.Contains(t, resp.Header.Get("Content-Disposition"), ".xlsx", href)
			f, err := excelize.OpenReader(bytes.NewReader(body))
			require.NoError(t, err, href)
			sheet := f.GetSheetName(0)
			got, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			require.NoError(t, err)
			require.NotEmpty(t, got, href)
			header := got[0]
			offset := len(header) - len(cols)
			require.Contains(t, []int{0, 1}, offset, "%s: %v against the page's %v", href, header, cols)
			require.Equal(t, cols, header[offset:], "%s: the page's headers", href)
			if offset == 1 {
				require.Contains(t, []string{"Mã cơ quan", "Mã xã"}, header[0], href)
			}
			require.Len(t, got, len(rows)+1, "%s: the page's rows", href)
			for i, row := range rows {
				if offset == 1 {
					ref, _ := excelize.CoordinatesToCellName(1, i+2)
					typ, err := f.GetCellType(sheet, ref)
					require.NoError(t, err)
					assert.Contains(t, []excelize.CellType{excelize.CellTypeSharedString, excelize.CellTypeInlineString}, typ, "%s %s: a code is text", href, ref)
					if strings.HasPrefix(got[i+1][0], "0") {
						zeroCodes++
					}
				}
				for j, c := range row {
					ref, _ := excelize.CoordinatesToCellName(j+1+offset, i+2)
					raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
					require.NoError(t, err)
					if c.Value == "" || c.Value == "met" || c.Value == "not_met" {
						if c.Text != "–" {
							want := strings.TrimSpace(c.Text)
							if id == "freshness" && j == 4 { // its last update: the page adds how long ago, which the workbook, kept, would soon get wrong
								want = agoRe.ReplaceAllString(want, "")
							}
							assert.Equal(t, want, raw, "%s %s", href, ref)
						}
						continue
					}
					typ, err := f.GetCellType(sheet, ref)
					require.NoError(t, err)
					assert.Contains(t, []excelize.CellType{excelize.CellTypeNumber, excelize.CellTypeUnset}, typ, "%s %s: a figure is a number", href, ref)
					x, err := strconv.ParseFloat(raw, 64)
					require.NoError(t, err, "%s %s: %q", href, ref, raw)
					want := exactOf(t, c.Value)
					assert.InDelta(t, want, x, 1e-12*math.Max(1, math.Abs(want)), "%s %s: %s", href, ref, c.Value)
					if strings.HasSuffix(c.Text, "%") {
						style, err := f.GetCellStyle(sheet, ref)
						require.NoError(t, err)
						st, err := f.GetStyle(style)
						require.NoError(t, err)
						require.NotNil(t, st.CustomNumFmt, "%s %s", href, ref)
						assert.Equal(t, "0.0%", *st.CustomNumFmt, "%s %s: a rate is a percentage", href, ref)
					}
				}
			}
			f.Close()
			tables++
		}
	}
	assert.Greater(t, zeroCodes, 0, "commune codes keep their leading zero")

	// A mart's page: the whole mart, typed.
	page := fetchPage(t, "/marts/dossier_kpi_commune_monthly", "vi")
	require.Contains(t, page, `href="/marts/dossier_kpi_commune_monthly/xlsx"`)
	_, body := fetchBytes(t, "/marts/dossier_kpi_commune_monthly/xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(body))
	require.NoError(t, err)
	defer f.Close()
	got, err := f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	var n int
	var sum float64
	require.NoError(t, env.wh.Engine.DB().QueryRowContext(ctx, `SELECT count(*), sum(received) FROM marts.dossier_kpi_commune_monthly`).Scan(&n, &sum))
	require.Len(t, got, n+1)
	require.Equal(t, "Mã xã", got[0][0], "Vietnamese headers")
	col := -1
	for i, h := range got[0] {
		if h == "received" {
			col = i
		}
	}
	require.GreaterOrEqual(t, col, 0, got[0])
	var total float64
	for _, r := range got[1:] {
		x, err := strconv.ParseFloat(r[col], 64)
		require.NoError(t, err)
		total += x
		require.Len(t, r[0], 5, "a commune code, as text")
	}
	require.InDelta(t, sum, total, 1e-6*sum, "the mart's dossiers received, summed in the workbook")
	t.Logf("%d dashboard tables exported and checked, and a mart of %d rows", tables, n)
}
