package schemas

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/sonla-data/kho/internal/provenance"
)

// quoted finds the Go-quoted strings of a reader's message.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// scrubRead takes the values out of a reader's message about row r (a CSV
// field count, an Excel cell outside the table, a database value of the wrong
// type): a quarantine reason is read by tokens without the PII grant. Quoted
// text stays only when it is a source column's name; any value of the row
// still in the text is cut. The message as the reader wrote it is kept in
// raw_value, which the serving views hide from those tokens when the dataset
// holds personal data.
func (c *Conformer) scrubRead(msg string, get []getter, r int) string {
	names := map[string]bool{}
	for _, n := range c.srcCols {
		names[n] = true
	}
	msg = quoted.ReplaceAllStringFunc(msg, func(q string) string {
		if s, err := strconv.Unquote(q); err == nil && names[s] {
			return q
		}
		return `"…"`
	})
	for i, name := range c.srcCols {
		if provenance.Reserved(name) {
			continue
		}
		if v, ok := get[i](r); ok {
			if s := strings.TrimSpace(rawText(v)); len(s) >= 3 && !names[s] && strings.Contains(msg, s) {
				msg = strings.ReplaceAll(msg, s, "…")
			}
		}
	}
	return msg
}
