package schemas

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sonla-data/kho/schemas/expr"
)

// Domains are the Iceberg namespaces of the lake, one per sector.
var Domains = []string{
	"reference", "admin_procedures", "agriculture", "industry_trade", "culture_tourism",
	"labour", "environment", "education", "transport", "construction", "health", "marts",
}

// Classifications of a dataset: who may read it.
const (
	Open       = "open"
	Shared     = "shared"
	Restricted = "restricted"
)

// Frequencies are the update frequencies a dataset may declare.
var Frequencies = []string{"continuous", "hourly", "daily", "weekly", "monthly", "quarterly", "semiannual", "annual", "irregular"}

// PIITags are the kinds of personal data a column may hold.
var PIITags = []string{"cccd", "phone", "email", "name", "address", "birth_date", "health", "ethnicity", "tax_code", "social_insurance"}

// Dataset is a conformed schema: the contract every pipeline feeding the
// dataset writes to.
type Dataset struct {
	Name    string `yaml:"dataset"`
	Label   string `yaml:"label"`
	LabelEN string `yaml:"label_en"`
	// Description is the dataset's description in English, DescriptionVI
	// in Vietnamese (the portal and the DCAT catalog show both, each tagged
	// with its language).
	Description   string `yaml:"description"`
	DescriptionVI string `yaml:"description_vi"`
	Owner         string `yaml:"owner"`
	// Frequency is how often the data itself changes and is published
	// (one of Frequencies), as the portal and DCAT's accrualPeriodicity say
	// it: a quarterly report loaded by a weekly pipeline is quarterly.
	// Empty: irregular.
	Frequency string `yaml:"frequency"`
	// Keywords are Vietnamese words and phrases a reader would search the
	// dataset by ("trường học"): the CKAN tags and DCAT keywords.
	Keywords       []string   `yaml:"keywords"`
	Classification string     `yaml:"classification"`
	Key            []string   `yaml:"key"`
	Partition      *Partition `yaml:"partition"`
	Columns        []Column   `yaml:"columns"`
	Checks         []Check    `yaml:"checks"`
	// DatasetChecks are checked on the whole table a run would commit; an
	// error-severity one that fails blocks the commit.
	DatasetChecks []DatasetCheck `yaml:"dataset_checks"`

	// File is where the schema was read from (for messages).
	File string `yaml:"-"`
}

// Partition partitions the dataset's table by a transform of a column.
type Partition struct {
	Column    string `yaml:"column"`
	Transform string `yaml:"transform"` // month (default), year, day, identity
}

// Column is one column of a dataset.
type Column struct {
	Name     string   `yaml:"name"`
	Label    string   `yaml:"label"`
	LabelEN  string   `yaml:"label_en"`
	Type     string   `yaml:"type"`
	Required bool     `yaml:"required"`
	Unique   bool     `yaml:"unique"`
	Min      *float64 `yaml:"min"`
	Max      *float64 `yaml:"max"`
	Pattern  string   `yaml:"pattern"`
	Values   []string `yaml:"values"`
	PII      string   `yaml:"pii"`
	// NoPII says the column was looked at and holds no personal data (an
	// enterprise's tax code, say): the personal-data detectors pass it over.
	NoPII      bool     `yaml:"no_pii"`
	Format     string   `yaml:"format"`     // input layout for dates and times, Go or yyyyMMdd style
	Case       string   `yaml:"case"`       // upper | lower | title: applied to text
	Whitespace string   `yaml:"whitespace"` // keep | trim (default) | collapse: applied to text
	Tones      string   `yaml:"tones"`      // new (default: tone marks moved to the new placement) | keep
	Legacy     string   `yaml:"legacy"`     // repair (default: TCVN3/VNI mojibake repaired) | keep
	AdminUnit  *UnitRef `yaml:"admin_unit"` // for type admin_unit
	// References names a column of another dataset, "domain.dataset.column",
	// whose current values this column's values must be among.
	References string `yaml:"references"`
	// Severity sets a rule's severity: error (default: the row is
	// quarantined) or warn (the row is kept and the failure counted), e.g.
	// {max: warn}. Rules: required, unique, min, max, pattern, values,
	// references.
	Severity    map[string]string `yaml:"severity"`
	Description string            `yaml:"description"`

	kind      Kind
	precision int
	scale     int
	re        *regexp.Regexp
	refDS     string
	refCol    string
}

// Warn reports whether a rule of the column has severity warn.
func (c *Column) Warn(rule string) bool { return c.Severity[rule] == SeverityWarn }

// RefersTo returns the dataset and column a references rule names.
func (c *Column) RefersTo() (dataset, column string, ok bool) {
	return c.refDS, c.refCol, c.refDS != ""
}

