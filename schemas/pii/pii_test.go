package pii

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"014095001234", []string{CCCD}},
		{"123456789", []string{CMND}},
		{"0912345678", []string{Phone}},
		{"+84912345678", []string{Phone}},
		{"84356789012", []string{Phone}},
		{"0212345678", []string{TaxCode, SocialInsurance}}, // 02 is no mobile prefix
		{"5500123456", []string{TaxCode, SocialInsurance}},
		{"5500123456-001", []string{TaxCode}},
		{"lovandung12@gmail.com", []string{Email}},
		{"not@mail", nil},
		{"03646", nil},
		{"TT00000001", nil},
		{"Chiềng Hặc", nil},
		{"2025-07-01", nil},
		{"", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Detect(tt.in), tt.in)
	}
}

func TestSampler(t *testing.T) {
	s := NewSampler(100, 0.2)
	for i := range 300 {
		s.Add("note", fmt.Sprintf("ghi chú %d", i))
		if i%3 == 0 {
			s.Add("contact", fmt.Sprintf("09%08d", i))
		} else {
			s.Add("contact", "không có")
		}
		s.Add("rare", map[bool]string{true: "a@b.vn", false: "x"}[i%10 == 0])
	}
	f := s.Findings()
	if assert.Len(t, f, 1) {
		assert.Equal(t, Finding{Column: "contact", Kind: Phone, Sampled: 100, Matched: 34, Share: 0.34}, f[0])
	}
	assert.False(t, s.Wants("contact"))
}
