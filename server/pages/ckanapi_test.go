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

	"github.com/sonla-data/kho/server/pages/opendata"
)

// ckanapiPython is the Python of the venv that `make test-deps` makes with
// testdata/ckanapi/requirements.txt.
func ckanapiPython(t *testing.T) string {
	home, err := os.UserHomeDir()
	require.NoError(t, err)
	py := filepath.Join(home, ".cache", "kho-ckanapi", "venv", "bin", "python")
	_, err = os.Stat(py)
	needTool(t, err == nil, "ckanapi is not installed: run make test-deps (a venv under ~/.cache/kho-ckanapi with testdata/ckanapi/requirements.txt)")
	return py
}

// TestCKANAPIHarvest walks the whole catalog with ckanapi as a harvester
// does (organization_list, package_search paged per organisation,
// package_show, resource_show, datastore_search paged to the end by
// _links.next) and checks it finds every published dataset once, under its
// organisation, and every row of every table, each _id once.
func TestCKANAPIHarvest(t *testing.T) {
	py := ckanapiPython(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "walk.py", env.srv.URL)
	cmd.Dir = filepath.Join("testdata", "ckanapi")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	require.NoError(t, err, "the ckanapi walk failed")

	var walk struct {
		Status struct {
			CKANVersion string `json:"ckan_version"`
		} `json:"status"`
		Organizations map[string]struct {
			Count int      `json:"count"`
			Names []string `json:"names"`
		} `json:"organizations"`
		Datasets map[string]struct {
			Organization     string   `json:"organization"`
			OrgCount         int      `json:"org_count"`
			Resources        []string `json:"resources"`
			ResourceShowSame bool     `json:"resource_show_same"`
			Rows             int64    `json:"rows"`
			Total            int64    `json:"total"`
			Pages            int      `json:"pages"`
			IDs              int64    `json:"ids"`
			MinID            int64    `json:"min_id"`
			MaxID            int64    `json:"max_id"`
		} `json:"datasets"`
	}
	require.NoError(t, json.Unmarshal(out, &walk), "%s", out)
	assert.Equal(t, "2.10.4", walk.Status.CKANVersion)

	// The organisations and their datasets, from the schemas and the lake.
	want := map[string][]string{}
	for _, id := range publishedIDs(t) {
		s, ok := env.wh.Schemas.Get(strings.Replace(id, "-", ".", 1))
		require.True(t, ok)
		org := opendata.Slug(s.Owner)
		want[org] = append(want[org], id)
	}
	require.Len(t, walk.Organizations, len(want))
	var found []string
	for org, ids := range want {
		got := walk.Organizations[org]
		assert.Equal(t, len(ids), got.Count, org)
		assert.Equal(t, ids, got.Names, "%s: package_search paged by 2, sorted by name", org)
		found = append(found, got.Names...)
	}
	sort.Strings(found)
	assert.Equal(t, publishedIDs(t), found, "every published dataset, once")

	db := env.wh.Engine.DB()
	var rowsTotal int64
	for org, ids := range want {
		for _, id := range ids {
			d := walk.Datasets[id]
			assert.Equal(t, org, d.Organization, id)
			assert.Equal(t, len(ids), d.OrgCount, "%s: package_show's organisation counts its datasets", id)
			assert.Equal(t, []string{"CSV", "JSON", "PARQUET", "XLSX"}, d.Resources, id)
			assert.True(t, d.ResourceShowSame, "%s: resource_show gives what package_show lists", id)
			var n int64
			require.NoError(t, db.QueryRowContext(t.Context(), "SELECT count(*) FROM "+strings.Replace(id, "-", ".", 1)).Scan(&n))
			assert.Equal(t, n, d.Rows, "%s: the walk read every row", id)
			assert.Equal(t, n, d.Total, id)
			assert.Equal(t, n, d.IDs, "%s: each _id once", id)
			if n > 0 {
				assert.EqualValues(t, 1, d.MinID, id)
				assert.Equal(t, n, d.MaxID, id)
			}
			assert.Equal(t, int(n/1000)+1+min(1, int(n%1000)), d.Pages, "%s: pages of 1000 then an empty one", id)
			rowsTotal += n
		}
	}
	t.Logf("ckanapi walked %d organisations, %d datasets, %d rows", len(want), len(found), rowsTotal)
}
