package vntext

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/internal/nfc"
)

// isTone reports whether r is one of the five combining tone marks.
func isTone(r rune) bool {
	switch r {
	case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
		return true
	}
	return false
}

// isVowel reports whether r (a lower-case base letter without marks) is a vowel.
func isVowel(r rune) bool { return strings.ContainsRune("aeiouy", r) }

// letter is one base letter of a word in NFD with its non-tone marks.
type letter struct {
	base  rune   // as written (case kept)
	marks []rune // circumflex, breve, horn (never a tone)
}

// NewTones moves the tone mark of every syllable written in the old placement
// to the new one ("hòa" -> "hoà", "thúy" -> "thuý", "KHỎE" -> "KHOẺ"). The
// result is NFC.
func NewTones(s string) string {
	if !nfc.Quick(s) && !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	if !mayNeedTone(s) {
		return s
	}
	if out, ok := newTonesNFC(s); ok {
		return out
	}
	return newTonesNFD(s)
}

// newTonesNFD is NewTones on the decomposed text: each word taken apart
// into letters and marks by fixWord.
func newTonesNFD(s string) string {
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	start := -1
	flush := func(end int) {
		if start >= 0 {
			b.WriteString(fixWord(d[start:end]))
			start = -1
		}
	}
	for i, r := range d {
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		b.WriteRune(r)
	}
	flush(len(d))
	return norm.NFC.String(b.String())
}

// oldTone are the letters o and u with a tone mark and nothing else: the
// first vowel of an old-placement "òa", "úy", "ỏe".
var oldTone = func() map[rune]bool {
	m := map[rune]bool{}
	for _, base := range "oOuU" {
		for _, tone := range "\u0300\u0301\u0303\u0309\u0323" {
			m[[]rune(norm.NFC.String(string([]rune{base, tone})))[0]] = true
		}
	}
	return m
}()

// mayNeedTone is a fast pre-check on NFC text: a toned o or u followed by a
// plain a, e or y that ends the word — the only shape fixWord changes.
func mayNeedTone(s string) bool {
	prev := false
	var last rune
	for _, r := range s {
		if prev {
			switch r {
			case 'a', 'e', 'y', 'A', 'E', 'Y':
				last = r
				prev = false
				continue
			}
		}
		if last != 0 {
			if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
				return true
			}
			last = 0
		}
		prev = oldTone[r]
	}
	return last != 0
}

// fixWord rewrites one NFD word whose open syllable has the vowel oa, oe or
// uy with its tone on the first vowel.
func fixWord(w string) string {
	var (
		ls       []letter
		tone     rune
		toneAt   = -1
		tones    int
		nonLatin bool
	)
	for _, r := range w {
		switch {
		case isTone(r):
			tones++
			tone, toneAt = r, len(ls)-1
		case unicode.Is(unicode.Mn, r):
			if len(ls) > 0 {
				ls[len(ls)-1].marks = append(ls[len(ls)-1].marks, r)
			}
		default:
			if r > unicode.MaxLatin1 && r != 'đ' && r != 'Đ' {
				nonLatin = true
			}
			ls = append(ls, letter{base: r})
		}
	}
	if tones != 1 || toneAt < 0 || nonLatin || len(ls) < 2 {
		return w
	}
	n := len(ls)
	// The syllable must end with the two vowels: an open syllable.
	first, second := unicode.ToLower(ls[n-2].base), unicode.ToLower(ls[n-1].base)
	if len(ls[n-2].marks) > 0 || len(ls[n-1].marks) > 0 {
		return w
	}
	if !(first == 'o' && (second == 'a' || second == 'e')) && !(first == 'u' && second == 'y') {
		return w
	}
	// Everything before them is the initial consonant; "qu" makes u part of it.
	for _, l := range ls[:n-2] {
		if isVowel(unicode.ToLower(l.base)) {
			return w
		}
	}
	if n >= 3 && unicode.ToLower(ls[n-3].base) == 'q' {
		return w
	}
	if toneAt != n-2 {
		return w
	}
	var b strings.Builder
	for i, l := range ls {
		b.WriteRune(l.base)
		for _, m := range l.marks {
			b.WriteRune(m)
		}
		if i == n-1 {
			b.WriteRune(tone)
		}
	}
	return b.String()
}

// tonedVowel is the precomposed letter of a base vowel with a tone mark.
type tonedVowel struct {
	base rune // a, e, y, o or u, either case
	tone rune // one of the five combining tone marks
}

// toned and untoned map a plain vowel and a tone to the precomposed letter
// and back, for the vowels an old-placement syllable moves its tone
// between.
var toned, untoned = func() (map[tonedVowel]rune, map[rune]tonedVowel) {
	to, from := map[tonedVowel]rune{}, map[rune]tonedVowel{}
	for _, base := range "aeyouAEYOU" {
		for _, tone := range "\u0300\u0301\u0303\u0309\u0323" {
			r := []rune(norm.NFC.String(string([]rune{base, tone})))
			if len(r) != 1 {
				panic("vntext: no precomposed letter for " + string([]rune{base, tone}))
			}
			to[tonedVowel{base, tone}] = r[0]
			from[r[0]] = tonedVowel{base, tone}
		}
	}
	return to, from
}()

// newTonesNFC is NewTones on NFC text without a combining mark, letter by
// letter: a word ending in a toned o or u and a plain a, e or y after
// consonants only (not qu) gets the tone on its last letter. It gives up
// (false) on a word of that ending with any other letter beyond ASCII and
// đ before it, which newTonesNFD decides.
func newTonesNFC(s string) (string, bool) {
	for _, r := range s {
		if r >= 0x300 && unicode.Is(unicode.Mn, r) {
			return "", false
		}
	}
	var b strings.Builder
	done := 0 // bytes of s written to b
	word := -1
	var w []rune
	end := func(at int) bool {
		defer func() { w, word = w[:0], -1 }()
		n := len(w)
		if n < 2 {
			return true
		}
		last := w[n-1]
		prev, ok := untoned[w[n-2]]
		if !ok || (prev.base != 'o' && prev.base != 'O' && prev.base != 'u' && prev.base != 'U') {
			return true
		}
		switch unicode.ToLower(prev.base) {
		case 'o':
			if l := unicode.ToLower(last); l != 'a' && l != 'e' || last > unicode.MaxASCII {
				return true
			}
		case 'u':
			if unicode.ToLower(last) != 'y' || last > unicode.MaxASCII {
				return true
			}
		}
		for i, r := range w[:n-2] {
			switch {
			case r == 'đ' || r == 'Đ':
			case r > unicode.MaxASCII:
				return false // newTonesNFD decides
			case isVowel(unicode.ToLower(r)):
				return true
			case i == n-3 && (r == 'q' || r == 'Q'):
				return true
			}
		}
		b.WriteString(s[done:word])
		for _, r := range w[:n-2] {
			b.WriteRune(r)
		}
		b.WriteRune(prev.base)
		b.WriteRune(toned[tonedVowel{last, prev.tone}])
		done = at
		return true
	}
	for i, r := range s {
		if unicode.IsLetter(r) {
			if word < 0 {
				word = i
			}
			w = append(w, r)
			continue
		}
		if word >= 0 && !end(i) {
			return "", false
		}
	}
	if word >= 0 && !end(len(s)) {
		return "", false
	}
	if done == 0 {
		return s, true
	}
	b.WriteString(s[done:])
	return b.String(), true
}
