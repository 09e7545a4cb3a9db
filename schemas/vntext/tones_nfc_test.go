package vntext

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

// The letter-by-letter placement on NFC text gives what the decomposing
// one gives, on 300,000 random texts of Vietnamese-like words (toned and
// plain vowels of both cases, consonants, qu, đ, a consonant with a
// non-tone mark, a Cyrillic letter, digits, punctuation), and gives up only
// where a word of the shape it changes holds a letter it does not know.
func TestNewTonesNFCAgreesWithNFD(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 5))
	var pieces []string
	for _, s := range strings.Fields("b c d g h k l m n p q r s t v x B C H K L N Q T đ Đ ng nh th tr qu Qu QU gi h h t x") {
		pieces = append(pieces, s)
	}
	odd := []string{"ç", "д", "ñ"}
	var oldToned []string // a toned o or u
	for _, base := range "ouOU" {
		for _, tone := range "\u0300\u0301\u0303\u0309\u0323" {
			oldToned = append(oldToned, norm.NFC.String(string([]rune{base, tone})))
		}
	}
	ends := []string{"a", "e", "y", "A", "E", "Y", "i", "à"}
	var vowels []string
	for _, base := range "aeiouyAEIOUYâêôơưăÂÊÔƠƯĂ" {
		vowels = append(vowels, string(base))
		for _, tone := range "\u0300\u0301\u0303\u0309\u0323" {
			vowels = append(vowels, norm.NFC.String(string([]rune{base, tone})))
		}
	}
	seps := []string{" ", " ", " ", ", ", "-", "1", ".", "(", ")", "\t", "/"}
	word := func() string {
		var b strings.Builder
		for range r.IntN(3) {
			if r.IntN(50) == 0 {
				b.WriteString(odd[r.IntN(len(odd))])
			}
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		if r.IntN(2) == 0 { // the old placement's shape, or nearly
			b.WriteString(oldToned[r.IntN(len(oldToned))])
			b.WriteString(ends[r.IntN(len(ends))])
			return b.String()
		}
		for range 1 + r.IntN(3) {
			b.WriteString(vowels[r.IntN(len(vowels))])
		}
		if r.IntN(4) == 0 {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	changed, gaveUp := 0, 0
	for range 300000 {
		var b strings.Builder
		for k := range 1 + r.IntN(4) {
			if k > 0 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
			b.WriteString(word())
		}
		in := norm.NFC.String(b.String())
		if !mayNeedTone(in) {
			continue
		}
		want := newTonesNFD(in)
		got, ok := newTonesNFC(in)
		if !ok {
			gaveUp++
			continue
		}
		require.Equal(t, want, got, "input %q", in)
		if got != in {
			changed++
		}
		assert.Equal(t, want, NewTones(in))
	}
	t.Logf("%d texts changed, %d left to the decomposing path", changed, gaveUp)
	assert.Greater(t, changed, 10000)
	assert.Less(t, gaveUp, changed/5)
	// a combining mark anywhere: the decomposing path
	_, ok := newTonesNFC("hòa cafe\u0301")
	assert.False(t, ok)
}

// The two placements on names that need the repair (go test -bench
// NewTones ./schemas/vntext).
func BenchmarkNewTones(b *testing.B) {
	names := []string{"Nguyễn Thị Hòa", "Lò Văn Thúy", "Trung tâm Văn hóa tỉnh", "Phường Chiềng Khoa, Quỳnh Nhai", "Hoàng Thị Khỏe"}
	b.Run("nfc", func(b *testing.B) {
		for i := range b.N {
			NewTones(names[i%len(names)])
		}
	})
	b.Run("nfd", func(b *testing.B) {
		for i := range b.N {
			newTonesNFD(names[i%len(names)])
		}
	})
}
