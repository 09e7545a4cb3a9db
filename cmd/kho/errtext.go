package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds of the error text printed on exit: a value or a file quoted by a
// library (a CSV line, an XML fragment) must not turn one error into
// megabytes on the terminal or in the scheduler's log.
const (
	maxErrLine = 1024
	maxErrText = 8192
)

// boundErrText cuts each line of an error's text to maxErrLine bytes and the
// whole to maxErrText, saying how much was left out.
func boundErrText(s string) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i, l := range lines {
		if len(l) > maxErrLine {
			cut := maxErrLine
			for cut > 0 && !utf8.RuneStart(l[cut]) {
				cut--
			}
			l = fmt.Sprintf("%s… (%d bytes more)", l[:cut], len(l)-cut)
		}
		if b.Len()+len(l) > maxErrText {
			fmt.Fprintf(&b, "… (%d more lines)", len(lines)-i)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
	}
	return b.String()
}
