package pages_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/pages"
	"github.com/sonla-data/kho/server/pages/opendata"
	"github.com/sonla-data/kho/server/pages/site"
)

// ckanCall calls an action of the CKAN API with GET and decodes its result.
func ckanCall(t *testing.T, base, action, query string, result any) int {
	t.Helper()
	resp, err := http.Get(base + "/api/3/action/" + action + "?" + query)
	require.NoError(t, err)
	defer resp.Body.Close()
	var env struct {
		Help    string          `json:"help"`
		Success bool            `json:"success"`
		Result  json.RawMessage `json:"result"`
		Error   map[string]any  `json:"error"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env), action)
	require.NotEmpty(t, env.Help, "%s: CKAN's envelope has help", action)
	if resp.StatusCode == http.StatusOK {
		require.True(t, env.Success, action)
		if result != nil {
			require.NoError(t, json.Unmarshal(env.Result, result), action)
		}
	} else {
		require.False(t, env.Success, action)
		require.NotEmpty(t, env.Error["__type"], action)
	}
	return resp.StatusCode
}

func fetch(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// exposed lists every dataset and column a portal serves, read through every
// way it serves them: CKAN (package_list, package_show, datastore_search),
// DCAT, the catalog and dataset pages, and the four downloads.
func exposed(t *testing.T, base string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	add := func(name, col string) { out[name] = append(out[name], col) }
	var ids []string
	ckanCall(t, base, "package_list", "", &ids)
	require.NotEmpty(t, ids)

	var search struct {
		Count   int              `json:"count"`
		Results []map[string]any `json:"results"`
	}
	ckanCall(t, base, "package_search", "rows=1000", &search)
	assert.Equal(t, len(ids), search.Count, "package_search finds what package_list lists")

	_, page := fetch(t, base+"/open")
	for _, m := range regexp.MustCompile(`data-id="([^"]+)"`).FindAllSubmatch(page, -1) {
		assert.Contains(t, ids, string(m[1]), "the catalog page shows only listed datasets")
	}
	_, ld := fetch(t, base+"/catalog.jsonld")
	for _, m := range regexp.MustCompile(`"dct:identifier": \{\s*"@value": "([^"]+)"`).FindAllSubmatch(ld, -1) {
		if _, ok := out[string(m[1])]; !ok {
			out[string(m[1])] = nil
		}
	}

	for _, id := range ids {
		var pkg struct {
			Name      string `json:"name"`
			Extras    []struct{ Key, Value string }
			Resources []struct {
				ID     string `json:"id"`
				Format string `json:"format"`
				URL    string `json:"url"`
			} `json:"resources"`
		}
		require.Equal(t, 200, ckanCall(t, base, "package_show", "id="+id, &pkg))
		name := ""
		for _, e := range pkg.Extras {
			if e.Key == "lake_table" {
				name = e.Value
			}
		}
		require.NotEmpty(t, name, id)
		var ds struct {
			Fields []struct {
				ID   string `json:"id"`
				Info struct {
					Label string `json:"label"`
				} `json:"info"`
			} `json:"fields"`
		}
		require.Equal(t, 200, ckanCall(t, base, "datastore_search", "limit=1&resource_id="+id+"-csv", &ds))
		byLabel := map[string]string{} // an XLSX's headers are the columns' Vietnamese labels
		for _, f := range ds.Fields {
			if f.ID != "_id" {
				add(name, f.ID)
				byLabel[f.Info.Label] = f.ID
			}
		}
		_, dpage := fetch(t, base+"/open/datasets/"+id)
		for _, m := range regexp.MustCompile(`<td><code>([a-z0-9_]+)</code></td>`).FindAllSubmatch(dpage, -1) {
			add(name, string(m[1]))
		}
		for _, r := range pkg.Resources {
			code, body := fetch(t, r.URL)
			require.Equal(t, 200, code, r.URL)
			switch r.Format {
			case "CSV":
				require.True(t, bytes.HasPrefix(body, []byte("\ufeff")), "%s: CSV starts with a BOM", id)
				head, err := csv.NewReader(bytes.NewReader(body[3:])).Read()
				if err != io.EOF {
					require.NoError(t, err)
				}
				for _, c := range head {
					add(name, c)
				}
			case "JSON":
				var rows []map[string]any
				require.NoError(t, json.Unmarshal(body, &rows), id)
				for _, row := range rows[:min(len(rows), 3)] {
					for c := range row {
						add(name, c)
					}
				}
			case "PARQUET":
				rdr, err := file.NewParquetReader(bytes.NewReader(body))
				require.NoError(t, err, id)
				sc := rdr.MetaData().Schema
				for i := 0; i < sc.NumColumns(); i++ {
					add(name, sc.Column(i).Name())
				}
				rdr.Close()
			case "XLSX":
				f, err := excelize.OpenReader(bytes.NewReader(body))
				require.NoError(t, err, id)
				rows, err := f.Rows(f.GetSheetName(0))
				require.NoError(t, err, id)
				if rows.Next() {
					head, err := rows.Columns()
					require.NoError(t, err, id)
					for _, label := range head {
						if col, ok := byLabel[label]; ok {
							add(name, col)
						} else {
							add(name, label) // not a published column's label: the checks fail on it
						}
					}
				}
				rows.Close()
				f.Close()
			default:
				t.Errorf("%s: unexpected format %s", id, r.Format)
			}
		}
	}
	return out
}

