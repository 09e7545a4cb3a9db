package excel

import (
	"regexp"
	"strings"
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

// isTotal tells whether a row is a total row: its first non-empty cell is
// "Tổng cộng", "Tổng", "Tổng số" or "Cộng" (any case, a trailing colon allowed).
func isTotal(r row) bool {
	for _, c := range r.cells {
		if c = strings.TrimSpace(c); c != "" {
			return totalWords[strings.ToLower(strings.TrimRight(c, ": ."))]
		}
	}
	return false
}

// isSignature tells whether a row starts the signature block: a cell that is
// "Người lập biểu", "Thủ trưởng đơn vị", "GIÁM ĐỐC" (in capitals), "KT. GIÁM
// ĐỐC"... or a place and date line "Sơn La, ngày ... tháng ... năm ...".
// Only rows of at most three cells count: a data row is wider.
func isSignature(r row) bool {
	if r.nonEmpty() > 3 {
		return false
	}
	for _, c := range r.cells {
		c = strings.Join(strings.Fields(c), " ")
		if c == "" {
			continue
		}
		t := strings.TrimRight(c, ": .")
		if signatureCaps[t] || placeDate.MatchString(c) {
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
