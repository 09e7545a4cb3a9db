package pipelines_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	_ "github.com/sonla-data/kho/connectors/all"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
)

var testEnv = map[string]string{
	"KHO_TEST_SECRET_TOKEN": "s3cr3t-value",
	// Example values of the variables the sample pipelines use (a variable
	// with no example here fails TestShippedPipelinesValidate: add one).
	"HEALTH_DB_DSN":      "postgres://kho_reader:secret@127.0.0.1:5432/his?sslmode=disable",
	"AGRICULTURE_DB_DSN": "kho_reader:secret@tcp(127.0.0.1:3306)/nongnghiep",
	"LGSP_TOKEN":         "example-token",
}

func lookup(k string) (string, bool) { v, ok := testEnv[k]; return v, ok }

// loadOne parses and validates one pipeline file as `kho validate` does.
func loadOne(t *testing.T, set *schemas.Set, file string) error {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	l := pipelines.Loader{Registry: connectors.Default, Lookup: lookup, BaseDir: "."}
	p, err := l.Parse(file, b)
	if p == nil {
		return err
	}
	return errors.Join(err, pipelines.Validate(p, set, []*pipelines.Pipeline{p}))
}

// TestBrokenPipelines: every broken file gets every expected message, each
// naming file:line (and the column where the key is known).
func TestBrokenPipelines(t *testing.T) {
	set, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	cases := map[string][]string{
		"unknown_key":        {`unknown_key.yaml:8:1: unknown key "schedul" at the top level; did you mean "schedule"?`},
		"unknown_source_key": {`unknown_source_key.yaml:5:3: unknown key "delimeter" in source; did you mean "delimiter"?`},
		"unknown_dataset":    {`unknown_dataset.yaml:6:3: dataset "labour.jobs" has no schema`},
		"bad_cron":           {`bad_cron.yaml:2:1: schedule "0 25 * * *" is not a cron expression`},
		"bad_mapping":        {`bad_mapping.yaml:9:3: mapping Số người: seekers: labour.job_reports has no column "seekers"`},
		"unknown_connector":  {`unknown_connector.yaml:3:3: source.type "oracle" is not a connector`},
		"bad_mode":           {`bad_mode.yaml:7:3: mode "upsert" must be append, overwrite or merge`},
		"merge_bad_key":      {`merge_bad_key.yaml:8:20: key column "nope" is not a column of labour.job_reports`},
		"bad_name":           {`bad_name.yaml:1:1: name "Bad Name" must be snake_case`},
		"bad_on_error":       {`bad_on_error.yaml:7:1: on_error "ignore" must be quarantine or fail`},
		"bad_drift":          {`bad_drift.yaml:7:1: schema_drift "adapt" must be evolve, freeze, discard_row or discard_value`},
		"bad_transform":      {`bad_transform.yaml:8:`, `pad_left:x: the width must be 1..64`},
		"missing_env":        {`missing_env.yaml:4: environment variable KHO_TEST_NO_SUCH_VARIABLE is not set`},
		"bad_depends":        {`bad_depends.yaml:7:`, `depends_on "no_such_pipeline" is not a pipeline`},
		"no_source":          {`no_source.yaml:1: source is required`},
		"bad_freshness":      {`bad_freshness.yaml:7: "soon" is not a duration`},
		"bad_completeness":   {`bad_completeness.yaml:8:3: completeness.period "week"`, `bad_completeness.yaml:10:3: completeness.column "commune" is not a column`},
		"not_yaml":           {`not_yaml.yaml:1: the file is not valid YAML`},
		"secret_in_error":    {`secret_in_error.yaml:`, `[redacted]`},
		"cdc_not_merge": {`cdc_not_merge.yaml:9:3: source.incremental.mode cdc needs target.mode merge`,
			`source.incremental.slot: "Bad-Slot" must be 1 to 63 lower-case letters`},
		"cdc_detect": {`cdc_detect.yaml:11:3: deletes: detect is not for source.incremental.mode cdc`,
			`cdc_detect.yaml:2:1: full_refresh: true would take a new snapshot at every run`},
		"cdc_mysql": {`cdc_mysql.yaml:2:1: source.incremental.mode: cdc is not available for mysql yet`},
	}
	files, err := filepath.Glob("testdata/broken/*.yaml")
	require.NoError(t, err)
	require.Len(t, files, len(cases), "every broken file has its expected messages")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			want, ok := cases[name]
			require.True(t, ok, "no expectation for %s", f)
			err := loadOne(t, set, f)
			require.Error(t, err)
			for _, w := range want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "s3cr3t-value", "a secret must never be printed")
		})
	}
}

// TestShippedPipelinesValidate: every pipeline in configs/pipelines and every
// connector's sample.yaml loads and validates.
func TestShippedPipelinesValidate(t *testing.T) {
	set, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	l := pipelines.Loader{Registry: connectors.Default, Lookup: lookup, BaseDir: "."}
	all, err := l.LoadDir("../configs/pipelines")
	require.NoError(t, err)
	require.NotEmpty(t, all)
	for _, p := range all {
		assert.NoError(t, pipelines.Validate(p, set, all), p.File)
	}
	samples, err := filepath.Glob("../connectors/*/sample.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, samples)
	for _, f := range samples {
		t.Run(f, func(t *testing.T) {
			assert.NoError(t, loadOne(t, set, f))
		})
	}
}

// TestConnectorFolders: every registered connector kind has a folder with a
// README.md and a sample.yaml whose source is of that kind.
func TestConnectorFolders(t *testing.T) {
	for _, name := range connectors.Default.Names() {
		t.Run(name, func(t *testing.T) {
			matches, _ := filepath.Glob("../connectors/*/sample.yaml")
			found := ""
			for _, m := range matches {
				b, err := os.ReadFile(m)
				require.NoError(t, err)
				if strings.Contains(string(b), "type: "+name+"\n") {
					found = filepath.Dir(m)
				}
			}
			require.NotEmpty(t, found, "no connectors/*/sample.yaml uses type %s", name)
			_, err := os.Stat(filepath.Join(found, "README.md"))
			assert.NoError(t, err, "%s has no README.md", found)
		})
	}
}