// UnitRef says how an admin_unit column is matched.
type UnitRef struct {
	// Level is commune (default), district or province.
	Level string `yaml:"level"`
	// DateColumn names the column whose value dates the row: the unit valid on
	// that day is the one matched. Empty: the day of the load.
	DateColumn string `yaml:"date_column"`
	// DistrictColumn names a text column holding the district, to tell apart
	// communes of the same name before the reform.
	DistrictColumn string `yaml:"district_column"`
}

// Check is a row-level rule: an expression of the row's columns that must not
// be false (package expr), e.g. "due_at >= received_at" or "output_tonnes is
// null or output_tonnes / area_ha <= 80". A row where it is null passes.
type Check struct {
	Name      string `yaml:"name"`
	Assert    string `yaml:"assert"`
	Severity  string `yaml:"severity"`   // error (default: quarantine the row) | warn
	Message   string `yaml:"message"`    // Vietnamese reason
	MessageEN string `yaml:"message_en"` // English reason
	expr      *expr.Expr
	statKey   string // "check:name", its key in Stats
}

// Severities of a rule.
const (
	SeverityError = "error"
	SeverityWarn  = "warn"
)

// DatasetCheck is a check of the whole table a run would commit.
type DatasetCheck struct {
	Name string `yaml:"name"`
	// Type is row_count_change (the table's rows after the commit against
	// before it), key_unique (the dataset's key unique across the whole table
	// after a merge) or min_rows.
	Type string `yaml:"type"`
	// MaxDrop and MaxGrowth bound a row_count_change as fractions: 0.5 fails
	// when the table would lose more than half its rows, 2 when it would more
	// than triple. A table that was empty passes.
	MaxDrop   *float64 `yaml:"max_drop"`
	MaxGrowth *float64 `yaml:"max_growth"`
	// Min is the least number of rows of a min_rows check.
	Min      *int64 `yaml:"min"`
	Severity string `yaml:"severity"` // error (default: block the commit) | warn
}

// Expr is the parsed assertion (valid after the schema was loaded).
func (c *Check) Expr() *expr.Expr { return c.expr }

// Kind is a column's parsed type.
type Kind int

// The column kinds.
const (
	KindString Kind = iota + 1
	KindInt
	KindFloat
	KindDecimal
	KindDate
	KindTimestamp
	KindBool
	KindAdminUnit
)

var decimalRe = regexp.MustCompile(`^decimal\((\d+),\s*(\d+)\)$`)

func parseKind(t string) (k Kind, precision, scale int, err error) {
	switch t {
	case "string":
		return KindString, 0, 0, nil
	case "int":
		return KindInt, 0, 0, nil
	case "float":
		return KindFloat, 0, 0, nil
	case "date":
		return KindDate, 0, 0, nil
	case "timestamp":
		return KindTimestamp, 0, 0, nil
	case "bool":
		return KindBool, 0, 0, nil
	case "admin_unit":
		return KindAdminUnit, 0, 0, nil
	}
	if m := decimalRe.FindStringSubmatch(t); m != nil {
		p, _ := strconv.Atoi(m[1])
		s, _ := strconv.Atoi(m[2])
		if p < 1 || p > 38 || s > p {
			return 0, 0, 0, fmt.Errorf("decimal(%d,%d): precision must be 1..38 and scale at most the precision", p, s)
		}
		return KindDecimal, p, s, nil
	}
	return 0, 0, 0, fmt.Errorf("unknown type %q (string, int, float, decimal(p,s), date, timestamp, bool, admin_unit)", t)
}

// Kind returns the column's parsed type (valid after the schema was loaded).
func (c *Column) Kind() Kind { return c.kind }

// Namespace is the domain part of the dataset name.
func (d *Dataset) Namespace() string { ns, _, _ := strings.Cut(d.Name, "."); return ns }

// Table is the table part of the dataset name.
func (d *Dataset) Table() string { _, t, _ := strings.Cut(d.Name, "."); return t }

// Column finds a column by name.
func (d *Dataset) Column(name string) (*Column, bool) {
	for i := range d.Columns {
		if d.Columns[i].Name == name {
			return &d.Columns[i], true
		}
	}
	return nil, false
}

// IsKey reports whether a column is part of the dataset's key.
func (d *Dataset) IsKey(name string) bool {
	for _, k := range d.Key {
		if k == name {
			return true
		}
	}
	return false
}

// key is the check's key in Stats.
func (ck *Check) key() string {
	if ck.statKey != "" {
		return ck.statKey
	}
	return "check:" + ck.Name
}