// TestNothingButOpenData reads everything the portal serves and checks
// every dataset is classified open and no column carries a pii tag.
func TestNothingButOpenData(t *testing.T) {
	set := env.wh.Schemas
	seen := exposed(t, env.srv.URL)
	var names []string
	for name, cols := range seen {
		names = append(names, name)
		d, ok := set.Get(name)
		require.True(t, ok, "%s: the portal shows a dataset with no schema", name)
		assert.Equal(t, schemas.Open, d.Classification, "%s is exposed but classified %s", name, d.Classification)
		for _, c := range cols {
			col, ok := d.Column(c)
			if assert.True(t, ok, "%s.%s: not a column of the schema", name, c) {
				assert.Empty(t, col.PII, "%s.%s carries pii %q", name, c, col.PII)
			}
		}
	}
	sort.Strings(names)
	t.Logf("datasets the portal exposes: %s", strings.Join(names, ", "))

	// Every open dataset of the lake is there; nothing else is reachable.
	for _, d := range set.All() {
		info, err := env.wh.Deps(nil).Tables.Table(t.Context(), d.Name)
		require.NoError(t, err)
		id := strings.ReplaceAll(d.Name, ".", "-")
		_, shown := seen[d.Name]
		if d.Classification == schemas.Open && info.Exists {
			assert.True(t, shown, "%s is open and in the lake but not published", d.Name)
			continue
		}
		assert.False(t, shown, "%s (%s) is published", d.Name, d.Classification)
		assert.Equal(t, 404, ckanCall(t, env.srv.URL, "package_show", "id="+id, nil), d.Name)
		assert.Equal(t, 404, ckanCall(t, env.srv.URL, "datastore_search", "resource_id="+id+"-csv", nil), d.Name)
		for _, f := range []string{"csv", "json", "parquet", "xlsx"} {
			code, _ := fetch(t, env.srv.URL+"/open/datasets/"+id+"/download/"+f)
			assert.Equal(t, 404, code, "%s download %s", d.Name, f)
		}
		code, _ := fetch(t, env.srv.URL+"/open/datasets/"+id)
		assert.Equal(t, 404, code, d.Name)
	}
	// Quarantines and marts are not datasets of the portal.
	assert.Equal(t, 404, ckanCall(t, env.srv.URL, "package_show", "id=admin_procedures-dossiers__quarantine", nil))
	assert.Equal(t, 404, ckanCall(t, env.srv.URL, "package_show", "id=marts-dossier_kpi_monthly", nil))
}

