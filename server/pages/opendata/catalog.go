package opendata

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/pages/site"
)

// Licence is the licence open data is published under.
type Licence struct {
	ID      string `mapstructure:"id" yaml:"id"`       // CKAN license_id, e.g. cc-by-4.0
	Title   string `mapstructure:"title" yaml:"title"` // Vietnamese
	TitleEN string `mapstructure:"title_en" yaml:"title_en"`
	URL     string `mapstructure:"url" yaml:"url"`
}

// DefaultLicence is CC BY 4.0; the operator may set another, e.g. the
// national open-data licence once it is published.
var DefaultLicence = Licence{
	ID:      "cc-by-4.0",
	Title:   "Giấy phép Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0)",
	TitleEN: "Creative Commons Attribution 4.0 International (CC BY 4.0)",
	URL:     "https://creativecommons.org/licenses/by/4.0/",
}

// Options configure the portal.
type Options struct {
	Licence Licence `mapstructure:"licence" yaml:"licence"`
	// BaseURL is the portal's public address (https://data.sonla.gov.vn),
	// used in the DCAT catalog and the CKAN resources; empty: taken from
	// each request.
	BaseURL string `mapstructure:"base_url" yaml:"base_url"`
	// Publisher names the catalog's publisher (default: UBND tỉnh Sơn La).
	Publisher string `mapstructure:"publisher" yaml:"publisher"`
}

// ErrNotFound is a dataset the portal does not publish.
var ErrNotFound = errors.New("not found")

// Org is a publishing agency.
type Org struct {
	ID   string // slug
	Name string
}

// Dataset is one published dataset.
type Dataset struct {
	Schema  *schemas.Dataset
	ID      string // CKAN name: domain-dataset (health-clinics)
	Name    string // lake table: health.clinics
	Domain  string
	Title   string
	TitleEN string
	// Description is in Vietnamese (the schema's description_vi; its
	// English description when it has none), DescriptionEN in English.
	Description   string
	DescriptionEN string
	Publisher     Org
	Columns       []schemas.Column // published columns: never one with a pii tag
	Withheld      int              // columns with a pii tag, not published
	Frequency     Frequency
	Modified      time.Time
	Created       time.Time
	Rows          int64
	Pipelines     []string
}

// Reader is who the portal, its CKAN API, DCAT catalog and downloads read
// as: the anonymous public, whoever asks. The engine lets it read open
// datasets only, with their personal columns masked.
var Reader = auth.Anonymous()

// Catalog reads what the portal publishes.
type Catalog struct {
	deps *site.Deps
	opt  Options
}

// New returns the catalog over the warehouse.
func New(deps *site.Deps, opt Options) *Catalog {
	if opt.Licence.ID == "" {
		opt.Licence = DefaultLicence
	}
	if opt.Publisher == "" {
		opt.Publisher = "Ủy ban nhân dân tỉnh Sơn La"
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	return &Catalog{deps: deps, opt: opt}
}

// Options are the catalog's options, defaults filled.
func (c *Catalog) Options() Options { return c.opt }

// IDOf is the CKAN name of a lake dataset: health.clinics -> health-clinics.
func IDOf(name string) string { return strings.ReplaceAll(name, ".", "-") }

// Publishable reports whether a schema may appear on the portal at all.
func Publishable(d *schemas.Dataset) bool {
	return d != nil && d.Classification == schemas.Open && d.Namespace() != "marts"
}

// PublicColumns are a schema's columns without a pii tag.
func PublicColumns(d *schemas.Dataset) []schemas.Column {
	var out []schemas.Column
	for _, col := range d.Columns {
		if col.PII == "" {
			out = append(out, col)
		}
	}
	return out
}

// Datasets lists every published dataset: open, and in the lake, sorted by
// name.
func (c *Catalog) Datasets(ctx context.Context) ([]*Dataset, error) {
	if c.deps.Schemas == nil {
		return nil, nil
	}
	var out []*Dataset
	for _, s := range c.deps.Schemas.All() {
		if !Publishable(s) {
			continue
		}
		d, err := c.describe(ctx, s)
		if err != nil {
			return nil, err
		}
		if d != nil {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Dataset finds a published dataset by its CKAN name or its lake name.
func (c *Catalog) Dataset(ctx context.Context, id string) (*Dataset, error) {
	if c.deps.Schemas == nil {
		return nil, ErrNotFound
	}
	name := id
	if !strings.Contains(id, ".") {
		name = strings.Replace(id, "-", ".", 1)
	}
	s, ok := c.deps.Schemas.Get(name)
	if !ok || !Publishable(s) {
		return nil, ErrNotFound
	}
	d, err := c.describe(ctx, s)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, ErrNotFound
	}
	return d, nil
}

// describe builds a dataset's metadata from what the serving engine lets the
// anonymous public read; nil when it serves no such table to the public.
func (c *Catalog) describe(_ context.Context, s *schemas.Dataset) (*Dataset, error) {
	o, ok := c.deps.Query.Object(Reader, s.Name)
	if !ok {
		return nil, nil
	}
	d := &Dataset{Schema: s, ID: IDOf(s.Name), Name: s.Name, Domain: s.Namespace(), Title: s.Label, TitleEN: s.LabelEN,
		Description: s.DescriptionVI, DescriptionEN: s.Description, Publisher: Org{ID: Slug(s.Owner), Name: s.Owner}, Rows: o.Rows, Modified: o.Freshness}
	if d.Title == "" {
		d.Title = s.Name
	}
	if d.Description == "" {
		d.Description = d.DescriptionEN
	}
	for _, col := range PublicColumns(s) {
		// A schema may name a column the table has not received yet.
		if _, ok := o.Column(col.Name); ok {
			d.Columns = append(d.Columns, col)
		}
	}
	d.Withheld = len(s.Columns) - len(PublicColumns(s))
	for _, p := range c.deps.Feeding(s.Name) {
		d.Pipelines = append(d.Pipelines, p.Name)
	}
	d.Frequency = Declared(s.Frequency)
	d.Created = d.Modified
	return d, nil
}

// Orgs are the publishers of the published datasets, sorted by name.
func Orgs(ds []*Dataset) []Org {
	seen := map[string]bool{}
	var out []Org
	for _, d := range ds {
		if !seen[d.Publisher.ID] {
			seen[d.Publisher.ID] = true
			out = append(out, d.Publisher)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Matches reports whether a dataset matches a search: the words of q, in
// their order, begin at a word of its name, titles, description or
// publisher; the last may be the start of a word. Diacritics and case do not
// count: "y te" finds "Sở Y tế", "kham chua" finds "khám chữa bệnh".
func (d *Dataset) Matches(q string) bool {
	want := strings.Join(words(q), " ")
	if want == "" {
		return true
	}
	for _, f := range []string{d.Name, d.ID, d.Title, d.TitleEN, d.Description, d.DescriptionEN, d.Publisher.Name, d.Domain} {
		if strings.Contains(" "+strings.Join(words(f), " "), " "+want) {
			return true
		}
	}
	return false
}

// words splits folded text into its words (letters and digits).
func words(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// tableRef quotes domain.table as "domain"."table".
func tableRef(name string) string {
	ns, t, _ := strings.Cut(name, ".")
	return ident(ns) + "." + ident(t)
}
