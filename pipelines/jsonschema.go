package pipelines

import (
	"encoding/json"
	"reflect"

	"github.com/invopop/jsonschema"
	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
)

// JSONSchema is the JSON Schema of a pipeline file, generated from the Go
// types (the pipeline's and every registered connector's config), so that
// editors validate and complete pipeline YAML.
func JSONSchema(reg *connectors.Registry) ([]byte, error) {
	r := &jsonschema.Reflector{FieldNameTag: "yaml", DoNotReference: true, RequiredFromJSONSchemaTags: true,
		// yaml.Node fields (source, completeness.reporters) are filled in below.
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if t == reflect.TypeOf(yaml.Node{}) {
				return &jsonschema.Schema{}
			}
			return nil
		}}
	s := r.Reflect(&Pipeline{})
	s.Title = "Kho pipeline"
	s.Description = "A pipeline of Kho, the data warehouse of Sơn La province: a source, a target dataset and how to get from one to the other."
	var sources []*jsonschema.Schema
	for _, name := range reg.Names() {
		spec, _ := reg.Lookup(name)
		cs := r.Reflect(spec.NewConfig())
		cs.Version, cs.ID = "", ""
		if cs.Properties == nil {
			cs.Properties = jsonschema.NewProperties()
		}
		cs.Properties.Set("type", &jsonschema.Schema{Const: name, Description: spec.Summary})
		cs.Required = append([]string{"type"}, cs.Required...)
		cs.Title = name
		cs.Description = spec.Summary
		sources = append(sources, cs)
	}
	s.Properties.Set("source", &jsonschema.Schema{Description: "Where the rows come from; `type` picks the connector.", OneOf: sources})
	s.Required = append(s.Required, "source")
	dur := &jsonschema.Schema{Type: "string", Pattern: `^[0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d)([0-9]+(ns|us|µs|ms|s|m|h))*$`, Description: "a duration such as 26h, 90m or 7d"}
	s.Properties.Set("fresh_within", dur)
	if c, ok := s.Properties.Get("completeness"); ok && c.Properties != nil {
		c.Properties.Set("reporters", &jsonschema.Schema{OneOf: []*jsonschema.Schema{
			{Type: "string", Enum: []any{"communes", "province_agencies"}},
			{Type: "array", Items: &jsonschema.Schema{Type: "string"}},
		}})
	}
	if t, ok := s.Properties.Get("transforms"); ok {
		t.AdditionalProperties = &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "string"}}
	}
	if nf, ok := s.Properties.Get("number_format"); ok && nf.Properties != nil {
		nf.Description = "How the source writes numbers as text (decimal and grouping marks), for the whole source and per source column; without it the marks are decided per file and column from the values."
		marks := func(p *jsonschema.Schema) {
			if d, ok := p.Properties.Get("decimal"); ok {
				d.Enum = []any{",", "."}
			}
			if g, ok := p.Properties.Get("grouping"); ok {
				g.Enum = []any{".", ",", " ", "space", "none"}
			}
		}
		marks(nf)
		if cols, ok := nf.Properties.Get("columns"); ok && cols.AdditionalProperties != nil && cols.AdditionalProperties.Properties != nil {
			marks(cols.AdditionalProperties)
		}
	}
	return json.MarshalIndent(s, "", "  ")
}
