package sqlsource

import (
	"math/big"
	"strings"
	"testing"
	"time"
)

// FuzzParseDecimal: whatever a database sends, ParseDecimal either refuses
// it or returns exactly its value (checked with big.Rat), never rounded.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"9999999999999999999999999999.9999999999", "-0.0000000001", "12.50", ".5", "1e5", "NaN", "--1", "0012.300", ""} {
		f.Add(s, uint8(38), uint8(10))
	}
	f.Fuzz(func(t *testing.T, s string, p, sc uint8) {
		precision, scale := int32(p%38)+1, int32(sc%39)
		if scale > precision {
			scale = precision
		}
		n, err := ParseDecimal(s, precision, scale)
		if err != nil {
			return
		}
		want, ok := new(big.Rat).SetString(strings.TrimPrefix(strings.TrimSpace(s), "+"))
		if !ok {
			t.Fatalf("ParseDecimal(%q) accepted what big.Rat refuses", s)
		}
		got, _ := new(big.Rat).SetString(n.ToString(scale))
		if got.Cmp(want) != 0 {
			t.Fatalf("ParseDecimal(%q, %d, %d) = %s, want %s", s, precision, scale, n.ToString(scale), want.FloatString(int(scale)))
		}
	})
}

// FuzzParseTime: ParseTime and ParseDate never panic, and what they accept
// reads back to the same instant from its RFC 3339 form.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2025-06-30 23:59:59.999999", "2025-06-30 16:59:59.5+00", "0044-03-15 12:00:00 BC", "infinity", "0000-00-00", "2025-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ParseTime(s, Local); err == nil {
			back, err := time.Parse(time.RFC3339Nano, v.Format(time.RFC3339Nano))
			if err == nil && !back.Equal(v) {
				t.Fatalf("ParseTime(%q) = %v, reads back as %v", s, v, back)
			}
		}
		_, _ = ParseDate(s)
	})
}
