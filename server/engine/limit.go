package engine

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// limitReader hands out the batches of a reader up to the result's row
// limit, slicing the last one.
type limitReader struct {
	array.RecordReader
	r   *Result
	cur arrow.RecordBatch
}

func (l *limitReader) Next() bool {
	if l.cur != nil {
		l.cur.Release()
		l.cur = nil
	}
	if l.r.truncated || !l.RecordReader.Next() {
		return false
	}
	b := l.RecordReader.RecordBatch()
	n := b.NumRows()
	if max := l.r.maxRows; max >= 0 && l.r.rows+n > max {
		keep := max - l.r.rows
		l.r.truncated = true
		if keep <= 0 {
			return false
		}
		l.cur = b.NewSlice(0, keep)
		n = keep
	} else {
		b.Retain()
		l.cur = b
	}
	l.r.rows += n
	return true
}

func (l *limitReader) RecordBatch() arrow.RecordBatch { return l.cur }

func (l *limitReader) Record() arrow.RecordBatch { return l.cur }

func (l *limitReader) Release() {
	if l.cur != nil {
		l.cur.Release()
		l.cur = nil
	}
	l.RecordReader.Release()
}
