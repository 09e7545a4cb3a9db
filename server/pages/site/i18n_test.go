package site

import (
	"math"
	"testing"
	"time"
)

func TestNumbers(t *testing.T) {
	cases := []struct {
		name string
		got  string
		want string
	}{
		{"vi thousands", VI.Int(1234567), "1.234.567"},
		{"en thousands", EN.Int(1234567), "1,234,567"},
		{"negative", VI.Int(-1234), "-1.234"},
		{"small", VI.Int(12), "12"},
		{"vi percent", VI.Pct(0.72334), "72,3%"},
		{"en percent", EN.Pct(0.72334), "72.3%"},
		{"whole percent", VI.Pct(0.8), "80%"},
		{"no rate", VI.Pct(math.NaN()), "–"},
		{"vi decimal", VI.Num(1234.5, 2), "1.234,5"},
		{"en decimal", EN.Num(-0.25, 2), "-0.25"},
		{"month", VI.Month(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)), "03/2025"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		})
	}
}

func TestEveryMessageHasBothLanguages(t *testing.T) {
	for k, m := range messages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("message %q lacks a language: %q", k, m)
		}
	}
	if got := EN.T("nav_open"); got != "Open data" {
		t.Errorf("EN nav_open = %q", got)
	}
	if got := VI.T("nav_open"); got != "Dữ liệu mở" {
		t.Errorf("VI nav_open = %q", got)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{"/?agency=x": "/?agency=x", "//evil.example": "/", "https://evil.example": "/", "": "/", `/\evil`: "/"} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
