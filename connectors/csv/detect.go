package csv

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/sonla-data/kho/internal/vnenc"
)

// decision is the encoding chosen for one file and why.
type decision struct {
	enc    string // canonical name: utf-8, utf-16le, utf-16be, windows-1258, tcvn3, vni
	bom    int    // bytes of byte-order mark to drop before decoding (UTF-8 only)
	reason string
	// mixed: a legacy encoding chosen by detection; lines that are valid
	// UTF-8 are kept as UTF-8 (see mixedReader).
	mixed bool
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// detect chooses the encoding of a file from the first bytes of it. configured
// is the canonical config value; for "auto" the order is: a byte-order mark,
// UTF-16 without a mark (every other byte zero), valid UTF-8, and otherwise the
// best of Windows-1258, TCVN3 and VNI by how Vietnamese the decoded words look.
// full says whether sample holds the whole file.
func detect(configured string, sample []byte, full bool) decision {
	switch configured {
	case EncUTF8:
		if bytes.HasPrefix(sample, bomUTF8) {
			return decision{enc: EncUTF8, bom: 3, reason: "configured, byte-order mark"}
		}
		return decision{enc: EncUTF8, reason: "configured"}
	case EncUTF16, EncUTF16LE:
		if bytes.HasPrefix(sample, bomUTF16BE) {
			return decision{enc: EncUTF16BE, reason: "configured, byte-order mark"}
		}
		return decision{enc: EncUTF16LE, reason: "configured"}
	case EncUTF16BE, EncWindows1258, EncTCVN3, EncVNI:
		return decision{enc: configured, reason: "configured"}
	}
	switch {
	case bytes.HasPrefix(sample, bomUTF8):
		return decision{enc: EncUTF8, bom: 3, reason: "byte-order mark"}
	case bytes.HasPrefix(sample, bomUTF16LE):
		return decision{enc: EncUTF16LE, reason: "byte-order mark"}
	case bytes.HasPrefix(sample, bomUTF16BE):
		return decision{enc: EncUTF16BE, reason: "byte-order mark"}
	}
	if e := utf16NoBOM(sample); e != "" {
		return decision{enc: e, reason: "every other byte is zero"}
	}
	check := sample
	if !full {
		check = trimPartialRune(sample)
	}
	if utf8.Valid(check) {
		return decision{enc: EncUTF8, reason: "valid UTF-8"}
	}
	g := vnenc.Detect(sample)
	return decision{enc: g.Encoding, mixed: true, reason: fmt.Sprintf("not UTF-8; Vietnamese word scores %s %d, %s %d, %s %d",
		EncWindows1258, g.Scores[vnenc.Windows1258], EncTCVN3, g.Scores[vnenc.TCVN3], EncVNI, g.Scores[vnenc.VNI])}
}

// utf16NoBOM recognises UTF-16 text without a byte-order mark: mostly ASCII
// text leaves a zero in every other byte.
func utf16NoBOM(b []byte) string {
	n := min(len(b), 4096) &^ 1
	if n < 4 {
		return ""
	}
	var evenZero, oddZero int
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			evenZero++
		}
		if b[i+1] == 0 {
			oddZero++
		}
	}
	half := n / 2
	switch {
	case oddZero*10 >= half*7 && evenZero*10 < half:
		return EncUTF16LE
	case evenZero*10 >= half*7 && oddZero*10 < half:
		return EncUTF16BE
	}
	return ""
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of a sample
// cut from a longer file.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < utf8.RuneSelf {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// transformer returns the decoder to UTF-8 for an encoding (nil for UTF-8).
func (d decision) transformer() transform.Transformer {
	switch d.enc {
	case EncUTF16LE:
		return unicode.BOMOverride(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder())
	case EncUTF16BE:
		return unicode.BOMOverride(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder())
	case EncWindows1258:
		return charmap.Windows1258.NewDecoder()
	case EncTCVN3, EncVNI:
		return vnenc.Decoder(d.enc)
	}
	return nil
}
