package pipelines

import (
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
)

// Pipeline is one pipeline file.
type Pipeline struct {
	Name        string `yaml:"name" json:"name" jsonschema:"required,pattern=^[a-z][a-z0-9_]*$"`
	Description string `yaml:"description" json:"description,omitempty"`
	// Schedule is a cron expression (five fields, Asia/Ho_Chi_Minh) or a
	// descriptor such as @daily or @every 1h.
	Schedule string    `yaml:"schedule" json:"schedule,omitempty"`
	Source   yaml.Node `yaml:"source" json:"-"`
	Target   Target    `yaml:"target" json:"target" jsonschema:"required"`
	// Mapping renames source columns to dataset columns.
	Mapping map[string]string `yaml:"mapping" json:"mapping,omitempty"`
	// Transforms clean source text columns before the conform step.
	Transforms map[string][]string `yaml:"transforms" json:"transforms,omitempty"`
	// NumberFormat sets how the source writes numbers as text, for the whole
	// source and per source column; without it the marks are decided per
	// file and column from the values.
	NumberFormat *NumberFormat `yaml:"number_format" json:"number_format,omitempty"`
	// OnError is quarantine (default: bad rows go to the quarantine table) or
	// fail (the first bad row fails the run).
	OnError string `yaml:"on_error" json:"on_error,omitempty" jsonschema:"enum=quarantine,enum=fail"`
	// SchemaDrift says what happens when the source gains, loses or retypes a
	// column: evolve, freeze, discard_row or discard_value (default).
	SchemaDrift string `yaml:"schema_drift" json:"schema_drift,omitempty" jsonschema:"enum=evolve,enum=freeze,enum=discard_row,enum=discard_value"`
	// FullRefresh reads the source whole on every run.
	FullRefresh bool     `yaml:"full_refresh" json:"full_refresh,omitempty"`
	DependsOn   []string `yaml:"depends_on" json:"depends_on,omitempty"`
	// Freshness is how old the dataset's newest data may be before `kho
	// status` calls it stale (e.g. 26h).
	Freshness Duration `yaml:"fresh_within" json:"fresh_within,omitempty"`
	// Completeness names who must report each period.
	Completeness *Completeness `yaml:"completeness" json:"completeness,omitempty"`
	// Retries bounds the retries of a transient failure under the scheduler.
	Retries *int `yaml:"retries" json:"retries,omitempty"`

	// SourceType is source.type; SourceConfig the connector's typed config.
	SourceType   string            `yaml:"-" json:"-"`
	SourceConfig connectors.Config `yaml:"-" json:"-"`
	// File is the pipeline's file, Dir the folder relative paths resolve from.
	File string `yaml:"-" json:"-"`
	Dir  string `yaml:"-" json:"-"`
	text []byte // after env expansion, for positions
	// secrets are the values of secret variables expanded into the file.
	secrets []string
}

// NumberFormat is how a source writes numbers as text: decimal "," or ".",
// grouping ".", ",", " " or "none" (default: the mark that is not the
// decimal one). Columns set it per source column, over the source's.
type NumberFormat struct {
	Decimal  string                        `yaml:"decimal" json:"decimal,omitempty"`
	Grouping string                        `yaml:"grouping" json:"grouping,omitempty"`
	Columns  map[string]ColumnNumberFormat `yaml:"columns" json:"columns,omitempty"`
}

// ColumnNumberFormat is the number_format of one source column.
type ColumnNumberFormat struct {
	Decimal  string `yaml:"decimal" json:"decimal"`
	Grouping string `yaml:"grouping" json:"grouping,omitempty"`
}

// Target is where a pipeline writes.
type Target struct {
	Dataset string   `yaml:"dataset" json:"dataset" jsonschema:"required"`
	Mode    string   `yaml:"mode" json:"mode,omitempty" jsonschema:"enum=append,enum=overwrite,enum=merge"`
	Key     []string `yaml:"key" json:"key,omitempty"`
	// Deletes says how rows deleted in the source leave the lake (merge).
	Deletes *Deletes `yaml:"deletes" json:"deletes,omitempty"`
}

// Completeness says who must report each period, so that `kho status` can list
// who has not.
type Completeness struct {
	// Period is month, quarter or year.
	Period string `yaml:"period" json:"period" jsonschema:"enum=month,enum=quarter,enum=year"`
	// Reporters is communes (today's communes), province_agencies (the
	// province-level agencies of reference.agencies), or a list of codes.
	Reporters yaml.Node `yaml:"reporters" json:"-"`
	// Column holds the reporter's code in the dataset; DateColumn dates a row.
	Column     string `yaml:"column" json:"column"`
	DateColumn string `yaml:"date_column" json:"date_column"`

	Kind  string   `yaml:"-" json:"-"` // communes | province_agencies | list
	Codes []string `yaml:"-" json:"-"`
}

// Duration is a YAML duration ("26h", "90m", "7d").
type Duration time.Duration

// On-error policies.
const (
	OnErrorQuarantine = "quarantine"
	OnErrorFail       = "fail"
)

// Schema-drift policies.
const (
	DriftEvolve       = "evolve"
	DriftFreeze       = "freeze"
	DriftDiscardRow   = "discard_row"
	DriftDiscardValue = "discard_value"
)
