package vnenc

import (
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Windows1258 names the Vietnamese Windows code page.
const Windows1258 = "windows-1258"

// Guess is the outcome of Detect: the chosen encoding and the score of every
// candidate, for the log.
type Guess struct {
	Encoding string
	Scores   map[string]int
}

// Detect chooses among Windows-1258, TCVN3 and VNI for bytes that are not
// UTF-8, by decoding sample each way and counting words shaped like Vietnamese
// syllables (Score). Ties go to Windows-1258, then TCVN3.
func Detect(sample []byte) Guess {
	g := Guess{Encoding: Windows1258, Scores: map[string]int{}}
	w, _ := charmap.Windows1258.NewDecoder().Bytes(sample)
	best := Score(norm.NFC.String(string(w)))
	g.Scores[Windows1258] = best
	for _, c := range []struct {
		enc string
		dec func([]byte) string
	}{{TCVN3, DecodeTCVN3}, {VNI, DecodeVNI}} {
		sc := Score(c.dec(sample))
		g.Scores[c.enc] = sc
		if sc > best {
			g.Encoding, best = c.enc, sc
		}
	}
	return g
}
