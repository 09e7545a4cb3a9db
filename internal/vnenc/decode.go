package vnenc

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

var (
	// tcvn3 maps a TCVN3 byte to its letter (0: not a Vietnamese letter).
	tcvn3 [256]rune
	// vniSingle maps a VNI byte that is a letter on its own.
	vniSingle [256]rune
	// vniPair maps a base byte and a mark byte to a letter.
	vniPair = map[[2]byte]rune{}
	// vniBase tells whether a byte can start a VNI pair.
	vniBase [256]bool
	// cp1252 is the fallback of both decoders for every other byte.
	cp1252 [256]rune
)

func init() {
	for i := range 256 {
		cp1252[i] = charmap.Windows1252.DecodeByte(byte(i))
	}
	for _, e := range tcvn3Rows {
		if tcvn3[e.b] == 0 {
			tcvn3[e.b] = e.r
		}
	}
	upper := map[rune]string{}
	for _, e := range vniRows {
		switch len(e.seq) {
		case 1:
			vniSingle[e.seq[0]] = e.r
		case 2:
			vniPair[[2]byte{e.seq[0], e.seq[1]}] = e.r
			vniBase[e.seq[0]] = true
			if unicode.IsUpper(e.r) {
				upper[unicode.ToLower(e.r)] = e.seq
			}
		}
	}
	// Typists mix cases: a capital base with a lowercase mark (or the reverse)
	// still means the letter with the base's case.
	for _, e := range vniRows {
		up, ok := upper[e.r]
		if len(e.seq) != 2 || !ok {
			continue
		}
		mixed := [][2]byte{{up[0], e.seq[1]}, {e.seq[0], up[1]}}
		runes := []rune{unicode.ToUpper(e.r), e.r}
		for i, k := range mixed {
			if _, dup := vniPair[k]; !dup {
				vniPair[k] = runes[i]
				vniBase[k[0]] = true
			}
		}
	}
}

// DecodeTCVN3 decodes TCVN3 (ABC) bytes. A code shared by a lowercase letter
// and its capital decodes as lowercase (use DecodeTCVN3Caps for text in the
// capital fonts such as .VnTimeH). Bytes that are not Vietnamese letters
// decode as Windows-1252.
func DecodeTCVN3(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for _, c := range b {
		sb.WriteRune(tcvn3Rune(c))
	}
	return sb.String()
}

// DecodeTCVN3Caps decodes text typed in a TCVN3 capital font (.VnTimeH,
// .VnArialH...), whose every glyph is a capital letter.
func DecodeTCVN3Caps(b []byte) string { return strings.ToUpper(DecodeTCVN3(b)) }

func tcvn3Rune(c byte) rune {
	if c < utf8.RuneSelf {
		return rune(c)
	}
	if r := tcvn3[c]; r != 0 {
		return r
	}
	return cp1252[c]
}

// DecodeVNI decodes VNI Windows bytes: a base letter followed by a mark byte
// is one letter; bytes that are not part of a Vietnamese letter decode as
// Windows-1252.
func DecodeVNI(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for len(b) > 0 {
		r, n := vniNext(b)
		sb.WriteRune(r)
		b = b[n:]
	}
	return sb.String()
}

// vniNext decodes the letter at the start of b and says how many bytes it took.
func vniNext(b []byte) (rune, int) {
	c := b[0]
	if len(b) > 1 && vniBase[c] {
		if r, ok := vniPair[[2]byte{c, b[1]}]; ok {
			return r, 2
		}
	}
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	if r := vniSingle[c]; r != 0 {
		return r, 1
	}
	return cp1252[c], 1
}

// Decoder returns a streaming decoder from the named encoding ("tcvn3" or
// "vni") to UTF-8, or nil for another name.
func Decoder(enc string) transform.Transformer {
	switch enc {
	case TCVN3:
		return &tcvn3Decoder{}
	case VNI:
		return &vniDecoder{}
	}
	return nil
}

// Names of the legacy encodings, as used in configs and logs.
const (
	TCVN3 = "tcvn3"
	VNI   = "vni"
)

type tcvn3Decoder struct{ transform.NopResetter }

func (tcvn3Decoder) Transform(dst, src []byte, _ bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		r := tcvn3Rune(src[nSrc])
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc++
	}
	return nDst, nSrc, nil
}

type vniDecoder struct{ transform.NopResetter }

func (vniDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		if vniBase[src[nSrc]] && nSrc+1 == len(src) && !atEOF {
			return nDst, nSrc, transform.ErrShortSrc
		}
		r, n := vniNext(src[nSrc:])
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc += n
	}
	return nDst, nSrc, nil
}
