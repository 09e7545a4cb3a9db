// Package vndate reads dates written out in Vietnamese words, as
// administrative documents and report footers write them: "ngày 08 tháng 10
// năm 2024", "Sơn La, ngày 8 tháng 10 năm 2024", "ngày mồng 5 tháng 1 năm
// 2025". Connectors keep such cells as text; the conform step calls
// ParseVietnameseDate for a date column.
//
// It is Kho's own: no Go library reads this form.
package vndate

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// wordDate matches "[place,] ngày [mồng|mùng] D tháng M năm YYYY", the
// "ngày" optional, in any case, with any spacing.
var wordDate = regexp.MustCompile(`^(?:[\p{L} .'-]*,\s*)?(?:ngày\s+)?(?:(?:mồng|mùng)\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})\s*\.?$`)

// ParseVietnameseDate reads a date in words: "ngày 08 tháng 10 năm 2024" is
// 8 October 2024. A place before a comma ("Sơn La, ngày ..."), "mồng"/"mùng"
// before a day, capitals, NFD text and extra spaces are accepted. It returns
// the date at midnight UTC (a calendar day, no time zone meant) and true, or
// false when s is not such a date or names a day that does not exist (31
// tháng 2), or is a blank form ("ngày ... tháng ... năm 2024").
func ParseVietnameseDate(s string) (time.Time, bool) {
	s = strings.ToLower(norm.NFC.String(strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")))
	m := wordDate.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	d, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	y, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != mo || t.Year() != y || y < 1900 {
		return time.Time{}, false
	}
	return t, true
}
