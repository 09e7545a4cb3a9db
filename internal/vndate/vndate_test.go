package vndate

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/text/unicode/norm"
)

func TestParseVietnameseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // yyyy-mm-dd, "" for not a date
	}{
		{"ngày 08 tháng 10 năm 2024", "2024-10-08"},
		{"Ngày 8 tháng 10 năm 2024", "2024-10-08"},
		{"NGÀY 08 THÁNG 10 NĂM 2024", "2024-10-08"},
		{"Sơn La, ngày 08 tháng 10 năm 2024", "2024-10-08"},
		{"Thành phố Sơn La,  ngày  01  tháng 7 năm 2025.", "2025-07-01"},
		{"ngày mồng 5 tháng 1 năm 2025", "2025-01-05"},
		{"ngày mùng 5 tháng 01 năm 2025", "2025-01-05"},
		{"08 tháng 10 năm 2024", "2024-10-08"},
		{norm.NFD.String("ngày 29 tháng 2 năm 2024"), "2024-02-29"},
		{"ngày\u00a008 tháng 10 năm 2024", "2024-10-08"},
		{"ngày 29 tháng 2 năm 2025", ""},
		{"ngày 31 tháng 4 năm 2025", ""},
		{"ngày 0 tháng 4 năm 2025", ""},
		{"ngày 08 tháng 13 năm 2024", ""},
		{"ngày ... tháng ... năm 2024", ""},
		{"tháng 10 năm 2024", ""},
		{"ngày 08 tháng 10 năm 24", ""},
		{"08/10/2024", ""},
		{"Người lập biểu", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseVietnameseDate(tt.in)
			if tt.want == "" {
				assert.False(t, ok)
				assert.True(t, got.IsZero())
				return
			}
			assert.True(t, ok)
			assert.Equal(t, tt.want, got.Format("2006-01-02"))
		})
	}
}

func ExampleParseVietnameseDate() {
	t, ok := ParseVietnameseDate("Sơn La, ngày 08 tháng 10 năm 2024")
	fmt.Println(t.Format("2006-01-02"), ok)
	// Output: 2024-10-08 true
}

func FuzzParseVietnameseDate(f *testing.F) {
	f.Add("ngày 08 tháng 10 năm 2024")
	f.Add("Sơn La, ngày mồng 1 tháng 1 năm 2025")
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := ParseVietnameseDate(s); ok && (d.Year() < 1900 || d.Hour() != 0) {
			t.Fatalf("%q -> %v", s, d)
		}
	})
}
