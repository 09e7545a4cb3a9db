package connectors

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
)

// Config is the typed configuration of one connector kind, decoded from a
// pipeline's `source:` block (every key but `type`) with unknown keys refused.
//
// Validate reports every problem at once (errors.Join), each naming the YAML key.
// Open starts reading; it is called after Validate succeeded.
type Config interface {
	Validate() error
	Open(ctx context.Context, env Env) (Source, error)
}

// Spec registers a connector kind.
type Spec struct {
	// Name is the value of `source.type` in a pipeline (e.g. "csv").
	Name string
	// Summary is one line for `kho connectors` and the docs.
	Summary string
	// NewConfig returns a pointer to a new config with its defaults filled in;
	// the pipeline loader decodes the YAML block into it.
	NewConfig func() Config
}

// Registry holds the connector kinds known to a Kho binary.
type Registry struct {
	mu    sync.RWMutex
	specs map[string]Spec
}

// NewRegistry returns an empty registry (tests build their own).
func NewRegistry() *Registry { return &Registry{specs: map[string]Spec{}} }

// Default is the registry that connector packages register into from init.
var Default = NewRegistry()

// Register adds a kind. It panics on a duplicate or incomplete spec: that is a
// programming error found at start-up.
func (r *Registry) Register(s Spec) {
	if s.Name == "" || s.NewConfig == nil {
		panic("connectors: spec without a name or a config constructor")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.specs[s.Name]; dup {
		panic(fmt.Sprintf("connectors: %q registered twice", s.Name))
	}
	r.specs[s.Name] = s
}

// Lookup finds a kind by name.
func (r *Registry) Lookup(name string) (Spec, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.specs[name]
	return s, ok
}

// Names lists the registered kinds, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.specs))
	for n := range r.specs {
		names = append(names, n)
	}
	sort.Strings(names)
	return slices.Clip(names)
}

// Register adds a kind to Default.
func Register(s Spec) { Default.Register(s) }
