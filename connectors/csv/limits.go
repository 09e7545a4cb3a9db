package csv

import (
	"fmt"
	"io"
	"strings"
)

// DefaultMaxRecordBytes bounds one record (a line, or the lines of a quoted
// field with line breaks) by default: far above any real record (the largest
// seen in the province's drops are notes of a few kilobytes), far below what
// would take the machine's memory.
const DefaultMaxRecordBytes = 16 << 20

// MaxFields bounds the fields of one record: Excel's column limit.
const MaxFields = 16384

// LimitError is a file refused because one of its records is beyond a limit.
type LimitError struct {
	Path  string
	Line  int // the physical line the record starts on
	What  string
	Limit int
}

func (e *LimitError) Error() string {
	hint := ""
	if strings.HasPrefix(e.What, "is longer") {
		hint = " (source.max_record_bytes raises the limit)"
	}
	return fmt.Sprintf("the record starting on line %d %s%s: the file is refused, nothing of this run was loaded", e.Line, e.What, hint)
}

// recordReader sits between the decoded text and encoding/csv. It follows
// the CSV quoting as encoding/csv does, so that it knows where records
// start, and
//   - refuses a record longer than maxBytes or with more than MaxFields
//     fields before encoding/csv would hold it in memory;
//   - keeps a CR LF inside a quoted field: encoding/csv turns every CR LF at
//     the end of a physical line into LF, in a quoted field too, so the CR is
//     doubled there (CR CR LF comes out of encoding/csv as CR LF).
type recordReader struct {
	r        io.Reader
	delim    byte
	maxBytes int
	path     string
	offset   int // lines before the first line this reader sees

	buf     []byte
	obuf    []byte // out's backing array, reused
	out     []byte // what is left of obuf to hand out
	state   byte
	pending bool // a CR in a quoted field, waiting for the next byte
	line    int  // physical lines seen
	start   int  // the line the current record starts on
	size    int  // bytes of the current record
	fields  int
	err     error
}

// Quote states, as encoding/csv parses.
const (
	stFieldStart = iota
	stUnquoted
	stQuoted
	stAfterQuote // a quote inside a quoted field: its end, or the first of ""
)

func newRecordReader(r io.Reader, delim rune, maxBytes int, path string, offset int) *recordReader {
	d := byte(0)
	if delim < 0x80 {
		d = byte(delim)
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxRecordBytes
	}
	return &recordReader{r: r, delim: d, maxBytes: maxBytes, path: path, offset: offset, buf: make([]byte, 32<<10), line: 1, start: 1, fields: 1}
}

func (c *recordReader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		n, err := c.r.Read(c.buf)
		c.out = c.obuf[:0]
		lerr := c.scan(c.buf[:n])
		c.obuf = c.out[:0]
		if lerr != nil {
			c.err, c.out = lerr, nil
			return 0, lerr
		}
		if err != nil {
			if c.pending {
				c.out = append(c.out, '\r')
				c.pending = false
			}
			c.err = err
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// scan passes b to out, following the quoting and counting. Runs of
// bytes that change nothing (inside an unquoted or a quoted field) are
// passed on whole.
func (c *recordReader) scan(b []byte) error {
	for i := 0; i < len(b); i++ {
		if !c.pending && (c.state == stUnquoted || c.state == stQuoted) {
			j := i
			if c.state == stUnquoted {
				for j < len(b) && b[j] != '\n' && (b[j] != c.delim || c.delim == 0) {
					j++
				}
			} else {
				for j < len(b) && b[j] != '"' && b[j] != '\r' && b[j] != '\n' {
					j++
				}
			}
			if j > i {
				if c.size+(j-i) > c.maxBytes {
					return &LimitError{Path: c.path, Line: c.start + c.offset, What: fmt.Sprintf("is longer than %d bytes", c.maxBytes), Limit: c.maxBytes}
				}
				c.size += j - i
				c.out = append(c.out, b[i:j]...)
				if i = j; i == len(b) {
					break
				}
			}
		}
		x := b[i]
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

func (c *recordReader) newRecord() {
	c.line++
	c.start, c.size, c.fields, c.state = c.line, 0, 1, stFieldStart
}
