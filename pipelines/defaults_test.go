package pipelines_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
)

func TestFolderDefaults(t *testing.T) {
	set, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	ps, err := pipelines.Loader{Registry: connectors.Default, BaseDir: "."}.LoadDir("testdata/defaults")
	require.NoError(t, err)
	require.Len(t, ps, 2, "_defaults.yaml is not a pipeline")
	by := map[string]*pipelines.Pipeline{}
	for _, p := range ps {
		require.NoError(t, pipelines.Validate(p, set, ps))
		by[p.Name] = p
	}
	a, b := by["uses_defaults"], by["overrides_defaults"]
	require.NotNil(t, a)
	require.NotNil(t, b)
	assert.Equal(t, "0 3 * * *", a.Schedule)
	assert.Equal(t, pipelines.OnErrorFail, a.OnError)
	assert.Equal(t, pipelines.DriftFreeze, a.SchemaDrift)
	assert.Equal(t, pipelines.Duration(26*time.Hour), a.Freshness)
	assert.Equal(t, 5, *a.Retries)
	assert.Equal(t, "merge", a.Target.Mode)
	assert.Equal(t, []string{"report_id"}, a.Target.Key, "merge takes the dataset's key")
	assert.Equal(t, map[string][]string{"Mã báo cáo": {"trim"}}, a.Transforms)
	assert.Contains(t, yamlOf(t, a.SourceConfig), "utf-8", "source keys come from the defaults")

	assert.Equal(t, "@hourly", b.Schedule)
	assert.Equal(t, pipelines.OnErrorQuarantine, b.OnError)
	assert.Equal(t, "overwrite", b.Target.Mode)
	assert.Equal(t, map[string][]string{"Mã báo cáo": {"trim"}, "Xã/Phường": {"collapse_spaces"}}, b.Transforms)
	assert.Contains(t, yamlOf(t, b.SourceConfig), "windows-1258", "the pipeline's own source keys win")
}

func yamlOf(t *testing.T, v any) string {
	t.Helper()
	b, err := yamlMarshal(v)
	require.NoError(t, err)
	return string(b)
}
