package vntext

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/internal/nfc"
	"github.com/sonla-data/kho/internal/vnenc"
)

// Whitespace rules of a column.
const (
	// Keep leaves the value's spaces as they are.
	Keep = "keep"
	// Trim removes zero-width characters, turns other spaces into plain
	// spaces and trims both ends (the default).
	Trim = "trim"
	// Collapse also turns inner runs of spaces into one.
	Collapse = "collapse"
)

// Case rules of a column.
const (
	Upper = "upper"
	Lower = "lower"
	Title = "title"
)

// Options say how Normalize treats a value.
type Options struct {
	Whitespace string // keep | trim (default) | collapse
	Case       string // "" | upper | lower | title
	// KeepTones leaves the tone-mark placement as written.
	KeepTones bool
	// KeepLegacy leaves TCVN3/VNI mojibake as it is.
	KeepLegacy bool
}

// Repairs of a value, as counted in a conform step's statistics.
const (
	RepairNFC        = "nfc"
	RepairTCVN3      = "legacy_tcvn3"
	RepairVNI        = "legacy_vni"
	RepairTones      = "tone_placement"
	RepairWhitespace = "whitespace"
	RepairCase       = "case"
)

// Normalize returns s normalised by opt, and the repairs it made (nil when s
// was already in form).
func Normalize(s string, opt Options) (string, []string) {
	if plainASCII(s) {
		// ASCII is NFC, cannot be mojibake and has no tone mark to move:
		// only the spaces and the case rules can change it
		return spaceAndCase(s, opt, nil)
	}
	return normalizeAll(s, opt)
}

// normalizeAll is Normalize without the ASCII fast path: every rule runs.
func normalizeAll(s string, opt Options) (string, []string) {
	var did []string
	out := s
	if !nfc.Quick(out) && !norm.NFC.IsNormalString(out) {
		out = norm.NFC.String(out)
		did = append(did, RepairNFC)
	}
	if !opt.KeepLegacy && hasHighLatin(out) {
		if fixed, enc, _ := vnenc.RepairString(out); enc != "" {
			out = fixed
			switch enc {
			case vnenc.VNI:
				did = append(did, RepairVNI)
			default:
				did = append(did, RepairTCVN3)
			}
		}
	}
	if !opt.KeepTones {
		if t := NewTones(out); t != out {
			out = t
			did = append(did, RepairTones)
		}
	}
	return spaceAndCase(out, opt, did)
}

// plainASCII reports whether s has only ASCII bytes.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// spaceAndCase applies the whitespace and case rules, the last steps of
// Normalize.
func spaceAndCase(out string, opt Options, did []string) (string, []string) {
	if opt.Whitespace != Keep {
		if sp := Space(out, opt.Whitespace == Collapse); sp != out {
			out = sp
			did = append(did, RepairWhitespace)
		}
	}
	if opt.Case != "" {
		if c := ApplyCase(out, opt.Case); c != out {
			out = c
			did = append(did, RepairCase)
		}
	}
	return out, did
}

// cp1252Extra are the characters Windows-1252 has in 0x80-0x9F.
const cp1252Extra = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

// hasHighLatin reports whether s can be mojibake: every character is one a
// Windows-1252 (or Latin-1) reader makes of a byte, and one at least is not
// ASCII. Real Vietnamese text almost always has a letter outside (ư, ơ, ă, đ,
// ạ...), so it costs one pass.
func hasHighLatin(s string) bool {
	high := false
	for _, r := range s {
		switch {
		case r < 0x80:
		case r <= 0xFF:
			high = true
		case strings.ContainsRune(cp1252Extra, r):
			high = true
		default:
			return false
		}
	}
	return high
}

// isZeroWidth reports the invisible characters that drops carry: zero-width
// space, non-joiner and joiner, word joiner, byte-order mark, soft hyphen
// (TCVN3 text keeps its "ư" as a soft hyphen: Normalize repairs legacy text
// first).
func isZeroWidth(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return false
}

// Space removes zero-width characters, turns every kind of space (no-break,
// thin, ideographic, tabs, line breaks) into a plain space and trims the
// ends; with collapse, inner runs become one space.
func Space(s string, collapse bool) string {
	if spaced(s, collapse) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	pending := false
	for _, r := range s {
		if isZeroWidth(r) {
			continue
		}
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || r == '\u2007' {
			if !collapse && b.Len() > 0 {
				b.WriteByte(' ')
				continue
			}
			pending = b.Len() > 0
			continue
		}
		if pending {
			b.WriteByte(' ')
			pending = false
		}
		b.WriteRune(r)
	}
	if collapse {
		return b.String()
	}
	return strings.TrimRight(b.String(), " ")
}

// spaced reports whether Space would leave s as it is.
func spaced(s string, collapse bool) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prev := false
	for _, r := range s {
		if r == ' ' {
			if prev && collapse {
				return false
			}
			prev = true
			continue
		}
		prev = false
		if isZeroWidth(r) || unicode.IsSpace(r) || r == '\u202f' || r == '\u2007' {
			return false
		}
	}
	return true
}

// titleCasers hands each goroutine its own title caser: a cases.Caser keeps
// state and is not safe for concurrent use (runs conform on every core).
var titleCasers = sync.Pool{New: func() any { c := cases.Title(language.Vietnamese); return &c }}

// ApplyCase applies a case rule (upper, lower, title) to s.
func ApplyCase(s, rule string) string {
	switch rule {
	case Upper:
		return strings.ToUpper(s)
	case Lower:
		return strings.ToLower(s)
	case Title:
		c := titleCasers.Get().(*cases.Caser)
		defer titleCasers.Put(c)
		return c.String(s)
	}
	return s
}

// MatchKey is the key names are compared on: NFC, legacy text repaired,
// lower case, tone placement normalised, zero-width characters removed and
// spaces collapsed. Tone marks are kept.
func MatchKey(s string) string {
	out, _ := Normalize(s, Options{Whitespace: Collapse, Case: Lower})
	return out
}
