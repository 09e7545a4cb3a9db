package pages_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/schemas"
)

// needTool fails (in CI, KHO_TEST_REQUIRE_SERVICES=1) or skips, saying why.
func needTool(t *testing.T, ok bool, why string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("KHO_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatal(why)
	}
	t.Skip(why + " (skipped: KHO_TEST_REQUIRE_SERVICES is not 1)")
}

// publishedIDs are the datasets the portal must list, worked out from the
// schemas and the lake, not from the portal.
func publishedIDs(t *testing.T) []string {
	var ids []string
	for _, d := range env.wh.Schemas.All() {
		if d.Classification != schemas.Open {
			continue
		}
		if ok, err := env.wh.Lake.Exists(t.Context(), d.Name); err == nil && ok {
			ids = append(ids, strings.ReplaceAll(d.Name, ".", "-"))
		}
	}
	sort.Strings(ids)
	return ids
}

// TestCKANClient drives the portal's action API with ckan.js, the Open
// Knowledge Foundation's CKAN client from npm, and checks what it got
// against the lake.
func TestCKANClient(t *testing.T) {
	node, err := exec.LookPath("node")
	needTool(t, err == nil, "node is not installed")
	dir, _ := filepath.Abs(filepath.Join("testdata", "ckanjs"))
	_, err = os.Stat(filepath.Join(dir, "node_modules", "ckan", "ckan.js"))
	needTool(t, err == nil, "the CKAN client is not installed: run npm ci in server/pages/testdata/ckanjs (.ci/run does)")

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "client.js", env.srv.URL)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	require.NoError(t, err, "ckan.js failed")

	type envelope[T any] struct {
		Help    string `json:"help"`
		Success bool   `json:"success"`
		Result  T      `json:"result"`
	}
	type record = map[string]any
	var got struct {
		PackageList envelope[[]string] `json:"package_list"`
		PackageShow envelope[struct {
			Name         string `json:"name"`
			Title        string `json:"title"`
			LicenseID    string `json:"license_id"`
			Organization struct {
				Title string `json:"title"`
			} `json:"organization"`
			Resources []struct {
				ID, Format, URL string
				DatastoreActive bool `json:"datastore_active"`
			} `json:"resources"`
		}] `json:"package_show"`
		DatastoreSearch envelope[struct {
			Total   int64 `json:"total"`
			Fields  []struct{ ID, Type string }
			Records []record `json:"records"`
		}] `json:"datastore_search"`
		DatastoreFiltered envelope[struct {
			Total   int64    `json:"total"`
			Records []record `json:"records"`
		}] `json:"datastore_filtered"`
		DatastoreQuery struct {
			Total int64    `json:"total"`
			Hits  []record `json:"hits"`
		} `json:"datastore_query"`
		PackageSearch envelope[struct {
			Count   int `json:"count"`
			Results []struct{ Name string }
		}] `json:"package_search"`
		OrganizationList envelope[[]struct {
			Name         string `json:"name"`
			PackageCount int    `json:"package_count"`
		}] `json:"organization_list"`
		Missing struct {
			Err  string         `json:"err"`
			Body map[string]any `json:"body"`
		} `json:"missing"`
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)

	assert.True(t, got.PackageList.Success)
	assert.Equal(t, publishedIDs(t), got.PackageList.Result, "package_list")

	clinics, ok := env.wh.Schemas.Get("health.clinics")
	require.True(t, ok)
	p := got.PackageShow.Result
	assert.Equal(t, "health-clinics", p.Name)
	assert.Equal(t, clinics.Label, p.Title)
	assert.Equal(t, clinics.Owner, p.Organization.Title)
	assert.Equal(t, "cc-by-4.0", p.LicenseID)
	require.Len(t, p.Resources, 4, "CSV, JSON, Parquet, XLSX")

	db := env.wh.Engine.DB()
	var total, stations int64
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT count(*), count(*) FILTER (WHERE clinic_type = 'Trạm y tế') FROM health.clinics`).Scan(&total, &stations))
	require.Positive(t, stations)
	ds := got.DatastoreSearch.Result
	assert.Equal(t, total, ds.Total, "datastore_search total = rows of health.clinics")
	require.Len(t, ds.Records, 5)
	rows, err := db.QueryContext(t.Context(), `SELECT clinic_id, clinic_name, beds FROM health.clinics ORDER BY clinic_id LIMIT 5 OFFSET 2`)
	require.NoError(t, err)
	for i := 0; rows.Next(); i++ {
		var id, name string
		var beds *int64
		require.NoError(t, rows.Scan(&id, &name, &beds))
		assert.Equal(t, id, ds.Records[i]["clinic_id"], "record %d", i)
		assert.Equal(t, name, ds.Records[i]["clinic_name"], "record %d", i)
		if beds != nil {
			assert.EqualValues(t, *beds, ds.Records[i]["beds"], "record %d", i)
		}
		assert.EqualValues(t, 3+i, ds.Records[i]["_id"])
	}
	require.NoError(t, rows.Err())
	rows.Close()
	types := map[string]string{}
	for _, f := range ds.Fields {
		types[f.ID] = f.Type
	}
	assert.Equal(t, map[string]string{"_id": "int", "clinic_id": "text", "clinic_name": "text", "clinic_type": "text",
		"commune_code": "text", "beds": "int", "updated_at": "timestamp"}, types)

	assert.Equal(t, stations, got.DatastoreFiltered.Result.Total, "filters")
	assert.Len(t, got.DatastoreFiltered.Result.Records, int(stations))
	for _, r := range got.DatastoreFiltered.Result.Records {
		assert.Equal(t, "Trạm y tế", r["clinic_type"])
	}
	assert.Equal(t, total, got.DatastoreQuery.Total)
	assert.Len(t, got.DatastoreQuery.Hits, 3)

	var names []string
	for _, r := range got.PackageSearch.Result.Results {
		names = append(names, r.Name)
	}
	assert.Contains(t, names, "health-clinics", "package_search q=y tế")
	assert.Equal(t, got.PackageSearch.Result.Count, len(names))
	sum := 0
	for _, o := range got.OrganizationList.Result {
		sum += o.PackageCount
	}
	assert.Equal(t, len(got.PackageList.Result), sum, "organization_list package counts")
	assert.Contains(t, got.Missing.Err, "404")
	assert.Equal(t, false, got.Missing.Body["success"])
}
