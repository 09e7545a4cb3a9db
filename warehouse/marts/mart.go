package marts

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sonla-data/kho/schemas"
)

// Mart is one mart: its SQL and what its header says.
type Mart struct {
	Name        string
	Label       string
	LabelEN     string
	Description string
	// DescriptionVI is the description in Vietnamese ("-- description_vi:"),
	// shown on the Vietnamese pages.
	DescriptionVI string
	// Columns label the mart's columns for the pages ("-- column:" lines):
	// the dashboard shows a figure by its label, never by its name.
	Columns   []ColumnLabel
	Key       []string
	DependsOn []string // tables read, "namespace.table"
	Tests     []Test
	SQL       string
	File      string
	// Volatile marts read the lake's metadata (kho.tables, kho.snapshots)
	// or the clock: they are rebuilt at every build, never skipped.
	Volatile bool
	// Figures say how the dashboard may aggregate the mart's numeric
	// columns over its rows (communes): "-- figure:" header lines.
	Figures []Figure
}

// Figure is one "-- figure:" line: how a numeric column adds up over rows.
//
//	-- figure: crop_area_ha = sum                           an additive amount or count
//	-- figure: crop_yield_t_per_ha = crop_output_tonnes / crop_area_ha
//	                                                        a ratio: sum of one over sum of the other
//	-- figure: cement_price_vnd_t = none                    not shown added up
//
// A mart that declares figures must declare every numeric column outside its
// key (checked when it is built), and a sector mart (sector_*) must declare
// figures: the dashboard shows and adds up only what is declared.
type Figure struct {
	Column   string
	Kind     string // FigureSum | FigureRatio | FigureNone
	Num, Den string // the columns of a ratio
	Line     int
}

// ColumnLabel is one "-- column:" line: a column's Vietnamese and English
// labels.
//
//	-- column: crop_area_ha = Diện tích gieo trồng (ha) | Crop area (ha)
type ColumnLabel struct {
	Name, Label, LabelEN string
	Line                 int
}

// ColumnLabel returns the labels of a column.
func (m *Mart) ColumnLabel(col string) (ColumnLabel, bool) {
	for _, c := range m.Columns {
		if c.Name == col {
			return c, true
		}
	}
	return ColumnLabel{}, false
}

func parseColumnLabel(val string, line int) (ColumnLabel, error) {
	name, labels, ok := strings.Cut(val, "=")
	vi, en, ok2 := strings.Cut(labels, "|")
	c := ColumnLabel{Name: strings.TrimSpace(name), Label: strings.TrimSpace(vi), LabelEN: strings.TrimSpace(en), Line: line}
	if !ok || !ok2 || !identRe.MatchString(c.Name) || c.Label == "" || c.LabelEN == "" {
		return ColumnLabel{}, fmt.Errorf("column %q must be name = Vietnamese label | English label", val)
	}
	return c, nil
}

var identRe = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Figure kinds.
const (
	FigureSum   = "sum"
	FigureRatio = "ratio"
	FigureNone  = "none"
)

// Figure returns the declaration of a column.
func (m *Mart) Figure(col string) (Figure, bool) {
	for _, f := range m.Figures {
		if f.Column == col {
			return f, true
		}
	}
	return Figure{}, false
}

var figureRe = regexp.MustCompile(`^([a-z_][a-z0-9_]*)\s*=\s*(?:(sum|none)|([a-z_][a-z0-9_]*)\s*/\s*([a-z_][a-z0-9_]*))$`)

func parseFigure(val string, line int) (Figure, error) {
	mm := figureRe.FindStringSubmatch(val)
	if mm == nil {
		return Figure{}, fmt.Errorf("figure %q must be column = sum, column = none or column = numerator / denominator", val)
	}
	f := Figure{Column: mm[1], Kind: mm[2], Line: line}
	if f.Kind == "" {
		f.Kind, f.Num, f.Den = FigureRatio, mm[3], mm[4]
	}
	return f, nil
}

