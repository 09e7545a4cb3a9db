package engine

import (
	"slices"
	"sync"
)

// The description cache keeps what preparing a data statement told
// (Describe: its columns and parameters), so that a PostgreSQL client's
// Parse of a statement asked before costs no DuckDB prepare: pgx and JDBC
// parse every statement once per connection, and dashboards connect often.
// The statement is still checked by the sandbox with the caller's policy
// before its description is looked up (a refusal is audited as before); the
// cache is emptied whenever the served tables or their columns change.
type descCache struct {
	mu      sync.Mutex
	gen     int64
	entries map[string]*Description
}

// maxDescriptions bounds the description cache (entries are a few hundred
// bytes; beyond it the cache starts again empty).
const maxDescriptions = 4096

func describeKey(raw bool, sql string) string {
	if raw {
		return "raw\x00" + sql
	}
	return "masked\x00" + sql
}

// described returns a copy of the description kept under key, and the
// generation it looked in (for keepDescription after a miss).
func (e *Engine) described(key string) (*Description, int64, bool) {
	e.mu.RLock()
	gen := e.gen
	e.mu.RUnlock()
	c := &e.descs
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		c.gen, c.entries = gen, nil
		return nil, gen, false
	}
	d, ok := c.entries[key]
	if !ok {
		return nil, gen, false
	}
	return &Description{Columns: slices.Clone(d.Columns), Params: slices.Clone(d.Params)}, gen, true
}

// keepDescription keeps a copy of d, prepared in generation gen, under key;
// nothing when the generation changed meanwhile (d may describe the views
// before the change).
func (e *Engine) keepDescription(key string, gen int64, d *Description) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.gen != gen {
		return
	}
	c := &e.descs
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.entries == nil || len(c.entries) >= maxDescriptions {
		c.gen, c.entries = gen, map[string]*Description{}
	}
	c.entries[key] = &Description{Columns: slices.Clone(d.Columns), Params: slices.Clone(d.Params)}
}
