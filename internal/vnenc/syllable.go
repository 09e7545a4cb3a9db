package vnenc

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The parts of a Vietnamese syllable, without its tone mark.
var (
	onsets = []string{"ngh", "ng", "gh", "gi", "kh", "nh", "ph", "qu", "th", "tr", "ch",
		"b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", ""}
	codas   = []string{"ch", "ng", "nh", "c", "m", "n", "p", "t", ""}
	nucleus = set("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
		"ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe",
		"oi", "ôi", "ơi", "oo", "ua", "uâ", "uê", "ui", "uô", "uơ", "ưa", "ưi", "ưu", "ươ",
		"uy", "yê", "iêu", "yêu", "oai", "oay", "oao", "oeo", "uây", "uôi", "ươi", "ươu",
		"uya", "uyê", "uyu")
	// glided nuclei end in a semivowel and take no final consonant.
	glided = set("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi",
		"ua", "ui", "ưa", "ưi", "ưu", "iêu", "yêu", "oai", "oay", "oao", "oeo", "uây", "uôi",
		"ươi", "ươu", "uya", "uyu")
	// closed nuclei need a final consonant.
	closed = set("ă", "â", "iê", "yê", "uô", "oă", "uâ", "uyê")
	// palatal finals (nh, ch) follow these nuclei only.
	palatal = set("a", "ê", "i", "y", "oa", "uê", "uy")
)

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// toneMarks are the five combining tone marks of Vietnamese.
func isTone(r rune) bool {
	switch r {
	case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
		return true
	}
	return false
}

// IsSyllable tells whether w (one word, any case, NFC or NFD) has the shape
// of a Vietnamese syllable: an optional initial consonant, a vowel group, an
// optional final consonant, at most one tone mark. "Thành" and "phố" are
// syllables; the mojibake "Thµnh" and "HuyÖn" are not (some mojibake, such as
// "phoá" for "phố", still is: Score weighs whole phrases).
func IsSyllable(w string) bool {
	if w == "" || len(w) > 24 {
		return false
	}
	var sb strings.Builder
	tones, tone := 0, rune(0)
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		if isTone(r) {
			tones, tone = tones+1, r
			continue
		}
		sb.WriteRune(r)
	}
	if tones > 1 {
		return false
	}
	base := norm.NFC.String(sb.String())
	for _, on := range onsets {
		rest, ok := strings.CutPrefix(base, on)
		if !ok {
			continue
		}
		for _, co := range codas {
			mid, ok := strings.CutSuffix(rest, co)
			if ok && validRime(mid, co, tone) {
				return true
			}
		}
	}
	// "gì", "gìn": the i of "gi" is also the vowel.
	if rest, ok := strings.CutPrefix(base, "gi"); ok {
		for _, co := range codas {
			if mid, ok := strings.CutSuffix(rest, co); ok && mid == "" {
				return true
			}
		}
	}
	return false
}

// validRime checks a nucleus, its final consonant and its tone together.
func validRime(nuc, coda string, tone rune) bool {
	switch {
	case !nucleus[nuc]:
		return false
	case coda == "" && closed[nuc], coda != "" && glided[nuc]:
		return false
	case (coda == "nh" || coda == "ch") && !palatal[nuc]:
		return false
	case (coda == "ng" || coda == "c") && (nuc == "i" || nuc == "y" || nuc == "ê"):
		return false
	}
	// A syllable closed by a stop (c, ch, p, t) takes only the acute or the dot below.
	stop := coda == "c" || coda == "ch" || coda == "p" || coda == "t"
	return !stop || tone == '\u0301' || tone == '\u0323'
}

// Score rates how much text looks like Vietnamese: +1 for every word shaped
// like a syllable, -1 for every other word made of letters and marks (a word
// with a digit is not counted). Words are split at white space and stripped
// of ASCII punctuation.
func Score(text string) int {
	score := 0
	for _, w := range strings.FieldsFunc(text, unicode.IsSpace) {
		w = strings.TrimFunc(w, isASCIIPunct)
		if w == "" || strings.ContainsFunc(w, unicode.IsDigit) {
			continue
		}
		if IsSyllable(w) {
			score++
		} else {
			score--
		}
	}
	return score
}

func isASCIIPunct(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsPunct(r) || unicode.IsSymbol(r))
}
