package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testlake"
	"github.com/sonla-data/kho/warehouse/lake"
)

// TestBrokenTableDoesNotStopServing truncates one table's current metadata
// file, as a full disk or a bad copy would, and starts the serving engine:
// it serves every other table, names the broken one in Unserved, and
// /readyz says the server is degraded without naming the table.
func TestBrokenTableDoesNotStopServing(t *testing.T) {
	ctx := context.Background()
	l := testlake.Build(t)
	tbl, err := l.Lake.Load(ctx, "health.visits")
	require.NoError(t, err)
	meta := lake.LocalPath(tbl.MetadataLocation())
	require.NoError(t, os.Truncate(meta, 10))

	eng, err := engine.Open(ctx, engine.Deps{Lake: l.Lake, Schemas: l.Schemas, Marts: l.Marts}, engine.Options{TempDir: filepath.Join(t.TempDir(), "tmp")})
	require.NoError(t, err, "one broken table must not keep kho serve from starting")
	t.Cleanup(func() { eng.Close() })
	assert.Equal(t, []string{"health.visits"}, eng.Unserved())

	_, ok := eng.Object(auth.Principal{Role: auth.Admin, PII: true}, "marts.dossier_kpi_monthly")
	assert.True(t, ok, "the other tables are served")

	srv := httptest.NewServer(server.New(server.Deps{Engine: eng, Metrics: server.NewMetrics(nil)}))
	t.Cleanup(srv.Close)
	r, err := http.Get(srv.URL + "/readyz")
	require.NoError(t, err)
	defer r.Body.Close()
	assert.Equal(t, http.StatusOK, r.StatusCode)
	var body map[string]any
	require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
	assert.Equal(t, "degraded", body["status"])
	assert.EqualValues(t, 1, body["tables_not_served"])
	assert.NotContains(t, body, "tables", "an anonymous probe is not told which tables")
}
