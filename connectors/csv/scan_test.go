package csv

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// scanBytes is scan as it was, one byte at a time: the reference of TestScanSpans.
func (c *recordReader) scanBytes(b []byte) error {
	for _, x := range b {
		if c.pending {
			c.pending = false
			c.out = append(c.out, '\r')
			if x == '\n' {
				c.out = append(c.out, '\r') // CR LF in a quoted field: keep the CR
			}
		}
		c.size++
		switch c.state {
		case stFieldStart, stUnquoted:
			switch {
			case x == '"' && c.state == stFieldStart:
				c.state = stQuoted
			case x == c.delim && c.delim != 0:
				c.state = stFieldStart
				c.fields++
			case x == '\n':
				c.newRecord()
			default:
				c.state = stUnquoted
			}
		case stQuoted:
			switch x {
			case '"':
				c.state = stAfterQuote
			case '\r':
				c.pending = true
				continue
			case '\n':
				c.line++
			}
		case stAfterQuote:
			switch {
			case x == '"':
				c.state = stQuoted
			case x == c.delim && c.delim != 0:
				c.state = stFieldStart
				c.fields++
			case x == '\n':
				c.newRecord()
			case x == '\r':
			default:
				c.state = stUnquoted // encoding/csv reports the extra quote
			}
		}
		if c.size > c.maxBytes {
			return &LimitError{Path: c.path, Line: c.start + c.offset, What: fmt.Sprintf("is longer than %d bytes", c.maxBytes), Limit: c.maxBytes}
		}
		if c.fields > MaxFields {
			return &LimitError{Path: c.path, Line: c.start + c.offset, What: fmt.Sprintf("has more than %d fields", MaxFields), Limit: MaxFields}
		}
		c.out = append(c.out, x)
	}
	return nil
}

// TestScanSpans: scan, which passes runs of plain bytes on whole, gives
// what the byte-by-byte scan gave — the bytes out, the lines and record
// starts counted, the state, the limit errors — on 20,000 random inputs of
// quotes, delimiters, CR, LF and text, cut into random chunks, under small
// limits (the chunk that fails is dropped by Read: its bytes are not
// compared).
func TestScanSpans(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	alphabet := []byte("ab;,\"\r\n  x\"\"Ơ")
	for n := range 20000 {
		in := make([]byte, rng.IntN(200))
		for i := range in {
			in[i] = alphabet[rng.IntN(len(alphabet))]
		}
		delim := rune(';')
		if n%3 == 0 {
			delim = ','
		}
		if n%17 == 0 {
			delim = '¦' // not ASCII: no byte is the delimiter
		}
		limit := 1 + rng.IntN(80)
		a := newRecordReader(nil, delim, limit, "f.csv", 2)
		b := newRecordReader(nil, delim, limit, "f.csv", 2)
		var outA, outB bytes.Buffer
		var errA, errB error
		for rest := in; len(rest) > 0 && errA == nil && errB == nil; {
			k := 1 + rng.IntN(len(rest))
			a.out, b.out = a.out[:0], b.out[:0]
			errA, errB = a.scan(rest[:k]), b.scanBytes(rest[:k])
			if errA == nil {
				outA.Write(a.out) // Read drops the chunk that failed
			}
			if errB == nil {
				outB.Write(b.out)
			}
			rest = rest[k:]
		}
		state := func(c *recordReader) string {
			return fmt.Sprintf("state %d pending %v line %d start %d size %d fields %d", c.state, c.pending, c.line, c.start, c.size, c.fields)
		}
		if fmt.Sprint(errA) != fmt.Sprint(errB) || !bytes.Equal(outA.Bytes(), outB.Bytes()) || (errA == nil && state(a) != state(b)) {
			t.Fatalf("input %q, delimiter %q, limit %d:\nspans: %v %q %s\nbytes: %v %q %s", in, delim, limit,
				errA, outA.Bytes(), state(a), errB, outB.Bytes(), state(b))
		}
	}
}
