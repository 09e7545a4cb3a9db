// Package dictionary writes the province's data dictionary: a browsable set
// of static HTML pages, an index of every dataset by sector and one page per
// dataset — Vietnamese labels first, English beside them — with its
// classification, owner, key, partitioning, columns (types, rules, personal
// data tags), row checks, dataset checks, the pipelines that feed it and the
// marts that read it.
package dictionary

import (
	"embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sonla-data/kho/schemas"
)

//go:embed templates/*.html
var templates embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"join": strings.Join,
	"page": Page,
}).ParseFS(templates, "templates/*.html"))

// Feed is a pipeline that writes a dataset.
type Feed struct {
	Name, Description, Source, Schedule, Mode string
}

// Sector labels, Vietnamese and English, of the lake's namespaces.
var Sectors = map[string][2]string{
	"reference":        {"Dữ liệu tham chiếu", "Reference data"},
	"admin_procedures": {"Thủ tục hành chính", "Administrative procedures"},
	"agriculture":      {"Nông nghiệp", "Agriculture"},
	"industry_trade":   {"Công Thương", "Industry and trade"},
	"culture_tourism":  {"Văn hóa, thể thao và du lịch", "Culture, sports and tourism"},
	"labour":           {"Lao động, việc làm", "Labour and employment"},
	"environment":      {"Môi trường", "Environment"},
	"education":        {"Giáo dục và đào tạo", "Education and training"},
	"transport":        {"Giao thông vận tải", "Transport"},
	"construction":     {"Xây dựng", "Construction"},
	"health":           {"Y tế", "Health"},
	"marts":            {"Dữ liệu tổng hợp", "Marts"},
}

// Classification labels.
var Classifications = map[string][2]string{
	schemas.Open:       {"Mở", "open"},
	schemas.Shared:     {"Chia sẻ giữa cơ quan", "shared between agencies"},
	schemas.Restricted: {"Hạn chế", "restricted"},
}

// Page is the file name of a dataset's page.
func Page(dataset string) string { return dataset + ".html" }

type sector struct {
	Name, Label, LabelEN string
	Datasets             []*schemas.Dataset
}

type columnView struct {
	*schemas.Column
	Rules []string
	Key   bool
}

type datasetView struct {
	*schemas.Dataset
	Sector        [2]string
	Class         [2]string
	Columns       []columnView
	Rules         []schemas.RuleInfo
	Feeds         []Feed
	Readers       []string
	PartitionText string
	PII           []string
}

// Write writes index.html and one page per dataset into dir. feeds lists,
// by dataset, the pipelines that write it; readers the marts that read it.
func Write(dir string, set *schemas.Set, feeds map[string][]Feed, readers map[string][]string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	bySector := map[string]*sector{}
	for _, ds := range set.All() {
		ns := ds.Namespace()
		s := bySector[ns]
		if s == nil {
			lab := Sectors[ns]
			s = &sector{Name: ns, Label: lab[0], LabelEN: lab[1]}
			bySector[ns] = s
		}
		s.Datasets = append(s.Datasets, ds)
		if err := writePage(dir, view(ds, feeds[ds.Name], readers[ds.Name])); err != nil {
			return err
		}
	}
	var sectors []*sector
	for _, ns := range schemas.Domains {
		if s, ok := bySector[ns]; ok {
			sectors = append(sectors, s)
		}
	}
	f, err := os.Create(filepath.Join(dir, "index.html"))
	if err != nil {
		return fmt.Errorf("writing the dictionary's index: %w", err)
	}
	err = pages.ExecuteTemplate(f, "index.html", map[string]any{"Sectors": sectors, "Count": len(set.All()), "Classes": Classifications})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the dictionary's index: %w", err)
	}
	return nil
}

func view(ds *schemas.Dataset, feeds []Feed, readers []string) datasetView {
	v := datasetView{Dataset: ds, Sector: Sectors[ds.Namespace()], Class: Classifications[ds.Classification], Feeds: feeds, Readers: readers}
	sort.Strings(v.Readers)
	byCol := map[string][]string{}
	v.Rules = ds.Rules()
	for _, r := range v.Rules {
		if r.Column != "" && !strings.Contains(r.Column, ",") {
			text := r.Rule
			if r.Text != "" && r.Rule != "required" {
				text = r.Rule + ": " + r.Text
			}
			if r.Severity == schemas.SeverityWarn {
				text += " (warn)"
			}
			byCol[r.Column] = append(byCol[r.Column], text)
		}
	}
	for i := range ds.Columns {
		c := &ds.Columns[i]
		v.Columns = append(v.Columns, columnView{Column: c, Rules: byCol[c.Name], Key: ds.IsKey(c.Name)})
		if c.PII != "" {
			v.PII = append(v.PII, c.Name+" ("+c.PII+")")
		}
	}
	if p := ds.Partition; p != nil {
		v.PartitionText = p.Transform + "(" + p.Column + ")"
	}
	return v
}

func writePage(dir string, v datasetView) error {
	f, err := os.Create(filepath.Join(dir, Page(v.Name)))
	if err != nil {
		return fmt.Errorf("writing the page of %s: %w", v.Name, err)
	}
	err = pages.ExecuteTemplate(f, "dataset.html", v)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the page of %s: %w", v.Name, err)
	}
	return nil
}
