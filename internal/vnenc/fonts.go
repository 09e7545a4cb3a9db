package vnenc

import "strings"

// FontEncoding tells which legacy encoding a font name implies: TCVN3 for the
// ABC fonts (".VnTime", ".VnArial", any name starting ".Vn"), TCVN3Caps for
// their capital variants (".VnTimeH", ".VnArialH": names ending in "H"), VNI
// for "VNI-Times" and the other "VNI-" fonts, and "" for any other font.
func FontEncoding(font string) string {
	f := strings.TrimSpace(font)
	switch {
	case len(f) >= 3 && strings.EqualFold(f[:3], ".vn"):
		if strings.HasSuffix(f, "H") {
			return TCVN3Caps
		}
		return TCVN3
	case len(f) >= 4 && strings.EqualFold(f[:4], "vni-"):
		return VNI
	}
	return ""
}

// TCVN3Caps names TCVN3 text in a capital font (see DecodeTCVN3Caps).
const TCVN3Caps = "tcvn3-caps"

// DecodeString decodes s as the named legacy encoding, reading each of its
// runes as one byte: the form a cell takes when a spreadsheet stored TCVN3 or
// VNI bytes and the reader saw Windows-1252 (or Latin-1) characters. It
// returns s unchanged when enc is not a legacy encoding or when s holds a rune
// that no single byte stands for.
func DecodeString(s, enc string) string {
	b, ok := toBytes(s)
	if !ok {
		return s
	}
	switch enc {
	case TCVN3:
		return DecodeTCVN3(b)
	case TCVN3Caps:
		return DecodeTCVN3Caps(b)
	case VNI:
		return DecodeVNI(b)
	}
	return s
}
