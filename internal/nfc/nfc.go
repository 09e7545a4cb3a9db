// Package nfc answers, faster than golang.org/x/text/unicode/norm, whether a
// text is surely in Unicode Normalization Form C: Vietnamese text written with
// precomposed letters (the usual case) is checked by looking at its bytes.
package nfc

// Quick reports whether s is surely NFC: every character is below U+0300
// (Latin, Latin-1, Latin Extended-A and -B, IPA, spacing modifiers) or in
// Latin Extended Additional (U+1E00-U+1EFF, the precomposed Vietnamese
// letters with their tones). Each of these has NFC_Quick_Check=Yes and
// combining class 0 and never composes with a following character of the
// same set, so a text made of them alone is NFC. False says nothing: ask
// norm.NFC.IsNormalString. Invalid UTF-8 is never surely NFC.
func Quick(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c < 0x80:
			i++
		case c >= 0xC2 && c <= 0xCB: // two bytes: U+0080-U+02FF
			if i+1 >= len(s) || s[i+1]&0xC0 != 0x80 {
				return false
			}
			i += 2
		case c == 0xE1: // three bytes: U+1000-U+1FFF; U+1E00-U+1EFF is E1 B8-BB xx
			if i+2 >= len(s) || s[i+1] < 0xB8 || s[i+1] > 0xBB || s[i+2]&0xC0 != 0x80 {
				return false
			}
			i += 3
		default:
			return false
		}
	}
	return true
}
