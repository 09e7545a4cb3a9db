package dvcqg

import (
	"bytes"
	"io"
)

// lineTracker passes a reader through and can turn a byte offset into a line
// and column. It keeps only the bytes not yet forgotten: the decoder forgets
// everything before its input offset after each element, so what is kept is
// about the decoder's own read-ahead buffer, whatever the input size.
type lineTracker struct {
	r     io.Reader
	base  int64  // offset of buf[0] in the stream
	lines int    // newlines before base
	col   int    // bytes since the last newline before base
	buf   []byte // bytes read from base on
}

func (t *lineTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// total is the count of bytes read so far.
func (t *lineTracker) total() int64 { return t.base + int64(len(t.buf)) }

// forget drops the bytes before off, keeping their line count.
func (t *lineTracker) forget(off int64) {
	k := int(min(max(off-t.base, 0), int64(len(t.buf))))
	t.advance(t.buf[:k])
	t.buf = append(t.buf[:0], t.buf[k:]...)
	t.base += int64(k)
}

func (t *lineTracker) advance(p []byte) {
	if n := bytes.Count(p, []byte{'\n'}); n > 0 {
		t.lines += n
		t.col = len(p) - bytes.LastIndexByte(p, '\n') - 1
	} else {
		t.col += len(p)
	}
}

// position returns the 1-based line and column (in bytes) of offset off.
func (t *lineTracker) position(off int64) (line, col int) {
	k := int(min(max(off-t.base, 0), int64(len(t.buf))))
	p := t.buf[:k]
	line, col = t.lines, t.col
	if n := bytes.Count(p, []byte{'\n'}); n > 0 {
		line += n
		col = len(p) - bytes.LastIndexByte(p, '\n') - 1
	} else {
		col += len(p)
	}
	return line + 1, col + 1
}

// from returns the kept bytes from offset off on.
func (t *lineTracker) from(off int64) []byte {
	k := int(min(max(off-t.base, 0), int64(len(t.buf))))
	return t.buf[k:]
}
