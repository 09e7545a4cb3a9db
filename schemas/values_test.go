package schemas

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormNumber(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1234", "1234"},
		{"-5", "-5"},
		{"+7", "+7"},
		{" 12 ", "12"},
		{"1.234.567,89", "1234567.89"},
		{"1 234,5", "1234.5"},
		{"1\u00a0234", "1234"},
		{"1,234.5", "1234.5"},
		{"12,5", "12.5"},
		{"1.234", "1234"},
		{"1.5", "1.5"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := normNumber(tc.in)
			assert.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	for _, empty := range []string{"", " ", "\u00a0"} {
		_, err := normNumber(empty)
		assert.Error(t, err, "%q", empty)
	}
}

func TestLayoutOf(t *testing.T) {
	assert.Equal(t, "20060102150405", layoutOf("yyyyMMddHHmmss"))
	assert.Equal(t, "2006-01-02 15:04:05", layoutOf("yyyy-MM-dd HH:mm:ss"))
	assert.Equal(t, "02/01/2006", layoutOf("02/01/2006"))
}

func BenchmarkNormNumber(b *testing.B) {
	for b.Loop() {
		_, _ = normNumber("123456")
		_, _ = normNumber("1.234.567,89")
	}
}
