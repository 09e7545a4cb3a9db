package lake

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"
)

// Spool holds a run's conformed batches in temporary Arrow IPC files, so
// that memory stays bounded whatever the run's size and the batches can be
// read after the keys of a merge are known. It is an array.RecordReader once
// Finish was called.
//
// A spool clustered by a table's partitioning (ClusterBy) keeps a file per
// partition and is read partition after partition, so that the table's
// Parquet files can be written one at a time.
type Spool struct {
	alloc  memory.Allocator
	schema *arrow.Schema
	dir    string
	parts  []*spoolPart
	byKey  map[any]*spoolPart
	// ordinal gives the partition of row i of a batch's column col (nil:
	// one file for every row).
	ordinal   func(a arrow.Array, i int) (any, bool)
	col       int
	clustered bool
	p, i      int // part and batch being read
	cur       arrow.RecordBatch
	rows      int64
	keys      *KeyIndex // nil: no keys kept
	content   bool      // row hashes are computed (keys, fingerprint)
	fp        fingerprint
	skip      map[int]bool // columns left out of the fingerprint
	hashes    []uint64
	err       error
	refs      int64
	// direct writes the rows into the table's data files (see Direct);
	// dread reads them back, the selected columns only when set.
	direct   *directWriter
	dread    directReader
	selected []string
}

// spoolPart is one file of a spool.
type spoolPart struct {
	key any // the partition (nil: the null partition, or every row)
	f   *os.File
	w   *ipc.FileWriter
	r   *ipc.FileReader
}

// maxSpoolParts bounds the files of a clustered spool; rows of further
// partitions share one more file, and the spool is then not clustered.
const maxSpoolParts = 512

// NewSpool starts a spool in dir (the system's temporary folder when empty).
// keyCols are the key of a merge: the spool keeps the rows' keys with the
// hash of their content (Keys); none for other writes.
func NewSpool(dir string, schema *arrow.Schema, alloc memory.Allocator, keyCols []string) (*Spool, error) {
	s := &Spool{alloc: alloc, schema: schema, dir: dir, refs: 1}
	if _, err := s.newPart(nil); err != nil {
		return nil, err
	}
	if len(keyCols) > 0 {
		s.keys = NewKeyIndex(keyCols)
		s.keys.Bound(dir, DefaultKeyBound)
		s.content = true
	}
	return s, nil
}

// KeyBound sets the number of keys the spool's key index holds in memory
// before it spills (DefaultKeyBound unless set; 0: no bound). Call it
// before the first Write.
func (s *Spool) KeyBound(n int) {
	if s.keys != nil {
		s.keys.Bound(s.dir, n)
	}
}

// TrackContent makes the spool compute the fingerprint of its rows (see
// Fingerprint), leaving out the columns named (a run id, a time). Call it
// before the first Write.
func (s *Spool) TrackContent(except ...string) {
	s.content = true
	for _, c := range except {
		for _, i := range s.schema.FieldIndices(c) {
			if s.skip == nil {
				s.skip = map[int]bool{}
			}
			s.skip[i] = true
		}
	}
}

// Keys is the index of the rows' keys (nil when the spool keeps none).
func (s *Spool) Keys() *KeyIndex { return s.keys }

// Fingerprint is a digest of the spooled rows that depends on their
// content and columns, not on their order ("" unless TrackContent or keys
// were asked for).
func (s *Spool) Fingerprint() string {
	if !s.content {
		return ""
	}
	var fields []arrow.Field
	for j, f := range s.schema.Fields() {
		if !s.skip[j] {
			fields = append(fields, f)
		}
	}
	return s.fp.String(arrow.NewSchema(fields, nil))
}

// hashBatch is the content hash of each row of a batch of the spool's
// schema.
func (s *Spool) hashBatch(b arrow.RecordBatch) []uint64 {
	n := int(b.NumRows())
	if cap(s.hashes) < n {
		s.hashes = make([]uint64, n)
	}
	h := s.hashes[:n]
	clear(h)
	for j := 0; j < int(b.NumCols()); j++ {
		hashRows(b.Column(j), h)
	}
	return h
}

