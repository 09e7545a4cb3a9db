package mysql

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
)

// TestSample loads sample.yaml as a pipeline of the province (its DSN from
// the environment) and validates it against the embedded schemas.
func TestSample(t *testing.T) {
	text, err := os.ReadFile("sample.yaml")
	require.NoError(t, err)
	env := map[string]string{"AGRICULTURE_DB_DSN": "kho_doc:mat-khau@tcp(10.10.0.34:3306)/chan_nuoi?tls=true"}
	loader := pipelines.Loader{Registry: connectors.Default, Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	p, err := loader.Parse("sample.yaml", text)
	require.NoError(t, err)
	assert.Equal(t, "mysql", p.SourceType)
	cfg, ok := p.SourceConfig.(*Config)
	require.True(t, ok)
	require.NoError(t, cfg.Validate())
	assert.Equal(t, env["AGRICULTURE_DB_DSN"], cfg.DSN.Value())
	set, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	assert.NoError(t, pipelines.Validate(p, set, []*pipelines.Pipeline{p}))

	delete(env, "AGRICULTURE_DB_DSN")
	_, err = loader.Parse("sample.yaml", text)
	assert.ErrorContains(t, err, "AGRICULTURE_DB_DSN is not set", "a missing DSN is an error, not an empty string")
}
