package pipelines_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
)

func TestJSONSchema(t *testing.T) {
	b, err := pipelines.JSONSchema(connectors.Default)
	require.NoError(t, err)
	var s struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(b, &s))
	assert.Subset(t, s.Required, []string{"name", "source", "target"})
	for _, k := range []string{"name", "schedule", "source", "target", "mapping", "transforms", "on_error", "schema_drift", "depends_on", "fresh_within", "completeness"} {
		assert.Contains(t, s.Properties, k)
	}
	var src struct {
		OneOf []struct {
			Title      string                     `json:"title"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"oneOf"`
	}
	require.NoError(t, json.Unmarshal(s.Properties["source"], &src))
	kinds := map[string]bool{}
	for _, o := range src.OneOf {
		kinds[o.Title] = true
		assert.Contains(t, o.Properties, "type", o.Title)
	}
	for _, name := range connectors.Default.Names() {
		assert.True(t, kinds[name], "the source schema covers connector %s", name)
	}
	var target struct {
		Properties map[string]struct {
			Enum []string `json:"enum"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(s.Properties["target"], &target))
	assert.Equal(t, []string{"append", "overwrite", "merge"}, target.Properties["mode"].Enum)
}
