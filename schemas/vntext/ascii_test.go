package vntext

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestASCIIFastPath checks that Normalize's plain-ASCII path gives what every
// rule gives, value and repairs, for ASCII text of every kind (codes, dates,
// numbers, English words, runs of spaces, tabs and control bytes) under
// every option.
func TestASCIIFastPath(t *testing.T) {
	values := []string{"", " ", "HS-2024-000123", "  12/03/2024 ", "1.234.567,89", "Hoa  Binh", "ho\tten\n", "a\x00b",
		"UBND xa Chieng Mung", " x ", "abc   DEF ghi", "Thuy", "hoa", "OA OE UY", "\x1f\x7f"}
	rng := rand.New(rand.NewPCG(14, 14))
	for range 2000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = byte(rng.IntN(0x80))
		}
		values = append(values, string(b))
	}
	var opts []Options
	for _, ws := range []string{Keep, Trim, Collapse} {
		for _, c := range []string{"", "upper", "lower", "title"} {
			for _, keep := range []bool{false, true} {
				opts = append(opts, Options{Whitespace: ws, Case: c, KeepTones: keep, KeepLegacy: keep})
			}
		}
	}
	for _, o := range opts {
		for _, v := range values {
			wantOut, wantDid := normalizeAll(v, o)
			gotOut, gotDid := Normalize(v, o)
			assert.Equal(t, wantOut, gotOut, "%q %+v", v, o)
			assert.Equal(t, wantDid, gotDid, "%q %+v", v, o)
		}
	}
}