func (s *Spool) newPart(key any) (*spoolPart, error) {
	f, err := os.CreateTemp(s.dir, "kho-spool-*.arrow")
	if err != nil {
		return nil, fmt.Errorf("creating a spool file: %w", err)
	}
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(s.schema), ipc.WithAllocator(s.alloc))
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	p := &spoolPart{key: key, f: f, w: w}
	s.parts = append(s.parts, p)
	return p, nil
}

// ClusterBy makes the spool keep the rows of each partition of t in a file
// of their own, when t is partitioned on one column by month, year, day or
// identity. Call it before the first Write.
func (s *Spool) ClusterBy(t *table.Table) {
	if s.rows > 0 || s.direct != nil {
		return
	}
	spec := t.Spec()
	if spec.NumFields() != 1 {
		return
	}
	f := spec.Field(0)
	name, ok := t.Schema().FindColumnName(f.SourceID())
	if !ok {
		return
	}
	idx := s.schema.FieldIndices(name)
	ordinal := partitionOrdinal(f.Transform)
	if len(idx) != 1 || ordinal == nil {
		return
	}
	s.ordinal, s.col, s.clustered = ordinal, idx[0], true
	s.byKey = map[any]*spoolPart{}
	s.parts = s.parts[:1] // the first, empty file takes the first partition
	s.parts[0].key = nil
}

// Clustered reports whether the spool is read partition after partition.
func (s *Spool) Clustered() bool { return s.clustered }

// part returns the file of a partition.
func (s *Spool) part(key any) (*spoolPart, error) {
	if p, ok := s.byKey[key]; ok {
		return p, nil
	}
	if len(s.byKey) == 0 {
		p := s.parts[0]
		p.key = key
		s.byKey[key] = p
		return p, nil
	}
	if len(s.byKey) >= maxSpoolParts {
		s.clustered = false
		if p, ok := s.byKey[overflowKey{}]; ok {
			return p, nil
		}
		key = overflowKey{}
	}
	p, err := s.newPart(key)
	if err != nil {
		return nil, err
	}
	s.byKey[key] = p
	return p, nil
}

// overflowKey is the file of the partitions beyond maxSpoolParts.
type overflowKey struct{}

// writeClustered writes the rows of b to the files of their partitions.
func (s *Spool) writeClustered(b arrow.RecordBatch) error {
	return splitByPartition(s.alloc, s.schema, b, s.col, s.ordinal, func(key any, part arrow.RecordBatch) error {
		p, err := s.part(key)
		if err != nil {
			return err
		}
		return p.w.Write(part)
	})
}

// splitByPartition calls each with the rows of b of each partition (by the
// value of column col), in the order the partitions first appear in b; a
// batch of one partition is passed whole. each must retain what it keeps.
func splitByPartition(alloc memory.Allocator, schema *arrow.Schema, b arrow.RecordBatch, col int, ordinal func(arrow.Array, int) (any, bool), each func(key any, part arrow.RecordBatch) error) error {
	c := b.Column(col)
	n := c.Len()
	keys := make([]any, n)
	same := true
	for i := 0; i < n; i++ {
		if c.IsValid(i) {
			k, ok := ordinal(c, i)
			if !ok {
				return fmt.Errorf("spool: no partition for a value of %s", schema.Field(col).Name)
			}
			keys[i] = k
		}
		same = same && keys[i] == keys[0]
	}
	if same {
		return each(keys[0], b)
	}
	var order []any
	rows := map[any][]int64{}
	for i, k := range keys {
		if _, ok := rows[k]; !ok {
			order = append(order, k)
		}
		rows[k] = append(rows[k], int64(i))
	}
	for _, k := range order {
		if err := takeRows(alloc, schema, b, rows[k], func(part arrow.RecordBatch) error { return each(k, part) }); err != nil {
			return err
		}
	}
	return nil
}

