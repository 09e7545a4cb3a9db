package csv

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// mixedReader decodes a legacy-encoded file line by line, keeping every line
// that is valid UTF-8 with a character beyond ASCII as it is: files pasted
// together from a Windows-1258 (or TCVN3, VNI) export and a UTF-8 one, with no
// byte-order mark to tell. A legacy line is almost never valid UTF-8 by
// chance: its accented letters are single high bytes followed by ASCII.
type mixedReader struct {
	r     *bufio.Reader
	t     transform.Transformer
	out   []byte
	line  []byte
	kept  int // lines kept as UTF-8
	atEOF bool
	max   int // the longest line read (DefaultMaxRecordBytes when 0)
	lines int
}

func newMixedReader(r *bufio.Reader, t transform.Transformer) *mixedReader {
	return &mixedReader{r: r, t: t}
}

func (m *mixedReader) Read(p []byte) (int, error) {
	for len(m.out) == 0 {
		if m.atEOF {
			return 0, io.EOF
		}
		if err := m.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, m.out)
	m.out = m.out[n:]
	return n, nil
}

// fill reads the next physical line and decodes it.
func (m *mixedReader) fill() error {
	m.line = m.line[:0]
	for {
		b, err := m.r.ReadSlice('\n')
		m.line = append(m.line, b...)
		if errors.Is(err, bufio.ErrBufferFull) {
			if limit := cmp.Or(m.max, DefaultMaxRecordBytes); len(m.line) > limit {
				return &LimitError{Line: m.lines + 1, What: fmt.Sprintf("is longer than %d bytes", limit), Limit: limit}
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			m.atEOF = true
			break
		}
		if err != nil {
			return err
		}
		break
	}
	m.lines++
	if utf8.Valid(m.line) && !ascii(m.line) {
		m.kept++
		m.out = m.line
		return nil
	}
	m.t.Reset()
	out, _, err := transform.Bytes(m.t, m.line)
	if err != nil {
		return err
	}
	m.out = out
	return nil
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// crOnly tells whether a sample has carriage returns and no line feed: lines
// ended by CR alone, as old Mac tools and some report generators write them.
func crOnly(sample []byte) bool {
	return bytes.IndexByte(sample, '\r') >= 0 && bytes.IndexByte(sample, '\n') < 0
}

// crReader turns every CR into LF.
type crReader struct{ r io.Reader }

func (c crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
