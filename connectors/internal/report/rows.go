package report

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// totalWords are the first cells of a total (or subtotal) row.
var totalWords = map[string]bool{"tổng cộng": true, "tổng": true, "cộng": true, "tổng số": true}

// signatureStarts begin the signature block at the foot of a report
// (compared in lower case).
var signatureStarts = []string{"người lập biểu", "người lập", "người lập bảng", "thủ trưởng đơn vị", "thủ trưởng", "kt. giám đốc", "kt.giám đốc", "kt giám đốc"}

// signatureCaps are titles that sign a report, in the capitals they are typed in.
var signatureCaps = map[string]bool{"GIÁM ĐỐC": true, "PHÓ GIÁM ĐỐC": true, "KT. GIÁM ĐỐC": true, "CHỦ TỊCH": true, "KT. CHỦ TỊCH": true, "TM. UỶ BAN NHÂN DÂN": true, "TM. ỦY BAN NHÂN DÂN": true}

// placeDate matches "Sơn La, ngày 08 tháng 10 năm 2024" and its dotted forms.
var placeDate = regexp.MustCompile(`(?i)^[\p{L} .]*,?\s*ngày\s*[\d.…_ ]*\s*tháng\s*[\d.…_ ]*\s*năm\s*[\d.…_ ]*$`)

// NonEmpty counts the cells with text.
func NonEmpty(cells []string) int {
	n := 0
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

// totalPrefixes begin the first cell of a subtotal row ("Cộng huyện Mường
// La", "Tổng cộng toàn tỉnh").
var totalPrefixes = []string{"tổng cộng ", "tổng số ", "tổng toàn ", "cộng huyện ", "cộng thành phố ", "cộng xã ", "cộng phường ",
	"cộng toàn ", "cộng các ", "cộng lũy kế", "cộng luỹ kế", "cộng dồn", "cộng chung"}

// IsTotal tells whether a row is a total row: its first non-empty cell is
// "Tổng cộng", "Tổng", "Tổng số" or "Cộng" (any case, NFC or NFD, a trailing
// colon allowed), or starts a subtotal ("Cộng huyện …", "Tổng cộng toàn …").
func IsTotal(cells []string) bool {
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			low := strings.ToLower(norm.NFC.String(strings.Join(strings.Fields(strings.TrimRight(c, ": .")), " ")))
			if totalWords[low] {
				return true
			}
			for _, p := range totalPrefixes {
				if strings.HasPrefix(low, p) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// IsSignature tells whether a row starts the signature block: a cell that is
// "Người lập biểu", "Thủ trưởng đơn vị", "GIÁM ĐỐC" (in capitals), "KT. GIÁM
// ĐỐC"... or a place and date line "Sơn La, ngày ... tháng ... năm ...".
// Only rows of at most three cells count: a data row is wider. A date in
// words can be data, so the place and date line counts only alone on its
// row and not in the first column (reports set it to the right).
func IsSignature(cells []string) bool {
	n := NonEmpty(cells)
	if n > 3 {
		return false
	}
	for i, c := range cells {
		c = norm.NFC.String(strings.Join(strings.Fields(c), " "))
		if c == "" {
			continue
		}
		t := strings.TrimRight(c, ": .")
		if signatureCaps[t] || (n == 1 && i > 0 && placeDate.MatchString(c)) {
			return true
		}
		low := strings.ToLower(t)
		for _, s := range signatureStarts {
			if low == s || strings.HasPrefix(low, s+" ") || strings.HasPrefix(low, s+"(") {
				return true
			}
		}
	}
	return false
}

// IsRepeatedHeader tells whether a row repeats the header: at least two
// cells, and every cell, cleaned by clean, equals the header cell at its
// position (header holds the cleaned header cells).
func IsRepeatedHeader(cells, header []string, clean func(string) string) bool {
	if NonEmpty(header) < 2 || NonEmpty(cells) < 2 {
		return false
	}
	for i, c := range cells {
		h := ""
		if i < len(header) {
			h = header[i]
		}
		if clean(c) != h {
			return false
		}
	}
	for i := len(cells); i < len(header); i++ {
		if header[i] != "" {
			return false
		}
	}
	return true
}

// IsColumnNumbers tells whether a row numbers the columns of the table above
// it, as Vietnamese report forms do under their header: every non-empty cell
// is "(k)", "k" or a capital letter, the numbers run 1, 2, 3... from left to
// right, and at least three cells are numbered.
func IsColumnNumbers(cells []string) bool {
	next, numbered := 1, 0
	for _, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		inner := strings.TrimSuffix(strings.TrimPrefix(c, "("), ")")
		if n, err := strconv.Atoi(inner); err == nil {
			if n != next {
				return false
			}
			next++
			numbered++
			continue
		}
		if r, size := utf8.DecodeRuneInString(inner); size == len(inner) && r >= 'A' && r <= 'Z' {
			continue
		}
		return false
	}
	return numbered >= 3
}
