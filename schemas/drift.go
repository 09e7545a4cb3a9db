package schemas

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/internal/provenance"
	"github.com/sonla-data/kho/internal/yamlpos"
)

// Unused lists the source columns that feed no column of the dataset
// (provenance columns aside), in source order.
func (c *Conformer) Unused() []string {
	used := map[int]bool{}
	for _, p := range c.cols {
		if p.src >= 0 {
			used[p.src] = true
		}
	}
	var out []string
	for i, name := range c.srcCols {
		if !used[i] && !provenance.Reserved(name) {
			out = append(out, name)
		}
	}
	return out
}

// WithColumns returns a copy of the dataset with more columns, validated as a
// schema file would be. It is how a pipeline whose schema_drift is evolve
// carries new source columns into the lake.
func (d *Dataset) WithColumns(cols ...Column) (*Dataset, error) {
	cp := *d
	cp.Columns = append(append([]Column(nil), d.Columns...), cols...)
	cp.Checks = append([]Check(nil), d.Checks...)
	if d.Partition != nil {
		p := *d.Partition
		cp.Partition = &p
	}
	if err := cp.validate(yamlpos.Doc{File: d.File}); err != nil {
		return nil, fmt.Errorf("evolving %s: %w", d.Name, err)
	}
	return &cp, nil
}

// ColumnFor proposes a dataset column for a source column the dataset does not
// have: an English-safe snake_case name (diacritics removed: "Số hộ" becomes
// so_ho), the source name as its label, and the type nearest to the Arrow type.
func ColumnFor(field arrow.Field) Column {
	typ := "string"
	switch t := field.Type.(type) {
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type:
		typ = "int"
	case *arrow.Float32Type, *arrow.Float64Type:
		typ = "float"
	case *arrow.BooleanType:
		typ = "bool"
	case *arrow.Date32Type, *arrow.Date64Type:
		typ = "date"
	case *arrow.TimestampType:
		typ = "timestamp"
	case *arrow.Decimal128Type:
		typ = fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	}
	return Column{Name: SnakeName(field.Name), Label: field.Name, LabelEN: field.Name, Type: typ}
}

// SnakeName turns a header into an identifier: diacritics removed, đ as d,
// lower case, runs of other characters as one underscore.
func SnakeName(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	plain, _, _ := transform.String(t, s)
	plain = strings.NewReplacer("đ", "d", "Đ", "D").Replace(plain)
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(plain) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			under = false
		} else if !under && b.Len() > 0 {
			b.WriteByte('_')
			under = true
		}
	}
	out := strings.TrimSuffix(b.String(), "_")
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "c_" + out
	}
	return out
}
