package schemas

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedSchemasLoad(t *testing.T) {
	set, err := LoadEmbedded()
	require.NoError(t, err)
	names := []string{}
	for _, d := range set.All() {
		names = append(names, d.Name)
		assert.NotNil(t, d.IcebergSchema())
	}
	assert.Contains(t, names, "admin_procedures.dossiers")
	assert.Contains(t, names, "reference.admin_units")
	// Every sector has at least two datasets, each with a label, an owner and
	// a classification; dated datasets are partitioned by their month.
	per := map[string]int{}
	for _, d := range set.All() {
		per[d.Namespace()]++
		assert.NotEmpty(t, d.LabelEN, d.Name)
		// The portal and DCAT describe each dataset in both languages and
		// say how often it changes.
		assert.NotEmpty(t, d.Description, "%s: description (English)", d.Name)
		assert.NotEmpty(t, d.DescriptionVI, "%s: description_vi", d.Name)
		assert.Contains(t, Frequencies, d.Frequency, "%s: frequency", d.Name)
		for _, c := range d.Columns {
			assert.NotEmpty(t, c.LabelEN, "%s.%s", d.Name, c.Name)
		}
	}
	for _, dom := range Domains {
		if dom != "marts" {
			assert.GreaterOrEqual(t, per[dom], 2, "datasets of %s", dom)
		}
	}
}

func TestSchemaErrorsNameFileAndLine(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown key", "dataset: health.x\nlabel: X\nowner: Y\nclassification: open\ncolumns:\n  - {name: a, label: A, type: string, colour: red}\n", "field colour not found"},
		{"bad type", "dataset: health.x\nlabel: X\nowner: Y\nclassification: open\ncolumns:\n  - name: a\n    label: A\n    type: varchar\n", "x.yaml:8: column \"a\": unknown type \"varchar\""},
		{"bad classification", "dataset: health.x\nlabel: X\nowner: Y\nclassification: secret\ncolumns:\n  - {name: a, label: A, type: string}\n", "x.yaml:4: classification \"secret\""},
		{"bad frequency", "dataset: health.x\nlabel: X\nowner: Y\nfrequency: weekly-ish\nclassification: open\ncolumns:\n  - {name: a, label: A, type: string}\n", "x.yaml:4: frequency \"weekly-ish\" must be one of"},
		{"key not a column", "dataset: health.x\nlabel: X\nowner: Y\nclassification: open\nkey: [b]\ncolumns:\n  - {name: a, label: A, type: string}\n", "x.yaml:5: key column \"b\""},
		{"bad check", "dataset: health.x\nlabel: X\nowner: Y\nclassification: open\ncolumns:\n  - {name: a, label: A, type: date}\nchecks:\n  - {name: c, assert: a >= zz}\n", "x.yaml:8: check \"c\": \"zz\" is not a column"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(c.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
