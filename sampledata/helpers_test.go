package sampledata

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sonla-data/kho/schemas/units"
	"github.com/stretchr/testify/require"
)

// validity answers "is this commune code valid on that day" from the units
// package alone.
type validity struct {
	set   *units.Set
	known map[string]bool
	cache map[time.Time]map[string]bool
}

func newValidity() *validity {
	v := &validity{set: units.MustLoad(), known: map[string]bool{}, cache: map[time.Time]map[string]bool{}}
	for _, u := range v.set.Units {
		if u.Level == units.LevelCommune {
			v.known[u.Code] = true
		}
	}
	return v
}

func (v *validity) at(day time.Time) map[string]bool {
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	m, ok := v.cache[day]
	if !ok {
		m = map[string]bool{}
		for _, u := range v.set.CommunesAt(day) {
			m[u.Code] = true
		}
		v.cache[day] = m
	}
	return m
}

func (v *validity) validAt(code string, day time.Time) bool { return v.at(day)[code] }

func openDB(t *testing.T, dir, name string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, name)+"?mode=ro")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// counter collects the defects a reader finds.
type counter struct {
	t     *testing.T
	found map[string]int
}

func newCounter(t *testing.T) *counter { return &counter{t: t, found: map[string]int{}} }

// row records the defects of one row: at most one is allowed.
func (c *counter) row(where string, defects ...string) {
	c.t.Helper()
	if len(defects) > 1 {
		c.t.Errorf("%s: %d defects %v, want at most one", where, len(defects), defects)
	}
	for _, d := range defects {
		c.found[d]++
	}
}

// equal checks the found counts against the manifest's.
func (c *counter) equal(it Item, ok bool) {
	c.t.Helper()
	require.True(c.t, ok, "item in manifest")
	for k, n := range c.found {
		if it.Bad[k] != n {
			c.t.Errorf("%s %s: found %d %s, manifest says %d", it.File, it.Table, n, k, it.Bad[k])
		}
	}
	for k, n := range it.Bad {
		if c.found[k] != n {
			c.t.Errorf("%s %s: manifest says %d %s, found %d", it.File, it.Table, n, k, c.found[k])
		}
	}
}

// matchName resolves a commune name written by an office at a date: NFC,
// case-insensitive, spaces collapsed, an optional type prefix that must agree
// with the unit's type. It returns the codes matched.
func matchName(communes []units.Unit, written string) []string {
	key := nameKey(written)
	typ := ""
	for _, p := range []struct{ prefix, typ string }{
		{"thị trấn ", "Thị trấn"}, {"tt. ", "Thị trấn"}, {"phường ", "Phường"}, {"p. ", "Phường"},
		{"xã ", "Xã"}, {"x. ", "Xã"},
	} {
		if strings.HasPrefix(key, p.prefix) {
			key, typ = strings.TrimPrefix(key, p.prefix), p.typ
			break
		}
	}
	var out []string
	for _, u := range communes {
		if typ != "" && u.Type != typ {
			continue
		}
		if nameKey(bareName(u)) == key {
			out = append(out, u.Code)
		}
	}
	return out
}
