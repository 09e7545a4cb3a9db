package nfc

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TestQuickRunes: every character Quick accepts is, by Unicode's own
// tables (x/text's), NFC on its own, of combining class 0 and a boundary
// before (it never composes with what precedes it: a text of such
// characters alone is NFC); and Quick refuses the first character past
// each range, a combining mark and broken UTF-8.
func TestQuickRunes(t *testing.T) {
	accepted := 0
	for r := rune(0); r <= 0x1FFF; r++ {
		s := string(r)
		if !Quick(s) {
			continue
		}
		accepted++
		p := norm.NFC.PropertiesString(s)
		if !norm.NFC.IsNormalString(s) || p.CCC() != 0 || !p.BoundaryBefore() {
			t.Errorf("U+%04X: Quick says NFC; IsNormal %v, ccc %d, boundary before %v",
				r, norm.NFC.IsNormalString(s), p.CCC(), p.BoundaryBefore())
		}
	}
	if want := 0x300 + 0x100; accepted != want {
		t.Errorf("Quick accepted %d characters, want %d (U+0000-U+02FF, U+1E00-U+1EFF)", accepted, want)
	}
	for _, s := range []string{"\u0300", "a\u0301", "\u0370", "\u1DFF", "\u1F00", "\u3000", "\xC3", "\xE1\xBA", "\xE1\x80\x80", "\xC3(", "\xff"} {
		if Quick(s) {
			t.Errorf("Quick(%q) = true", s)
		}
	}
}

// TestQuickAgreesWithNorm: on random texts of Vietnamese letters, both
// forms (precomposed, decomposed), combining marks and other scripts,
// Quick never says NFC where norm does not, and says so for every
// precomposed Vietnamese text.
func TestQuickAgreesWithNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 13))
	pool := []rune("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ 0123456789,.-/()\u0300\u0301\u0303\u0309\u0323\u00a0Ωω€中")
	viet := []rune("Hòa Bình Thuận Châu Mường La Sơn La huyện xã phường Quỳnh Nhai Sốp Cộp ĐẠI ĐOÀN KẾT ")
	for n := 0; n < 200000; n++ {
		src := pool
		if n%2 == 0 {
			src = viet
		}
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteRune(src[rng.IntN(len(src))])
		}
		s := b.String()
		for _, form := range []string{s, norm.NFD.String(s)} {
			if Quick(form) && !norm.NFC.IsNormalString(form) {
				t.Fatalf("Quick(%q) = true, but it is not NFC", form)
			}
		}
		if n%2 == 0 && utf8.ValidString(s) && !Quick(s) {
			t.Fatalf("Quick(%q) = false on precomposed Vietnamese", s)
		}
	}
}
