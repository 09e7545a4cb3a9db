package sqltest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// TypeCase is one column of an all-types table: its database type, the
// values of rows 1 to 4 as SQL literals, the dataset type it is conformed to,
// and what the lake must then hold in each row (see Scan for the Go types).
type TypeCase struct {
	Col    string
	DBType string
	DSType string
	Values [4]string
	Want   [4]any
}

// Lit is s as an SQL string literal.
func Lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Local is the instant of a wall clock in Asia/Ho_Chi_Minh.
func Local(s string) time.Time { return UTC(sqlsource.Local, "2006-01-02 15:04:05.999999", s) }

// AtUTC is the instant of a UTC wall clock.
func AtUTC(s string) time.Time { return UTC(time.UTC, "2006-01-02 15:04:05.999999", s) }

// TypesTable is the CREATE TABLE of the cases (with an int key `id`) and one
// INSERT per row.
func TypesTable(table, keyType string, cases []TypeCase) (create string, inserts []string) {
	cols := []string{"id " + keyType + " PRIMARY KEY"}
	for _, c := range cases {
		cols = append(cols, c.Col+" "+c.DBType)
	}
	create = "CREATE TABLE " + table + " (" + strings.Join(cols, ", ") + ")"
	for r := range 4 {
		vals := []string{fmt.Sprint(r + 1)}
		for _, c := range cases {
			vals = append(vals, c.Values[r])
		}
		inserts = append(inserts, "INSERT INTO "+table+" VALUES ("+strings.Join(vals, ", ")+")")
	}
	return create, inserts
}

// DatasetYAML is a dataset schema with an int key `id` and one column per
// case; text is kept as the source wrote it (only composed to NFC).
func DatasetYAML(name string, cases []TypeCase) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dataset: %s\nlabel: Kiểm thử\nowner: Sở Khoa học và Công nghệ\nclassification: restricted\nkey: [id]\ncolumns:\n", name)
	b.WriteString("  - {name: id, label: Mã, type: int, required: true}\n")
	for _, c := range cases {
		fmt.Fprintf(&b, "  - {name: %s, label: %s, type: %q", c.Col, c.Col, c.DSType)
		if c.DSType == "string" {
			b.WriteString(", whitespace: keep, tones: keep, legacy: keep")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// CompareTypes checks the lake's rows (ids 1 to 4) against the cases, value
// by value, one subtest per column; floats bit for bit (NaN, -0).
func CompareTypes(t *testing.T, rows []map[string]any, cases []TypeCase) {
	require.Len(t, rows, 4)
	byID := map[int64]map[string]any{}
	for _, r := range rows {
		byID[r["id"].(int64)] = r
	}
	for _, c := range cases {
		t.Run(c.Col, func(t *testing.T) {
			for r := range 4 {
				got := byID[int64(r+1)][c.Col]
				want := c.Want[r]
				if f, ok := want.(float64); ok {
					g, isFloat := got.(float64)
					assert.True(t, isFloat && SameFloat(f, g), "row %d: %s: got %v, want %v", r+1, c.Values[r], got, want)
					continue
				}
				assert.Equal(t, want, got, "row %d: %s", r+1, c.Values[r])
			}
		})
	}
}
