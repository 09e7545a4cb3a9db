package connectors

import (
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// CleanName makes a header cell a column name: a byte-order mark and
// no-break spaces dropped, trimmed, line breaks and runs of white space made
// one space, NFC.
func CleanName(s string) string {
	s = strings.ReplaceAll(s, "\ufeff", "")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return norm.NFC.String(strings.Join(strings.Fields(s), " "))
}

// ColumnNames makes cleaned header cells unique column names: an empty cell
// at position N (1-based) is named cN; a name seen before, or one of the
// reserved provenance names, gets a suffix _2, _3...
func ColumnNames(cells []string) []string {
	names := make([]string, len(cells))
	seen := map[string]bool{ColFile: true, ColRow: true, ColError: true}
	for i, n := range cells {
		if n == "" {
			n = fmt.Sprintf("c%d", i+1)
		}
		u := n
		for k := 2; seen[u]; k++ {
			u = fmt.Sprintf("%s_%d", n, k)
		}
		seen[u] = true
		names[i] = u
	}
	return names
}

// PositionalNames returns c1..cN, the columns of a file without a header.
func PositionalNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("c%d", i+1)
	}
	return names
}
