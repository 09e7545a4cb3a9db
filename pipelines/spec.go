package pipelines

import (
	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
)

// Pipeline is one pipeline file.
type Pipeline struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Schedule    string            `yaml:"schedule"`
	Source      yaml.Node         `yaml:"source"`
	Target      Target            `yaml:"target"`
	Mapping     map[string]string `yaml:"mapping"`
	OnError     string            `yaml:"on_error"`
	DependsOn   []string          `yaml:"depends_on"`

	// SourceType is source.type; SourceConfig the connector's typed config.
	SourceType   string            `yaml:"-"`
	SourceConfig connectors.Config `yaml:"-"`
	// File is the pipeline's file, Dir the folder relative paths resolve from.
	File string `yaml:"-"`
	Dir  string `yaml:"-"`
	text []byte // after env expansion, for positions
}

// Target is where a pipeline writes.
type Target struct {
	Dataset string   `yaml:"dataset"`
	Mode    string   `yaml:"mode"` // append | overwrite | merge
	Key     []string `yaml:"key"`
}

// On-error policies.
const (
	OnErrorQuarantine = "quarantine"
	OnErrorFail       = "fail"
)
