package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/text/unicode/norm"
)

func TestIsTotal(t *testing.T) {
	for _, c := range []string{"Tổng cộng", "TỔNG CỘNG:", "Cộng", "tổng", norm.NFD.String("Tổng số"), "Cộng huyện Mường La", "Tổng cộng toàn tỉnh"} {
		assert.True(t, IsTotal([]string{"", c, "15"}), c)
	}
	for _, c := range []string{"Tổng đài 1022", "Xã Mường Bú", "", "Cộng Hòa"} {
		assert.False(t, IsTotal([]string{c, "15"}), c)
	}
}

func TestIsSignature(t *testing.T) {
	for _, c := range []string{"Người lập biểu", "GIÁM ĐỐC", "KT. GIÁM ĐỐC", "Thủ trưởng đơn vị", "Sơn La, ngày 08 tháng 10 năm 2024", "Sơn La, ngày ... tháng ... năm 2024"} {
		assert.True(t, IsSignature([]string{"", c}), c)
	}
	assert.False(t, IsSignature([]string{"Giám đốc"}), "a job title in a data cell")
	assert.False(t, IsSignature([]string{"1", "Nguyễn Văn A", "Người lập biểu", "x"}), "a wide data row")
	assert.False(t, IsSignature([]string{"H56-1", "ngày 08 tháng 10 năm 2024"}), "a date in words as data")
	assert.False(t, IsSignature([]string{"Sơn La, ngày 08 tháng 10 năm 2024"}), "a date line in the first column may be data")
}

func TestIsRepeatedHeader(t *testing.T) {
	header := []string{"STT", "Tên xã", "Số hồ sơ"}
	clean := func(s string) string { return strings.Join(strings.Fields(strings.TrimPrefix(s, "\ufeff")), " ") }
	tests := []struct {
		name  string
		cells []string
		want  bool
	}{
		{"same", []string{"STT", "Tên xã", "Số hồ sơ"}, true},
		{"spaces and a BOM", []string{"\ufeffSTT", " Tên  xã", "Số hồ sơ "}, true},
		{"a data row", []string{"1", "Xã Mường Bú", "10"}, false},
		{"shorter", []string{"STT", "Tên xã"}, false},
		{"longer", []string{"STT", "Tên xã", "Số hồ sơ", "x"}, false},
		{"one cell", []string{"STT"}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsRepeatedHeader(tt.cells, header, clean), tt.name)
	}
	assert.False(t, IsRepeatedHeader([]string{"ten"}, []string{"ten"}, clean), "a one-column file: a value may equal the header")
}

func TestIsColumnNumbers(t *testing.T) {
	for _, c := range [][]string{{"1", "2", "3", "4"}, {"(1)", "(2)", "(3)"}, {"A", "B", "1", "2", "3"}, {"", "1", "2", "3"}} {
		assert.True(t, IsColumnNumbers(c), "%q", c)
	}
	for _, c := range [][]string{{"1", "2"}, {"1", "3", "4"}, {"1", "Xã Mường Bú", "2", "3"}, {"2", "3", "4"}} {
		assert.False(t, IsColumnNumbers(c), "%q", c)
	}
}
