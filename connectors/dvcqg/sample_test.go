package dvcqg

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// TestSample loads sample.yaml's source block the way the pipeline loader
// does (without `type`, unknown keys refused) and validates it.
func TestSample(t *testing.T) {
	raw, err := os.ReadFile("sample.yaml")
	require.NoError(t, err)
	var pipeline struct {
		Name   string         `yaml:"name"`
		Source map[string]any `yaml:"source"`
		Target struct {
			Dataset string   `yaml:"dataset"`
			Mode    string   `yaml:"mode"`
			Key     []string `yaml:"key"`
		} `yaml:"target"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &pipeline))
	assert.Equal(t, "dvcqg", pipeline.Source["type"])
	assert.NotEmpty(t, pipeline.Name)
	assert.NotEmpty(t, pipeline.Target.Dataset)
	delete(pipeline.Source, "type")
	block, err := yaml.Marshal(pipeline.Source)
	require.NoError(t, err)
	cfg := NewConfig()
	dec := yaml.NewDecoder(bytes.NewReader(block))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(cfg))
	assert.NoError(t, cfg.Validate())
}