// TestPIIColumnsNeverPublished marks the restricted health.visits open, as a
// wrong schema edit would, and checks that the portal still leaves out its
// PII columns and their values everywhere.
func TestPIIColumnsNeverPublished(t *testing.T) {
	set, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	visits, ok := set.Get("health.visits")
	require.True(t, ok)
	opened := *visits
	opened.Classification = schemas.Open
	set.Add(&opened)
	var pii []string
	for _, c := range opened.Columns {
		if c.PII != "" {
			pii = append(pii, c.Name)
		}
	}
	require.NotEmpty(t, pii)

	// The engine follows the schemas: it serves the dataset to the public,
	// masked, and the portal leaves the masked columns out too.
	serving, err := env.wh.Serve(t.Context(), env.wh.Audit, set, env.wh.Marts, engine.Options{TempDir: t.TempDir(), MaterializeRows: -1})
	require.NoError(t, err)
	defer serving.Close()
	deps := env.wh.DepsOn(serving, testTokens)
	deps.Schemas = set
	srv := httptest.NewServer(pages.New(deps, pages.Options{}))
	defer srv.Close()

	seen := exposed(t, srv.URL)
	cols, ok := seen["health.visits"]
	require.True(t, ok, "the wrongly opened dataset is published (without its PII)")
	for _, c := range pii {
		assert.NotContains(t, cols, c)
	}
	assert.Contains(t, cols, "visit_date")

	// No value of a PII column appears in any download.
	rows, err := env.wh.Engine.DB().QueryContext(t.Context(), `SELECT patient_name, citizen_id, phone FROM health.visits WHERE patient_name IS NOT NULL AND citizen_id IS NOT NULL AND phone IS NOT NULL LIMIT 50`)
	require.NoError(t, err)
	var secrets []string
	for rows.Next() {
		var a, b, c string
		require.NoError(t, rows.Scan(&a, &b, &c))
		secrets = append(secrets, a, b, c)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	require.NotEmpty(t, secrets)
	for _, f := range []string{"csv", "json"} {
		code, body := fetch(t, srv.URL+"/open/datasets/health-visits/download/"+f)
		require.Equal(t, 200, code)
		for _, s := range secrets {
			require.NotContains(t, string(body), s, "a PII value in the %s download", f)
		}
	}
	// Nor can a datastore_search filter or sort on a PII column.
	assert.Equal(t, 409, ckanCall(t, srv.URL, "datastore_search", "resource_id=health-visits&filters="+url.QueryEscape(`{"citizen_id":"`+secrets[1]+`"}`), nil))
	assert.Equal(t, 409, ckanCall(t, srv.URL, "datastore_search", `resource_id=health-visits&sort=patient_name`, nil))
	var found struct {
		Total int `json:"total"`
	}
	ckanCall(t, srv.URL, "datastore_search", "resource_id=health-visits&q="+url.QueryEscape(secrets[1]), &found)
	assert.Zero(t, found.Total, "full-text search reaches a PII column")

	// Were the portal's code to select a PII column, the engine it reads
	// through would still hand the public masked values only.
	var got []string
	err = deps.Query.Scan(t.Context(), site.Statement{Reader: opendata.Reader, SQL: `SELECT patient_name, citizen_id, phone FROM health.visits`},
		func(_, _ []string) error { return nil }, func(vals []any) error {
			for _, v := range vals {
				if s, ok := v.(string); ok {
					got = append(got, s)
				}
			}
			return nil
		})
	require.NoError(t, err)
	require.NotEmpty(t, got)
	all := "\n" + strings.Join(got, "\n") + "\n"
	for _, s := range secrets {
		require.NotContains(t, all, "\n"+s+"\n", "a raw PII value read by the public through the pages' engine")
	}
}
