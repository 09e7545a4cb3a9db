package csv

import (
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/internal/vnenc"
)

// columnNames turns header cells into column names: trimmed, line breaks made
// spaces, NFC; an empty cell at position N is named cN; a name seen before
// (or a reserved provenance name) gets a suffix _2, _3...
func columnNames(cells []string, repair bool) []string {
	names := make([]string, len(cells))
	seen := map[string]bool{connectors.ColFile: true, connectors.ColRow: true, connectors.ColError: true}
	for i, c := range cells {
		n := cleanName(c, repair)
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

func cleanName(s string, repair bool) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
	s = strings.TrimPrefix(s, "\ufeff")
	if repair {
		s, _, _ = vnenc.RepairString(s)
	}
	return norm.NFC.String(s)
}

// positional returns c1..cN for a file without a header.
func positional(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("c%d", i+1)
	}
	return names
}
