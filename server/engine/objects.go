package engine

import (
	"sort"
	"strings"
	"time"

	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/security/mask"
	"github.com/sonla-data/kho/warehouse/marts"
)

// QuarantineSuffix names a dataset's quarantine table.
const QuarantineSuffix = "__quarantine"

// Object is a table the engine serves: what the policy needs, what the
// catalog shows and how fresh it is.
type Object struct {
	auth.Object
	Label       string
	LabelEN     string
	Description string
	Key         []string
	Columns     []Column
	Rows        int64
	SnapshotID  int64
	Freshness   time.Time // commit time of the current snapshot; zero when it has none

	materialized bool // an in-memory copy of the snapshot rather than a view
}

// Column is a column of an object.
type Column struct {
	Name    string `json:"name"`
	Label   string `json:"label,omitempty"`
	LabelEN string `json:"label_en,omitempty"`
	Type    string `json:"type"`              // DuckDB type of the raw view
	PII     string `json:"pii,omitempty"`     // the PII tag, if any
	Masked  string `json:"masked,omitempty"`  // DuckDB type of the masked view, when it differs
	Comment string `json:"comment,omitempty"` // how the column is masked
}

// TypeFor is the column's type as a principal sees it.
func (c Column) TypeFor(p auth.Principal) string {
	if c.PII != "" && !p.PII && c.Masked != "" {
		return c.Masked
	}
	return c.Type
}

// Schema and Table split the object's name.
func (o *Object) Schema() string { s, _, _ := strings.Cut(o.Name, "."); return s }

// Table is the table part of the name.
func (o *Object) Table() string { _, t, _ := strings.Cut(o.Name, "."); return t }

// Column finds a column.
func (o *Object) Column(name string) (Column, bool) {
	for _, c := range o.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// describe is what the engine knows of a lake table before reading it: nil
// when the table is not served (no schema, no mart).
type describe struct {
	obj     auth.Object
	dataset *schemas.Dataset // the dataset, or the quarantined dataset
	mart    *marts.Mart
	pii     map[string]string // column -> tag
}

// describeTable finds what a lake table is.
func describeTable(name string, set *schemas.Set, ms []*marts.Mart) *describe {
	ns, tbl, _ := strings.Cut(name, ".")
	if ns == "marts" {
		for _, m := range ms {
			if m.Name == tbl {
				d := &describe{obj: auth.Object{Name: name, Kind: auth.Mart}, mart: m, pii: map[string]string{}}
				// A mart column named like a PII column of what it reads is
				// masked like it: marts are aggregates, this is a safety net.
				for _, dep := range m.DependsOn {
					if ds, ok := set.Get(dep); ok {
						for _, c := range ds.Columns {
							if c.PII != "" {
								d.pii[c.Name] = c.PII
							}
						}
					}
				}
				return d
			}
		}
		return nil
	}
	if base, ok := strings.CutSuffix(name, QuarantineSuffix); ok {
		ds, ok := set.Get(base)
		if !ok {
			return nil
		}
		return &describe{obj: auth.Object{Name: name, Kind: auth.Quarantine, Classification: ds.Classification, Owner: ds.Owner},
			dataset: ds, pii: piiOf(ds)}
	}
	ds, ok := set.Get(name)
	if !ok {
		return nil
	}
	return &describe{obj: auth.Object{Name: name, Kind: auth.Dataset, Classification: ds.Classification, Owner: ds.Owner},
		dataset: ds, pii: piiOf(ds)}
}

func piiOf(ds *schemas.Dataset) map[string]string {
	m := map[string]string{}
	for _, c := range ds.Columns {
		if c.PII != "" {
			m[c.Name] = c.PII
		}
	}
	return m
}

// maskedSelect is the masked view's select list over columns of the raw view.
func (d *describe) maskedSelect(cols []Column) []string {
	out := make([]string, len(cols))
	quarantine := d.obj.Kind == auth.Quarantine
	for i, c := range cols {
		q := Ident(c.Name)
		switch {
		case quarantine && c.Name == "raw_value" && len(d.pii) > 0:
			// The raw value of a PII column is masked like the column; a
			// reader's message about an unreadable row may quote any value.
			var b strings.Builder
			b.WriteString("CASE WHEN " + Ident("rule") + " = 'read' THEN NULL")
			for _, name := range sortedKeys(d.pii) {
				// as text: a birth_date mask is a year (INTEGER), the other branches text
				b.WriteString(" WHEN " + Ident("column_name") + " = " + quote(name) + " THEN CAST(" + mask.Expr(d.pii[name], q, "VARCHAR", d.scope()) + " AS VARCHAR)")
			}
			b.WriteString(" ELSE " + q + " END")
			out[i] = b.String() + " AS " + q
		case quarantine && c.Name == "record" && len(d.pii) > 0:
			// The source record holds the PII columns under their source names.
			out[i] = "CAST(NULL AS VARCHAR) AS " + q
		case quarantine && c.Name == "record_key" && d.keyIsPII():
			out[i] = "CAST(NULL AS VARCHAR) AS " + q
		case !quarantine && d.pii[c.Name] != "":
			out[i] = mask.Expr(d.pii[c.Name], q, c.Type, d.scope()) + " AS " + q
		default:
			out[i] = q
		}
	}
	return out
}

// scope is what an identifier's pseudonym is keyed by besides the token:
// the dataset (its quarantine is keyed as the dataset), or the mart.
func (d *describe) scope() string {
	if d.dataset != nil {
		return d.dataset.Name
	}
	return d.obj.Name
}

// keyed reports whether the masked view shows a keyed pseudonym, which
// depends on the connection's key: such a view is never materialized.
func (d *describe) keyed() bool {
	for _, tag := range d.pii {
		if mask.Identifier(tag) {
			return true
		}
	}
	return false
}

func (d *describe) keyIsPII() bool {
	for _, k := range d.dataset.Key {
		if d.pii[k] != "" {
			return true
		}
	}
	return false
}

// columns labels the raw view's columns.
func (d *describe) columns(names, types []string) []Column {
	out := make([]Column, len(names))
	for i, n := range names {
		c := Column{Name: n, Type: types[i]}
		if d.obj.Kind == auth.Quarantine {
			switch n {
			case "raw_value":
				if len(d.pii) > 0 {
					c.PII, c.Comment = "mixed", "masked like its column when that column is personal data"
				}
			case "record":
				if len(d.pii) > 0 {
					c.PII, c.Masked, c.Comment = "record", "VARCHAR", "NULL without the PII grant"
				}
			}
		} else if tag := d.pii[n]; tag != "" {
			c.PII = tag
			if mt := mask.Type(tag, c.Type); mt != c.Type {
				c.Masked = mt
			}
		}
		if d.dataset != nil && d.obj.Kind == auth.Dataset {
			if sc, ok := d.dataset.Column(n); ok {
				c.Label, c.LabelEN = sc.Label, sc.LabelEN
			}
		}
		out[i] = c
	}
	return out
}

func (d *describe) labels() (vi, en, desc string, key []string) {
	switch {
	case d.mart != nil:
		return d.mart.Label, d.mart.LabelEN, d.mart.Description, d.mart.Key
	case d.obj.Kind == auth.Quarantine:
		return "Dòng bị cách ly: " + d.dataset.Label, "Quarantined rows: " + d.dataset.LabelEN,
			"Rows of " + d.dataset.Name + " that failed its rules, with the reason.", nil
	default:
		return d.dataset.Label, d.dataset.LabelEN, d.dataset.Description, d.dataset.Key
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
