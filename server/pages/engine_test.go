package pages_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/security/sandbox"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/pages"
	"github.com/sonla-data/kho/server/pages/opendata"
	"github.com/sonla-data/kho/server/pages/site"
)

// servedPages are the pages over a serving engine of their own, with an
// audit log of their own and a row limit of maxRows.
func servedPages(t *testing.T, maxRows int64) (*httptest.Server, *site.Deps, *audit.Log) {
	t.Helper()
	log, err := audit.Open(t.Context(), filepath.Join(t.TempDir(), "audit.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { log.Close() })
	e, err := env.wh.Serve(t.Context(), log, nil, env.wh.Marts, engine.Options{MaxRows: maxRows, TempDir: t.TempDir(), MaterializeRows: -1})
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	deps := env.wh.DepsOn(e, testTokens)
	srv := httptest.NewServer(pages.New(deps, pages.Options{}))
	t.Cleanup(srv.Close)
	return srv, deps, log
}

// TestPagesReadThroughTheEngine: the portal, its CKAN API, the downloads and
// the dashboard run their statements on the serving engine, as their reader
// (the anonymous public; the signed-in token), audited with the client's
// address; a download streams every row of the dataset past the engine's
// row limit, in every format.
func TestPagesReadThroughTheEngine(t *testing.T) {
	const limit = 10_000 // above what a dashboard statement reads, below the largest open dataset
	srv, _, log := servedPages(t, limit)
	// The open dataset with the most rows; it must have more than the limit.
	var big *engine.Object
	for _, o := range env.wh.Serving.Objects(auth.Anonymous()) {
		if s, ok := env.wh.Schemas.Get(o.Name); ok && opendata.Publishable(s) && (big == nil || o.Rows > big.Rows) {
			big = o
		}
	}
	require.NotNil(t, big)
	require.Greater(t, big.Rows, int64(limit), "%s is smaller than the row limit", big.Name)
	id := opendata.IDOf(big.Name)

	status, _ := fetch(t, srv.URL+"/open/datasets/"+id)
	require.Equal(t, 200, status)
	var res struct {
		Total int64 `json:"total"`
	}
	require.Equal(t, 200, ckanCall(t, srv.URL, "datastore_search", "resource_id="+id+"-csv&limit=5", &res))
	assert.Equal(t, big.Rows, res.Total)

	status, b := fetch(t, srv.URL+"/open/datasets/"+id+"/download/csv")
	require.Equal(t, 200, status)
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	require.NoError(t, err)
	assert.EqualValues(t, big.Rows, len(recs)-1, "the CSV download holds every row")
	status, b = fetch(t, srv.URL+"/open/datasets/"+id+"/download/json")
	require.Equal(t, 200, status)
	var objs []map[string]any
	require.NoError(t, json.Unmarshal(b, &objs))
	assert.EqualValues(t, big.Rows, len(objs), "the JSON download holds every row")
	status, b = fetch(t, srv.URL+"/open/datasets/"+id+"/download/parquet")
	require.Equal(t, 200, status)
	pf, err := file.NewParquetReader(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, big.Rows, pf.NumRows(), "the Parquet download holds every row")

	// The dashboard: its default view, one agency, one commune, every
	// mart's page; each of their statements must pass the sandbox.
	var agency, commune string
	require.NoError(t, env.wh.Engine.DB().QueryRowContext(t.Context(),
		`SELECT (SELECT min(agency_code) FROM marts.dossier_kpi_monthly), (SELECT min(commune_code) FROM marts.dossier_kpi_commune_monthly)`).Scan(&agency, &commune))
	paths := []string{"/", "/?agency=" + agency, "/?commune=" + commune, "/marts/"}
	for _, m := range env.wh.Marts {
		paths = append(paths, "/marts/"+m.Name)
	}
	for _, path := range paths {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+leaderToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode, path)
	}

	require.NoError(t, log.Flush(t.Context()))
	es, err := log.Entries(t.Context(), audit.Filter{Limit: 10000})
	require.NoError(t, err)
	var page, downloads, dashboard int
	var maxDash int64
	for _, e := range es {
		assert.Equal(t, audit.OK, e.Outcome, "%+v", e)
		assert.Equal(t, "http", e.Source)
		assert.True(t, strings.HasPrefix(e.Remote, "127.0.0.1:"), "the client's address: %q", e.Remote)
		switch {
		case e.Role == "public" && e.Action == "download":
			downloads++
			assert.Equal(t, big.Name, e.Object)
			assert.Equal(t, big.Rows, e.Rows)
			assert.False(t, e.Truncated)
		case e.Role == "public" && e.Action == "page":
			page++
			assert.Equal(t, big.Name, e.Object)
		case e.Role == "dashboard" && e.Name == "lanh-dao-tinh" && e.Action == "page":
			dashboard++
			maxDash = max(maxDash, e.Rows)
			assert.False(t, e.Truncated, "a dashboard statement cut at the row limit: %s", e.SQL)
		default:
			t.Errorf("an entry of no page: %+v", e)
		}
	}
	assert.Equal(t, 3, downloads, "one entry per download")
	assert.GreaterOrEqual(t, page, 3, "the dataset page's and datastore_search's statements")
	assert.Greater(t, dashboard, len(env.wh.Marts), "the dashboard's statements")
	t.Logf("%d statements of the dashboard, the largest %d rows; %d download rows of %s", dashboard, maxDash, big.Rows, big.Name)
}

// TestPageStatementsAreChecked: a page's statement is checked by the
// sandbox with its reader's policy like a user's, with no way around it: the
// portal's reader (the public) asking for a restricted dataset's rows, or a
// download of it, is refused and audited, and gets no row; a public reader
// cannot read a mart through the dashboard's reads.
func TestPageStatementsAreChecked(t *testing.T) {
	_, deps, log := servedPages(t, 0)
	cat := opendata.New(deps, opendata.Options{})
	s, ok := env.wh.Schemas.Get("health.visits")
	require.True(t, ok)
	require.Equal(t, "restricted", s.Classification)
	// A dataset value the portal would never build: the check must not
	// depend on it.
	d := &opendata.Dataset{Schema: s, ID: "health-visits", Name: s.Name, Columns: s.Columns}
	_, err := cat.Rows(t.Context(), d, opendata.RowQuery{Limit: 5})
	var refusal *sandbox.Refusal
	require.ErrorAs(t, err, &refusal, "reading a restricted dataset as the public")
	var out bytes.Buffer
	err = cat.Write(t.Context(), &out, d, "csv", opendata.WriteOptions{})
	require.ErrorAs(t, err, &refusal, "downloading a restricted dataset as the public")
	assert.Equal(t, 1, strings.Count(out.String(), "\n"), "the header, and no row")
	err = cat.Write(t.Context(), &out, d, "parquet", opendata.WriteOptions{})
	require.ErrorAs(t, err, &refusal)

	err = deps.Query.Scan(t.Context(), site.Statement{Reader: auth.Anonymous(), SQL: "SELECT * FROM marts.dossier_kpi_province_monthly"},
		func(_, _ []string) error { return nil }, func([]any) error { return errors.New("a row") })
	require.ErrorAs(t, err, &refusal, "a mart as the public")

	require.NoError(t, log.Flush(t.Context()))
	es, err := log.Entries(t.Context(), audit.Filter{Outcome: audit.Refused})
	require.NoError(t, err)
	assert.Len(t, es, 4, "every refusal is audited")
	for _, e := range es {
		assert.Equal(t, "public", e.Role)
	}
}

// TestNoDuckDBOfTheirOwn: nothing the pages serve opens or reads a database
// but through the serving engine (site.Querier): no package of the pages,
// nor kho serve's wiring of them, imports a SQL driver, database/sql or the
// lake's own DuckDB (warehouse/query). testlake builds the lake for the tests
// and is left out.
func TestNoDuckDBOfTheirOwn(t *testing.T) {
	forbidden := []string{"database/sql", "github.com/duckdb/duckdb-go/v2", "github.com/sonla-data/kho/warehouse/query"}
	files := []string{"../../cmd/kho/serve_pages.go"}
	require.NoError(t, filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == "testdata" || d.Name() == "testlake"):
			return filepath.SkipDir
		case !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			files = append(files, path)
		}
		return nil
	}))
	require.Greater(t, len(files), 20)
	for _, path := range files {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			assert.NotContains(t, forbidden, p, "%s reads the lake outside the serving engine", path)
		}
	}
}
