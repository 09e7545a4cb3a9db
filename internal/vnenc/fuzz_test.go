package vnenc

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

func FuzzRepair(f *testing.F) {
	for _, ex := range examples {
		f.Add(ex[0])
		f.Add(ex[1])
		f.Add(ex[2])
	}
	f.Add("\xff\xfe broken")
	f.Fuzz(func(t *testing.T, s string) {
		fixed, enc, changed := RepairString(s)
		if utf8.ValidString(s) && !utf8.ValidString(fixed) {
			t.Fatalf("RepairString(%q) = %q: not UTF-8", s, fixed)
		}
		if enc != "" && !changed {
			t.Fatalf("RepairString(%q): encoding %q but unchanged", s, enc)
		}
		// A repaired string is never repaired again into something else.
		if again, _, _ := RepairString(fixed); utf8.ValidString(s) && again != fixed && enc == "" {
			t.Fatalf("RepairString not stable: %q -> %q -> %q", s, fixed, again)
		}
		b := []byte(s)
		for _, dec := range []string{TCVN3, VNI} {
			got, _, err := transform.String(Decoder(dec), s)
			if err != nil {
				t.Fatalf("%s decoder: %v", dec, err)
			}
			want := DecodeVNI(b)
			if dec == TCVN3 {
				want = DecodeTCVN3(b)
			}
			if got != want {
				t.Fatalf("%s: streaming %q, whole %q", dec, got, want)
			}
		}
	})
}
