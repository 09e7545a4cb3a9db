package vntext

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

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
	var did []string
	out := s
	if !norm.NFC.IsNormalString(out) {
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

// hasHighLatin reports whether s has a character of the upper half of
// Windows-1252 or Latin-1: the only text that can be mojibake.
func hasHighLatin(s string) bool {
	for _, r := range s {
		if r >= 0x80 && r <= 0x2122 {
			return true
		}
	}
	return false
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

var titleCaser = cases.Title(language.Vietnamese)

// ApplyCase applies a case rule (upper, lower, title) to s.
func ApplyCase(s, rule string) string {
	switch rule {
	case Upper:
		return strings.ToUpper(s)
	case Lower:
		return strings.ToLower(s)
	case Title:
		return titleCaser.String(s)
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