// takeRows calls use with the rows of b at the positions given.
func takeRows(alloc memory.Allocator, schema *arrow.Schema, b arrow.RecordBatch, rows []int64, use func(arrow.RecordBatch) error) error {
	ib := array.NewInt64Builder(alloc)
	ib.AppendValues(rows, nil)
	idx := ib.NewArray()
	ib.Release()
	defer idx.Release()
	cols := make([]arrow.Array, b.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	ctx := compute.WithAllocator(context.Background(), alloc)
	for j := range cols {
		var err error
		if cols[j], err = compute.TakeArray(ctx, b.Column(j), idx); err != nil {
			return fmt.Errorf("spool: splitting a batch by partition: %w", err)
		}
	}
	part := array.NewRecordBatch(schema, cols, int64(len(rows)))
	defer part.Release()
	return use(part)
}

// Write adds a batch (the caller still releases it).
func (s *Spool) Write(b arrow.RecordBatch) error {
	if b == nil || b.NumRows() == 0 {
		return nil
	}
	if s.content {
		h := s.hashBatch(b)
		if s.skip != nil {
			fh := make([]uint64, len(h))
			for j := 0; j < int(b.NumCols()); j++ {
				if !s.skip[j] {
					hashRows(b.Column(j), fh)
				}
			}
			s.fp.add(fh)
		} else {
			s.fp.add(h)
		}
		if s.keys != nil {
			if err := s.keys.Add(b, h); err != nil {
				return fmt.Errorf("spool: %w", err)
			}
		}
	}
	s.rows += b.NumRows()
	if s.direct != nil {
		return s.direct.send(b)
	}
	if s.ordinal != nil {
		return s.writeClustered(b)
	}
	return s.parts[0].w.Write(b)
}

// Rows is the number of rows written.
func (s *Spool) Rows() int64 { return s.rows }

// Finish ends writing and opens the spool for reading: partitions in
// their order (the null partition first, then the partitions beyond
// maxSpoolParts), and each partition's batches in the order written.
func (s *Spool) Finish() error {
	if s.direct != nil {
		_, err := s.direct.finish()
		return err
	}
	for _, p := range s.parts {
		if err := p.w.Close(); err != nil {
			return err
		}
	}
	sort.SliceStable(s.parts, func(a, b int) bool { return partLess(s.parts[a].key, s.parts[b].key) })
	for _, p := range s.parts {
		r, err := ipc.NewFileReader(p.f, ipc.WithAllocator(s.alloc))
		if err != nil {
			return fmt.Errorf("reading the spool: %w", err)
		}
		p.r = r
	}
	return nil
}

// partLess orders partitions: nil, then numbers or texts, then the overflow.
func partLess(a, b any) bool {
	rank := func(k any) int {
		switch k.(type) {
		case nil:
			return 0
		case overflowKey:
			return 2
		}
		return 1
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra < rb
	}
	switch a := a.(type) {
	case int:
		if b, ok := b.(int); ok {
			return a < b
		}
	case int64:
		if b, ok := b.(int64); ok {
			return a < b
		}
	case string:
		if b, ok := b.(string); ok {
			return a < b
		}
	}
	return false
}

// Schema implements array.RecordReader.
func (s *Spool) Schema() *arrow.Schema { return s.schema }

// Next implements array.RecordReader.
func (s *Spool) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	if s.direct != nil {
		return s.err == nil && s.nextDirect()
	}
	for s.p < len(s.parts) {
		r := s.parts[s.p].r
		if r == nil || s.i >= r.NumRecords() {
			s.p, s.i = s.p+1, 0
			continue
		}
		rec, err := r.RecordBatch(s.i)
		if err != nil {
			s.err = err
			return false
		}
		rec.Retain()
		s.cur = rec
		s.i++
		return true
	}
	return false
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
	if s.direct != nil {
		s.dread.close()
		s.direct.abort()
	}
	for _, p := range s.parts {
		if p.r != nil {
			p.r.Close()
		}
		p.f.Close()
		os.Remove(p.f.Name())
	}
	s.keys.Close()
}

// Rewind starts reading again from the first batch.
func (s *Spool) Rewind() {
	s.p, s.i = 0, 0
	s.dread.close()
	s.dread.i = 0
}

var _ array.RecordReader = (*Spool)(nil)