// CheckFigures checks a mart's figure declarations against the columns of
// its result (name -> numeric): every declared column and ratio part is a
// numeric column, every numeric column outside the key is declared when the
// mart declares figures, and a sector mart declares them.
func (m *Mart) CheckFigures(cols []string, numeric map[string]bool) error {
	var errs []error
	has := map[string]bool{}
	for _, c := range cols {
		has[c] = true
	}
	for _, c := range m.Columns {
		if !has[c.Name] {
			errs = append(errs, fmt.Errorf("%s:%d: column %s is labelled but the mart has no such column", m.File, c.Line, c.Name))
		}
	}
	if len(m.Figures) == 0 {
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		if strings.HasPrefix(m.Name, "sector_") {
			return fmt.Errorf("%s: a sector mart needs \"-- figure:\" lines: how the dashboard adds up each numeric column", m.File)
		}
		return nil
	}
	for _, f := range m.Figures {
		for _, c := range []string{f.Column, f.Num, f.Den} {
			if c != "" && !numeric[c] {
				errs = append(errs, fmt.Errorf("%s:%d: figure %s: %s is not a numeric column of the mart", m.File, f.Line, f.Column, c))
			}
		}
	}
	for _, c := range cols {
		if numeric[c] && !slices.Contains(m.Key, c) {
			if _, ok := m.Figure(c); !ok {
				errs = append(errs, fmt.Errorf("%s: numeric column %s has no \"-- figure: %s = sum | none | numerator / denominator\" line", m.File, c, c))
			}
		}
	}
	return errors.Join(errs...)
}

// Test is one test of a mart; it fails when its SQL returns any row.
type Test struct {
	Kind string // not_null, unique, accepted_values, accepted_range, reconcile
	Args string
	Line int
	SQL  string
}

// SystemNamespace is where the lake's metadata tables are (kho.tables,
// kho.snapshots; see warehouse/query).
const SystemNamespace = "kho"

// Table is the mart's lake table.
func (m *Mart) Table() string { return "marts." + m.Name }

var (
	headerRe = regexp.MustCompile(`^--\s*([a-z_]+):\s*(.*)$`)
	tableRe  = regexp.MustCompile(`(?i)\b(` + strings.Join(schemas.Domains, "|") + `|` + SystemNamespace + `)\.([a-z_][a-z0-9_]*)\b`)
	nameRe   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	nowRe    = regexp.MustCompile(`(?i)\b(now|today|get_current_time|get_current_timestamp)\s*\(|\bcurrent_(date|timestamp)\b`)
)

