package pipelines_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
)

const areasSchema = `
dataset: agriculture.test_areas
label: Diện tích thử
owner: Sở Nông nghiệp và Môi trường
classification: open
key: [id]
columns:
  - {name: id, label: Mã, type: string, required: true}
  - {name: area, label: Diện tích, type: float}
  - {name: people, label: Số người, type: int}
`

// TestNumberFormatOfEachFile runs CSV drops through the runner (two
// workers): each file's marks are decided from all its values, across
// batches (the first file's only decimal comma is on its last row, 20,000
// rows and three batches after its ambiguous "1,234"), and a pipeline's
// number_format decides instead.
func TestNumberFormatOfEachFile(t *testing.T) {
	f := newFixture(t)
	f.runner.Workers = 2
	ds, err := schemas.Parse("test_areas.yaml", []byte(areasSchema))
	require.NoError(t, err)
	f.runner.Schemas.Add(ds)
	drops := filepath.Join(f.dir, "drops")
	require.NoError(t, os.MkdirAll(drops, 0o755))
	var vi strings.Builder
	vi.WriteString("id;area;people\nv0;1,234;1.234\n")
	for i := 1; i < 20000; i++ {
		fmt.Fprintf(&vi, "v%d;%d;%d\n", i, i, i)
	}
	vi.WriteString("vlast;2.317,9;7\n")
	require.NoError(t, os.WriteFile(filepath.Join(drops, "a_vi.csv"), []byte(vi.String()), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(drops, "b_en.csv"), []byte("id;area;people\ne1;1,234;1,234\ne2;12.5;3\ne3;3,5;4\ne4;0.75;5\n"), 0o644))

	text := func(extra string) *pipelines.Pipeline {
		l := pipelines.Loader{Registry: connectors.Default, BaseDir: f.dir}
		p, err := l.Parse("test_areas.yaml", []byte(`name: test_areas
source: {type: csv, path: drops/*.csv}
target: {dataset: agriculture.test_areas, mode: overwrite}
`+extra))
		require.NoError(t, err)
		require.NoError(t, pipelines.Validate(p, f.runner.Schemas, []*pipelines.Pipeline{p}))
		return p
	}
	res := f.run(text(""), pipelines.RunOptions{})
	assert.EqualValues(t, 20005, res.Read)
	assert.EqualValues(t, 1, res.Quarantined, "e3: a decimal comma in a decimal-point file")
	got := f.rows("agriculture.test_areas", "id", "area", "people")
	assert.Equal(t, []string{"1.234", "1234"}, got["v0"])
	assert.Equal(t, []string{"2317.9", "7"}, got["vlast"])
	assert.Equal(t, []string{"1234", "1234"}, got["e1"])
	assert.Equal(t, []string{"12.5", "3"}, got["e2"])
	assert.NotContains(t, got, "e3")
	require.NotEmpty(t, res.SampleBad)
	assert.Equal(t, "number_format", res.SampleBad[0].Rule)
	assert.Equal(t, "area", res.SampleBad[0].Column)
	assert.NotContains(t, res.SampleBad[0].ReasonEN, "3,5")

	// Set for the source, and per column: the English file's decimal points
	// are now contradictions in area; people keeps comma grouping.
	res = f.run(text("number_format:\n  decimal: \",\"\n  columns:\n    people: {decimal: \".\"}\n"), pipelines.RunOptions{})
	got = f.rows("agriculture.test_areas", "id", "area", "people")
	assert.Equal(t, []string{"1.234", "1234"}, got["e1"])
	assert.Equal(t, []string{"3.5", "4"}, got["e3"])
	assert.NotContains(t, got, "e2")
	assert.NotContains(t, got, "e4")
	assert.NotContains(t, got, "v0", "people 1.234 is not a whole number with a decimal point")
	assert.EqualValues(t, 3, res.Quarantined)
}

// TestNumberFormatValidate: number_format's marks are checked with the
// file:line of the key.
func TestNumberFormatValidate(t *testing.T) {
	f := newFixture(t)
	l := pipelines.Loader{Registry: connectors.Default, BaseDir: f.dir}
	p, err := l.Parse("bad.yaml", []byte(`name: bad_numbers
source: {type: csv, path: drops/*.csv}
target: {dataset: labour.test_reports}
number_format:
  decimal: ";"
  columns:
    so: {decimal: ",", grouping: ","}
`))
	require.NoError(t, err)
	err = pipelines.Validate(p, f.runner.Schemas, []*pipelines.Pipeline{p})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `bad.yaml:4:1: number_format.decimal ";" must be "," or "."`)
	assert.Contains(t, err.Error(), `bad.yaml:7:5: number_format.columns.so: grouping "," is the decimal mark`)
}
