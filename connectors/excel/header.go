package excel

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"regexp"
	"strconv"
	"strings"

	"github.com/sonla-data/kho/connectors"
)

// findHeader picks the header among the first rows of a sheet: the first row
// whose non-empty cells are at least 60% of the widest row's and mostly
// (more than half) text that is not a number or a date. It returns the index
// in rows, or -1 when no row has a cell. When no row passes the text test,
// the first wide-enough row is taken.
func findHeader(rows []row) int {
	widest := 0
	for _, r := range rows {
		widest = max(widest, r.nonEmpty())
	}
	if widest == 0 {
		return -1
	}
	fallback := -1
	for i, r := range rows {
		n := r.nonEmpty()
		if n == 0 || n*10 < widest*6 {
			continue
		}
		if fallback < 0 {
			fallback = i
		}
		text := 0
		for _, c := range r.cells {
			if c = strings.TrimSpace(c); c != "" && !looksNumeric(c) {
				text++
			}
		}
		if text*2 > n {
			return i
		}
	}
	return fallback
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$|^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$`)

// looksNumeric tells whether a cell text is a number or a date.
func looksNumeric(s string) bool {
	if _, err := strconv.ParseFloat(strings.NewReplacer(".", "", ",", ".", " ", "").Replace(s), 64); err == nil {
		return true
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return true
	}
	return isoDate.MatchString(s)
}

// isSubHeader tells whether next is the second row of a two-row header under
// top: every cell of it is text, and it has text under an empty cell of top
// (the blank that a merged group title such as "Số lao động" over "Nam", "Nữ"
// leaves).
func isSubHeader(top, next row) bool {
	n, under := 0, false
	for i, c := range next.cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if looksNumeric(strings.TrimSpace(c)) {
			return false
		}
		n++
		if i >= len(top.cells) || strings.TrimSpace(top.cells[i]) == "" {
			under = true
		}
	}
	return n >= 2 && under
}

// headerCells returns the header texts, joining a two-row header as
// "group - sub" (a group title spans the empty cells to its right that have
// a sub-title).
func headerCells(top row, sub *row) []string {
	width := len(top.cells)
	if sub != nil {
		width = max(width, len(sub.cells))
	}
	cells := make([]string, width)
	group := ""
	for i := range width {
		t := cleanName(cell(top, i))
		if sub == nil {
			cells[i] = t
			continue
		}
		s := cleanName(cell(*sub, i))
		switch {
		case t != "":
			group = t
		case s != "":
			t = group
		default:
			group = ""
		}
		switch {
		case t != "" && s != "":
			cells[i] = t + " - " + s
		case t != "":
			cells[i] = t
		default:
			cells[i] = s
		}
	}
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

func cell(r row, i int) string {
	if i < len(r.cells) {
		return r.cells[i]
	}
	return ""
}

// columnNames makes header texts unique column names (connectors.ColumnNames).
func columnNames(cells []string) []string { return connectors.ColumnNames(cells) }

// cleanName trims a header cell, makes line breaks and runs of spaces one
// space, and normalises it to NFC (connectors.CleanName).
func cleanName(s string) string { return connectors.CleanName(s) }

// leadingEmpty counts the empty header cells before the first named one: a
// table that starts at column C has two.
func leadingEmpty(cells []string) int {
	for i, c := range cells {
		if c != "" {
			return i
		}
	}
	return 0
}

// cleanCells returns the cleaned cells of a header row from column offset on.
func cleanCells(r row, offset int) []string {
	if offset >= len(r.cells) {
		return nil
	}
	out := make([]string, len(r.cells)-offset)
	for i, c := range r.cells[offset:] {
		out[i] = cleanName(c)
	}
	return out
}

// colName is the letter name of a 0-based column (0 -> A).
func colName(col int) string {
	n, err := excelize.ColumnNumberToName(col + 1)
	if err != nil {
		return fmt.Sprintf("C%d", col+1)
	}
	return n
}