// Load reads every marts/*.sql of fsys and checks them all at once.
func Load(fsys fs.FS, dir string) ([]*Mart, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var (
		out  []*Mart
		errs []error
	)
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m, err := Parse(f, string(b))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, m)
	}
	if len(errs) == 0 {
		if _, err := Order(out); err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// Parse reads one mart file.
func Parse(file, text string) (*Mart, error) {
	m := &Mart{Name: strings.TrimSuffix(path.Base(file), ".sql"), File: file}
	var errs []error
	sc := bufio.NewScanner(strings.NewReader(text))
	line := 0
	var body []string
	lastKey := ""
	inHeader := true
	for sc.Scan() {
		line++
		l := sc.Text()
		if inHeader && strings.HasPrefix(l, "--") {
			// A description goes on over lines indented by three spaces,
			// whatever they hold.
			if strings.HasPrefix(l, "--   ") && lastKey == "description" {
				m.Description += " " + strings.TrimSpace(strings.TrimPrefix(l, "--"))
			} else if strings.HasPrefix(l, "--   ") && lastKey == "description_vi" {
				m.DescriptionVI += " " + strings.TrimSpace(strings.TrimPrefix(l, "--"))
			} else if mm := headerRe.FindStringSubmatch(l); mm != nil {
				lastKey = mm[1]
				if err := m.set(mm[1], strings.TrimSpace(mm[2]), line); err != nil {
					errs = append(errs, fmt.Errorf("%s:%d: %w", file, line, err))
				}
			} else {
				lastKey = ""
			}
			continue
		}
		inHeader = false
		body = append(body, l)
	}
	m.SQL = strings.TrimSpace(strings.Join(body, "\n"))
	m.SQL = strings.TrimSuffix(m.SQL, ";")
	if !nameRe.MatchString(m.Name) {
		errs = append(errs, fmt.Errorf("%s:1: mart name %q must be snake_case", file, m.Name))
	}
	if m.Label == "" {
		errs = append(errs, fmt.Errorf("%s:1: a mart needs a \"-- label:\" line", file))
	}
	if m.SQL == "" {
		errs = append(errs, fmt.Errorf("%s: no SQL after the header", file))
	}
	found := map[string]bool{}
	for _, d := range m.DependsOn {
		found[d] = true
	}
	for _, mm := range tableRe.FindAllStringSubmatch(stripComments(m.SQL), -1) {
		t := strings.ToLower(mm[1] + "." + mm[2])
		if !found[t] && t != m.Table() {
			found[t] = true
			m.DependsOn = append(m.DependsOn, t)
		}
	}
	if strings.HasPrefix(m.Name, "sector_") {
		// The dashboard shows a sector's figures by their labels.
		for _, f := range m.Figures {
			if _, ok := m.ColumnLabel(f.Column); !ok && f.Kind != FigureNone {
				errs = append(errs, fmt.Errorf("%s:%d: figure %s needs a \"-- column: %s = Vietnamese label | English label\" line (the dashboard shows it by its label)", file, f.Line, f.Column, f.Column))
			}
		}
	}
	sort.Strings(m.DependsOn)
	for _, d := range m.DependsOn {
		if strings.HasPrefix(d, SystemNamespace+".") {
			m.Volatile = true
		}
	}
	if nowRe.MatchString(stripComments(m.SQL)) {
		m.Volatile = true
	}
	for i := range m.Tests {
		sqlText, err := m.testSQL(m.Tests[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: test %s(%s): %w", file, m.Tests[i].Line, m.Tests[i].Kind, m.Tests[i].Args, err))
		}
		m.Tests[i].SQL = sqlText
		for _, mm := range tableRe.FindAllStringSubmatch(m.Tests[i].Args, -1) {
			t := strings.ToLower(mm[1] + "." + mm[2])
			if !found[t] && t != m.Table() {
				found[t] = true
				m.DependsOn = append(m.DependsOn, t)
			}
		}
	}
	return m, errors.Join(errs...)
}

func (m *Mart) set(key, val string, line int) error {
	switch key {
	case "mart":
		if val != m.Name {
			return fmt.Errorf("mart %q must be named as its file (%s)", val, m.Name)
		}
	case "label":
		m.Label = val
	case "label_en":
		m.LabelEN = val
	case "description":
		m.Description = val
	case "description_vi":
		m.DescriptionVI = val
	case "column":
		c, err := parseColumnLabel(val, line)
		if err != nil {
			return err
		}
		if _, dup := m.ColumnLabel(c.Name); dup {
			return fmt.Errorf("column %s is labelled twice", c.Name)
		}
		m.Columns = append(m.Columns, c)
	case "key":
		m.Key = splitList(val)
	case "depends_on":
		m.DependsOn = append(m.DependsOn, splitList(val)...)
	case "figure":
		f, err := parseFigure(val, line)
		if err != nil {
			return err
		}
		if _, dup := m.Figure(f.Column); dup {
			return fmt.Errorf("figure %s is declared twice", f.Column)
		}
		m.Figures = append(m.Figures, f)
	case "test":
		kind, args, ok := strings.Cut(val, "(")
		if !ok || !strings.HasSuffix(args, ")") {
			return fmt.Errorf("test %q must be kind(args)", val)
		}
		m.Tests = append(m.Tests, Test{Kind: strings.TrimSpace(kind), Args: strings.TrimSuffix(args, ")"), Line: line})
	default:
		return fmt.Errorf("unknown header %q (mart, label, label_en, description, description_vi, key, depends_on, figure, column, test)", key)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var lineComment = regexp.MustCompile(`--[^\n]*`)

func stripComments(s string) string { return lineComment.ReplaceAllString(s, "") }

// Order sorts marts so that every mart comes after the marts it reads.
func Order(ms []*Mart) ([]*Mart, error) {
	by := map[string]*Mart{}
	for _, m := range ms {
		by[m.Table()] = m
	}
	var (
		out   []*Mart
		state = map[string]int{} // 1 visiting, 2 done
		visit func(m *Mart, chain []string) error
	)
	visit = func(m *Mart, chain []string) error {
		switch state[m.Name] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("%s: marts depend on each other in a cycle: %s", m.File, strings.Join(append(chain, m.Name), " -> "))
		}
		state[m.Name] = 1
		for _, d := range m.DependsOn {
			if dep, ok := by[d]; ok {
				if err := visit(dep, append(chain, m.Name)); err != nil {
					return err
				}
			} else if strings.HasPrefix(d, "marts.") {
				return fmt.Errorf("%s: reads %s, which is not a mart", m.File, d)
			}
		}
		state[m.Name] = 2
		out = append(out, m)
		return nil
	}
	sorted := slices.Clone(ms)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, m := range sorted {
		if err := visit(m, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
