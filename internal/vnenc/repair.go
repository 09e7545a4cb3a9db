package vnenc

import (
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// byteOf maps a rune back to the single byte a Windows-1252 (or Latin-1)
// reader turned into it.
var byteOf = map[rune]byte{}

func init() {
	for i := 255; i >= 0; i-- {
		byteOf[cp1252[i]] = byte(i)
	}
	for i := 0x80; i <= 0x9F; i++ { // Latin-1 readers keep C1 controls
		if _, ok := byteOf[rune(i)]; !ok {
			byteOf[rune(i)] = byte(i)
		}
	}
	delete(byteOf, utf8.RuneError)
}

// toBytes turns s back into the bytes a Windows-1252 reader saw, if it can.
func toBytes(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := byteOf[r]
		if !ok {
			return nil, false
		}
		b = append(b, c)
	}
	return b, true
}

// RepairString repairs mojibake: TCVN3 or VNI text that a tool read as
// Windows-1252, such as "Thµnh phè S¬n La" (TCVN3) or "Thaønh phoá Sôn La"
// (VNI) for "Thành phố Sơn La". It maps s back to its bytes, decodes them both
// ways and keeps a reading only when it looks more like Vietnamese than s does
// (see Score). It returns the text in NFC, the encoding it repaired ("tcvn3",
// "vni", or "" when it left s alone) and whether the text changed.
//
// Text with a character outside Windows-1252 (a real "ố", say) is never
// mojibake and is only normalised to NFC. Short ambiguous words ("Sè") may be
// left alone: repairing needs evidence.
func RepairString(s string) (fixed string, enc string, changed bool) {
	n := norm.NFC.String(s)
	b, ok := toBytes(n)
	if !ok || !hasHigh(b) {
		return n, "", n != s
	}
	best, bestEnc, bestScore := n, "", Score(n)
	for _, c := range []struct {
		enc string
		dec func([]byte) string
	}{{TCVN3, DecodeTCVN3}, {VNI, DecodeVNI}} {
		t := norm.NFC.String(c.dec(b))
		if sc := Score(t); sc > bestScore {
			best, bestEnc, bestScore = t, c.enc, sc
		}
	}
	return best, bestEnc, best != s
}

func hasHigh(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}
