package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/sonla-data/kho/security/auth"
)

// catalogSetup adds what psql, DBeaver and Metabase call and DuckDB's
// pg_catalog lacks. They are macros over constants: the catalog database has
// no data, no users, no files.
var catalogSetup = []string{
	"CREATE MACRO pg_get_userbyid(id) AS 'kho'",
	"CREATE MACRO pg_encoding_to_char(id) AS 'UTF8'",
	"CREATE MACRO pg_relation_size(id) AS 0",
	"CREATE MACRO pg_total_relation_size(id) AS 0",
	"CREATE MACRO pg_tablespace_location(id) AS ''",
	"CREATE MACRO pg_backend_pid() AS 0",
	"CREATE MACRO pg_get_indexdef(a, b := 0, c := false) AS ''",
	"CREATE MACRO pg_get_statisticsobjdef_columns(id) AS ''",
	"CREATE MACRO quote_ident(s) AS '\"' || replace(s, '\"', '\"\"') || '\"'",
	"CREATE MACRO array_upper(a, d) AS len(a)",
	"CREATE MACRO array_lower(a, d) AS CASE WHEN len(a) > 0 THEN 1 END",
}

// catalogDB is the catalog database of one profile.
type catalogDB struct {
	db     *database
	key    string
	refs   int
	closed bool
}

// catalogCache keeps the catalog databases of the latest profiles.
type catalogCache struct {
	mu    sync.Mutex
	max   int
	order []*catalogDB // least recently used first
}

func newCatalogCache(max int) *catalogCache { return &catalogCache{max: max} }

func (c *catalogCache) get(key string) *catalogDB {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, cd := range c.order {
		if cd.key == key {
			c.order = append(append(c.order[:i:i], c.order[i+1:]...), cd)
			cd.refs++
			return cd
		}
	}
	return nil
}

func (c *catalogCache) put(cd *catalogDB) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cd.refs++
	c.order = append(c.order, cd)
	for len(c.order) > c.max {
		old := c.order[0]
		c.order = c.order[1:]
		old.closed = true
		if old.refs == 0 {
			old.db.close()
		}
	}
}

func (c *catalogCache) release(cd *catalogDB) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cd.refs--
	if cd.refs == 0 && cd.closed {
		cd.db.close()
	}
}

func (c *catalogCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, cd := range c.order {
		errs = append(errs, cd.db.close())
	}
	c.order = nil
	return errors.Join(errs...)
}

// catalogFor returns the catalog database of p's profile, building it when
// needed: for each object p may read, an empty table with the columns (and
// types) p sees, commented with its labels.
func (e *Engine) catalogFor(ctx context.Context, p auth.Principal) (*database, func(), error) {
	e.mu.RLock()
	key := fmt.Sprintf("%d|%s", e.gen, p.Profile())
	e.mu.RUnlock()
	if cd := e.catalogs.get(key); cd != nil {
		return cd.db, func() { e.catalogs.release(cd) }, nil
	}
	setup := append([]string{}, catalogSetup...)
	schemas := map[string]bool{}
	for _, o := range e.Objects(p) {
		if !schemas[o.Schema()] {
			schemas[o.Schema()] = true
			setup = append(setup, "CREATE SCHEMA "+Ident(o.Schema()))
		}
		cols := make([]string, len(o.Columns))
		for i, c := range o.Columns {
			cols[i] = Ident(c.Name) + " " + c.TypeFor(p)
		}
		name := Ident(o.Schema()) + "." + Ident(o.Table())
		setup = append(setup, "CREATE TABLE "+name+" ("+strings.Join(cols, ", ")+")")
		if label := strings.TrimSpace(o.Label + " / " + o.LabelEN); label != "/" {
			setup = append(setup, "COMMENT ON TABLE "+name+" IS "+quote(label))
		}
		for _, c := range o.Columns {
			if c.Label != "" || c.PII != "" {
				text := strings.TrimSpace(c.Label + " / " + c.LabelEN)
				if c.PII != "" && !p.PII {
					text += " (đã che / masked: " + c.PII + ")"
				}
				setup = append(setup, "COMMENT ON COLUMN "+name+"."+Ident(c.Name)+" IS "+quote(text))
			}
		}
	}
	db, err := openDatabase(ctx, dbConfig{MemoryLimit: "64MB", Threads: 1, MaxConns: 4, Setup: setup})
	if err != nil {
		return nil, nil, fmt.Errorf("building the catalog database: %w", err)
	}
	cd := &catalogDB{db: db, key: key}
	e.catalogs.put(cd)
	return cd.db, func() { e.catalogs.release(cd) }, nil
}
