package csv

import (
	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/internal/vnenc"
)

// headerCells cleans the cells of a header line (connectors.CleanName, and
// the legacy-mojibake repair when asked) and drops the empty cells at its end
// that a trailing delimiter leaves.
func headerCells(cells []string, repair bool) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		c = connectors.CleanName(c)
		if repair {
			c, _, _ = vnenc.RepairString(c)
		}
		out[i] = c
	}
	for len(out) > 1 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// columnNames turns header cells into unique column names.
func columnNames(cells []string, repair bool) []string {
	return connectors.ColumnNames(headerCells(cells, repair))
}
