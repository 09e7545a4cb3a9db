package lake

import (
	"fmt"
	"os"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
)

// Spool holds a run's conformed batches in a temporary Arrow IPC file, so that
// memory stays bounded whatever the run's size and the batches can be read
// after the keys of a merge are known. It is an array.RecordReader once
// Finish was called.
type Spool struct {
	alloc  memory.Allocator
	schema *arrow.Schema
	f      *os.File
	w      *ipc.FileWriter
	r      *ipc.FileReader
	i      int
	cur    arrow.RecordBatch
	rows   int64
	keys   map[string][]string // key column -> distinct values, when tracked
	keySet map[string]map[string]struct{}
	err    error
	refs   int64
}

// NewSpool starts a spool in dir (the system's temporary folder when empty).
// keyCols are the columns whose distinct values are tracked for a merge.
func NewSpool(dir string, schema *arrow.Schema, alloc memory.Allocator, keyCols []string) (*Spool, error) {
	f, err := os.CreateTemp(dir, "kho-spool-*.arrow")
	if err != nil {
		return nil, fmt.Errorf("creating a spool file: %w", err)
	}
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(schema), ipc.WithAllocator(alloc))
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	s := &Spool{alloc: alloc, schema: schema, f: f, w: w, keySet: map[string]map[string]struct{}{}, refs: 1}
	for _, k := range keyCols {
		s.keySet[k] = map[string]struct{}{}
	}
	return s, nil
}

// Write adds a batch (the caller still releases it).
func (s *Spool) Write(b arrow.RecordBatch) error {
	if b == nil || b.NumRows() == 0 {
		return nil
	}
	for k, set := range s.keySet {
		idx := b.Schema().FieldIndices(k)
		if len(idx) == 0 {
			return fmt.Errorf("spool: no key column %q", k)
		}
		col := b.Column(idx[0])
		for i := 0; i < col.Len(); i++ {
			if col.IsValid(i) {
				set[col.ValueStr(i)] = struct{}{}
			}
		}
	}
	s.rows += b.NumRows()
	return s.w.Write(b)
}

// Rows is the number of rows written.
func (s *Spool) Rows() int64 { return s.rows }

// Finish ends writing and opens the spool for reading.
func (s *Spool) Finish() error {
	if err := s.w.Close(); err != nil {
		return err
	}
	r, err := ipc.NewFileReader(s.f, ipc.WithAllocator(s.alloc))
	if err != nil {
		return fmt.Errorf("reading the spool: %w", err)
	}
	s.r = r
	return nil
}

// KeyFilter is the Iceberg expression matching the rows of the spooled keys
// (nil when there are none). Only single-column keys of text or integers are
// filtered by value; a composite key matches on its first column, which
// over-selects files but never rows: the rows are the caller's to match.
func (s *Spool) KeyFilter(key []string) (iceberg.BooleanExpression, error) {
	if len(key) != 1 {
		return nil, fmt.Errorf("merge supports a single key column for now, got %v", key)
	}
	set := s.keySet[key[0]]
	if len(set) == 0 {
		return nil, nil
	}
	vals := make([]string, 0, len(set))
	for v := range set {
		vals = append(vals, v)
	}
	sort.Strings(vals)
	f := s.schema.FieldIndices(key[0])
	if len(f) == 0 {
		return nil, fmt.Errorf("no key column %q", key[0])
	}
	ref := iceberg.Reference(key[0])
	switch s.schema.Field(f[0]).Type.ID() {
	case arrow.STRING:
		return iceberg.IsIn(ref, vals...), nil
	default:
		return nil, fmt.Errorf("merge key %q must be a text column", key[0])
	}
}

// Schema implements array.RecordReader.
func (s *Spool) Schema() *arrow.Schema { return s.schema }

// Next implements array.RecordReader.
func (s *Spool) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	if s.r == nil || s.i >= s.r.NumRecords() {
		return false
	}
	rec, err := s.r.RecordBatch(s.i)
	if err != nil {
		s.err = err
		return false
	}
	rec.Retain()
	s.cur = rec
	s.i++
	return true
}

// RecordBatch implements array.RecordReader.
func (s *Spool) RecordBatch() arrow.RecordBatch { return s.cur }

// Record implements array.RecordReader.
//
// Deprecated: use RecordBatch.
func (s *Spool) Record() arrow.RecordBatch { return s.cur }

// Err implements array.RecordReader.
func (s *Spool) Err() error { return s.err }

// Retain implements array.RecordReader.
func (s *Spool) Retain() { s.refs++ }

// Release implements array.RecordReader; the last release removes the file.
func (s *Spool) Release() {
	s.refs--
	if s.refs > 0 {
		return
	}
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	if s.r != nil {
		s.r.Close()
	}
	s.f.Close()
	os.Remove(s.f.Name())
}

// Rewind starts reading again from the first batch.
func (s *Spool) Rewind() { s.i = 0 }

var _ array.RecordReader = (*Spool)(nil)
