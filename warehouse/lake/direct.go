package lake

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/iceberg-go"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
	"github.com/google/uuid"
)

// The one write: a spool made Direct writes its rows straight into the
// Parquet data files of its table while the run reads its source, instead
// of into temporary Arrow IPC files that are read again and encoded after
// the source was read. The files are handed to the commit (AddDataFiles,
// or the replacement of an overwrite); until then they are no part of the
// table, and a run that does not commit them (a failed dataset check, an
// unchanged overwrite, an error) removes them when its spool is released.
// A process killed before its commit leaves them as orphans for
// `kho lake check --repair`.
//
// Rows of each partition are held as Arrow batches until the held bytes
// pass a bound; then the partition holding most is encoded as one row
// group of its file (one column chunk at a time), so that memory stays
// bounded however many partitions the rows arrive in and in whatever
// order, and only one Parquet encoder works at a time (iceberg-go's
// fan-out writer keeps a page buffer and a dictionary per column for every
// partition open at once: 763 MB for 24 monthly partitions). The files'
// Iceberg statistics (bounds, counts, the partition) are read from their
// footers by iceberg-go's own FileToDataFile, as for files iceberg-go
// writes, so the merge's pruning sees the same bounds.

// DefaultDirectBound is the bytes of Arrow buffers a direct spool holds
// before it encodes a row group. With rows of 24 monthly partitions
// interleaved (the bench's CSV), 8 to 16 MiB gave the same wall time and CPU
// as the spool's write under the run's 200 MiB heap limit, and 32 to 48 MiB
// more of both (the garbage collector then works against the limit); row
// groups are then about 16 MiB / the partitions arriving together.
const DefaultDirectBound = 16 << 20

// maxDirectFiles is the data files a direct spool keeps open at once.
const maxDirectFiles = 128

// directQueue is the batches waiting for the direct writer: the conform
// step goes on while a row group is encoded.
const directQueue = 4

// directWriter writes a spool's batches into Parquet data files of a table.
type directWriter struct {
	t        *table.Table
	fs       iceio.WriteFileIO
	schema   *arrow.Schema // the table's, with the Parquet field ids
	props    *parquet.WriterProperties
	arrProps pqarrow.ArrowWriterProperties
	field    string // the partition field's name ("" unpartitioned)
	tr       iceberg.Transform
	split    func(b arrow.RecordBatch, each func(key any, part arrow.RecordBatch) error) error
	bound    int64
	target   int64 // bytes of a file before the next one is started
	rgRows   int64 // rows of a row group at most
	id       uuid.UUID

	in   chan arrow.RecordBatch
	done chan struct{}
	stop chan struct{} // closed by abort: the writer drops what comes

	parts   map[any]*directPart
	held    int64
	created []string // every file created (removed unless handed over)
	files   []iceberg.DataFile
	err     error
	once    sync.Once
	// open files at most: a partition's file closed to open another's goes
	// on in a new file (tables partitioned by day over years)
	maxOpen, nOpen int
	tick           int64

	handedOver bool
}

// directPart is the open file and the held rows of one partition.
type directPart struct {
	key     any
	held    []arrow.RecordBatch
	rows    int64
	bytes   int64
	w       *pqarrow.FileWriter
	f       iceio.FileWriter
	path    string
	count   int // files of this partition so far
	written int64
	used    int64 // when its file was last written to (for closing the least recently used)
}

// directWriteProps are the table properties the direct writer follows;
// a table setting any other write.parquet property is written by
// iceberg-go's writer.
var directWriteProps = map[string]bool{
	table.ParquetRowGroupLimitKey: true, table.ParquetPageSizeBytesKey: true, table.ParquetPageRowLimitKey: true,
	table.ParquetDictSizeBytesKey: true, table.ParquetPageVersionKey: true, table.ParquetCompressionKey: true,
	table.ParquetCompressionLevelKey: true, table.ParquetRowGroupSizeBytesKey: true,
}

// writerProperties are the Parquet writer properties iceberg-go writes the
// table's data files with (its defaults and the table's settings), or false
// when the table sets one the direct writer does not follow.
func writerProperties(sc *arrow.Schema, props iceberg.Properties) (*parquet.WriterProperties, bool) {
	for k := range props {
		if (strings.HasPrefix(k, "write.parquet.") && !directWriteProps[k]) || k == "parquet.enable.dictionary" {
			return nil, false
		}
	}
	page := parquet.DataPageV2
	switch props.Get(table.ParquetPageVersionKey, table.ParquetPageVersionDefault) {
	case "1":
		page = parquet.DataPageV1
	case "2":
	default:
		return nil, false
	}
	var codec compress.Compression
	switch props.Get(table.ParquetCompressionKey, table.ParquetCompressionDefault) {
	case "zstd":
		codec = compress.Codecs.Zstd
	case "snappy":
		codec = compress.Codecs.Snappy
	case "uncompressed":
		codec = compress.Codecs.Uncompressed
	case "gzip":
		codec = compress.Codecs.Gzip
	default:
		return nil, false
	}
	wp := []parquet.WriterProperty{
		parquet.WithMaxRowGroupLength(int64(props.GetInt(table.ParquetRowGroupLimitKey, table.ParquetRowGroupLimitDefault))),
		parquet.WithDataPageSize(int64(props.GetInt(table.ParquetPageSizeBytesKey, table.ParquetPageSizeBytesDefault))),
		parquet.WithDataPageVersion(page),
		parquet.WithBatchSize(int64(props.GetInt(table.ParquetPageRowLimitKey, table.ParquetPageRowLimitDefault))),
		parquet.WithDictionaryPageSizeLimit(int64(props.GetInt(table.ParquetDictSizeBytesKey, table.ParquetDictSizeBytesDefault))),
		parquet.WithCompression(codec),
		parquet.WithCompressionLevel(props.GetInt(table.ParquetCompressionLevelKey, table.ParquetCompressionLevelDefault)),
		parquet.WithMaxBloomFilterBytes(int64(table.ParquetBloomFilterMaxBytesDefault)),
		parquet.WithDictionaryDefault(true),
	}
	// as iceberg-go (after Iceberg Java): a column whose dictionary does not
	// pay falls back to plain encoding
	for _, f := range sc.Fields() {
		switch f.Type.(type) {
		case *arrow.StructType, *arrow.ListType, *arrow.LargeListType, *arrow.MapType, *arrow.FixedSizeListType:
			return nil, false
		}
		wp = append(wp, parquet.WithDictionaryCostFallbackFor(f.Name, true))
	}
	return parquet.NewWriterProperties(wp...), true
}

// Direct makes the spool write its rows straight into Parquet data files
// of t (see directWriter) and reports whether it does: only a spool that
// keeps no keys (an append, an overwrite, the first load of a merge), before
// its first Write, whose columns are t's, into a table partitioned at most by
// one column with a transform the spool clusters by, on storage the table
// can write to. The files are the spool's rows in the order read back.
func (s *Spool) Direct(ctx context.Context, t *table.Table) bool {
	if s.rows > 0 || s.keys != nil || s.direct != nil {
		return false
	}
	want, err := table.SchemaToArrowSchema(t.Schema(), nil, true, false)
	if err != nil || want.NumFields() != s.schema.NumFields() {
		return false
	}
	for i, f := range want.Fields() {
		g := s.schema.Field(i)
		if f.Name != g.Name || !arrow.TypeEqual(f.Type, g.Type) {
			return false
		}
	}
	props, ok := writerProperties(want, t.Properties())
	if !ok {
		return false
	}
	io, err := t.FS(ctx)
	if err != nil {
		return false
	}
	wfs, ok := io.(iceio.WriteFileIO)
	if !ok {
		return false
	}
	d := &directWriter{
		t: t, fs: wfs, schema: want, props: props,
		arrProps: pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(s.alloc), pqarrow.WithStoreSchema()),
		bound:    DefaultDirectBound,
		target:   int64(t.Properties().GetInt(table.WriteTargetFileSizeBytesKey, table.WriteTargetFileSizeBytesDefault)),
		rgRows:   props.MaxRowGroupLength(),
		id:       uuid.New(),
		parts:    map[any]*directPart{},
		in:       make(chan arrow.RecordBatch, directQueue),
		done:     make(chan struct{}),
		stop:     make(chan struct{}),
		maxOpen:  maxDirectFiles,
	}
	if n := props.MaxRowGroupLength(); n <= 0 {
		return false
	}
	spec := t.Spec()
	switch spec.NumFields() {
	case 0:
		d.split = func(b arrow.RecordBatch, each func(any, arrow.RecordBatch) error) error { return each(nil, b) }
	case 1:
		f := spec.Field(0)
		name, ok := t.Schema().FindColumnName(f.SourceID())
		idx := s.schema.FieldIndices(name)
		ordinal := partitionOrdinal(f.Transform)
		if !ok || len(idx) != 1 || ordinal == nil || !f.Transform.PreservesOrder() {
			return false
		}
		d.field, d.tr = f.Name, f.Transform
		col := idx[0]
		d.split = func(b arrow.RecordBatch, each func(any, arrow.RecordBatch) error) error {
			return splitByPartition(s.alloc, s.schema, b, col, ordinal, each)
		}
	default:
		return false
	}
	s.direct = d
	// no temporary file: the spool's first, empty one goes
	for _, p := range s.parts {
		p.w.Close()
		p.f.Close()
		os.Remove(p.f.Name())
	}
	s.parts, s.byKey, s.ordinal, s.clustered = nil, nil, nil, false
	go d.run()
	return true
}

// SetDirectBound sets the bytes a direct spool holds before it encodes a
// row group (tests: a small bound makes many row groups and files).
func (s *Spool) SetDirectBound(n int64) {
	if s.direct != nil && n > 0 {
		s.direct.bound = n
	}
}

// SetTargetFileSize sets the bytes of a direct spool's file after which a
// partition's rows go on in a new file (tests).
func (s *Spool) SetTargetFileSize(n int64) {
	if s.direct != nil && n > 0 {
		s.direct.target = n
	}
}

// SetMaxOpenFiles sets the data files a direct spool keeps open at once
// (tests).
func (s *Spool) SetMaxOpenFiles(n int) {
	if s.direct != nil && n > 0 {
		s.direct.maxOpen = n
	}
}

// IsDirect reports whether the spool writes the table's data files.
func (s *Spool) IsDirect() bool { return s.direct != nil }

// send hands a batch to the writer (the caller keeps its reference).
func (d *directWriter) send(b arrow.RecordBatch) error {
	b.Retain()
	select {
	case d.in <- b:
		return nil
	case <-d.done:
		b.Release()
		if d.err != nil {
			return d.err
		}
		return errors.New("the data file writer stopped")
	}
}

func (d *directWriter) run() {
	defer close(d.done)
	for b := range d.in {
		if d.err == nil {
			select {
			case <-d.stop:
				d.err = errors.New("aborted")
			default:
				d.err = d.take(b)
			}
		}
		b.Release()
		if d.err != nil {
			d.drain()
			return
		}
	}
	select {
	case <-d.stop:
		if d.err == nil {
			d.err = errors.New("aborted")
		}
	default:
		if d.err == nil {
			d.err = d.flushAll()
		}
	}
}

// drain releases what is still sent after an error.
func (d *directWriter) drain() {
	go func() {
		for b := range d.in {
			b.Release()
		}
	}()
}

// take holds the rows of b by partition and encodes row groups while the
// held bytes pass the bound.
func (d *directWriter) take(b arrow.RecordBatch) error {
	err := d.split(b, func(key any, part arrow.RecordBatch) error {
		p := d.parts[key]
		if p == nil {
			p = &directPart{key: key}
			d.parts[key] = p
		}
		part.Retain()
		n := batchBytes(part)
		p.held = append(p.held, part)
		p.rows += part.NumRows()
		p.bytes += n
		d.held += n
		return nil
	})
	if err != nil {
		return err
	}
	for d.held > d.bound {
		var big *directPart
		for _, p := range d.parts {
			if big == nil || p.bytes > big.bytes {
				big = p
			}
		}
		if err := d.flush(big); err != nil {
			return err
		}
	}
	return nil
}

// batchBytes is the size of a batch's buffers.
func batchBytes(b arrow.RecordBatch) int64 {
	var n int64
	for _, c := range b.Columns() {
		for _, buf := range c.Data().Buffers() {
			if buf != nil {
				n += int64(buf.Cap())
			}
		}
	}
	return n
}

// flush encodes a partition's held rows as row groups of its file.
func (d *directWriter) flush(p *directPart) error {
	if p.rows == 0 {
		return nil
	}
	if p.w == nil {
		if err := d.open(p); err != nil {
			return err
		}
	}
	cols := make([]*arrow.Chunked, d.schema.NumFields())
	for j := range cols {
		chunks := make([]arrow.Array, len(p.held))
		for i, b := range p.held {
			chunks[i] = b.Column(j)
		}
		cols[j] = arrow.NewChunked(d.schema.Field(j).Type, chunks)
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for off := int64(0); off < p.rows; off += d.rgRows {
		size := min(d.rgRows, p.rows-off)
		if err := p.w.NewRowGroupChecked(); err != nil {
			return d.fail(p, err)
		}
		for _, c := range cols {
			if err := p.w.WriteColumnChunked(c, off, size); err != nil {
				return d.fail(p, err)
			}
		}
	}
	p.written += p.rows
	d.tick++
	p.used = d.tick
	for _, b := range p.held {
		b.Release()
	}
	d.held -= p.bytes
	p.held, p.rows, p.bytes = p.held[:0], 0, 0
	if p.w.TotalCompressedBytes() >= d.target {
		return d.close(p)
	}
	return nil
}

func (d *directWriter) fail(p *directPart, err error) error {
	return fmt.Errorf("writing the data file %s: %w", p.path, err)
}

// open starts the next file of a partition.
func (d *directWriter) open(p *directPart) error {
	if d.nOpen >= d.maxOpen {
		var lru *directPart
		for _, q := range d.parts {
			if q.w != nil && (lru == nil || q.used < lru.used) {
				lru = q
			}
		}
		if lru != nil {
			if err := d.close(lru); err != nil {
				return err
			}
		}
	}
	loc, err := d.t.LocationProvider()
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%05d-0-%s-%05d.parquet", len(d.created), d.id, p.count)
	if d.field != "" {
		name = d.field + "=" + partitionText(d.tr, p.key) + "/" + name
	}
	p.path = loc.NewDataLocation(name)
	p.count++
	f, err := d.fs.Create(p.path)
	if err != nil {
		return fmt.Errorf("creating the data file %s: %w", p.path, err)
	}
	d.created = append(d.created, p.path)
	w, err := pqarrow.NewFileWriter(d.schema, f, d.props, d.arrProps)
	if err != nil {
		f.Close()
		return fmt.Errorf("creating the data file %s: %w", p.path, err)
	}
	p.f, p.w = f, w
	d.nOpen++
	return nil
}

// close ends a partition's file and records it.
func (d *directWriter) close(p *directPart) error {
	if p.w == nil {
		return nil
	}
	w := p.w
	p.w, p.f = nil, nil
	d.nOpen--
	if err := w.Close(); err != nil { // closes the file too
		return fmt.Errorf("closing the data file %s: %w", p.path, err)
	}
	df, err := table.FileToDataFile(context.Background(), d.fs, p.path, d.t.Schema(), d.t.Spec(), 0, d.t.Properties())
	if err != nil {
		return fmt.Errorf("reading the statistics of the data file %s: %w", p.path, err)
	}
	if df.Count() != p.written {
		return fmt.Errorf("the data file %s holds %d rows, %d were written", p.path, df.Count(), p.written)
	}
	p.written = 0
	d.files = append(d.files, df)
	return nil
}

// flushAll encodes every partition's held rows and closes the files, in
// partition order.
func (d *directWriter) flushAll() error {
	keys := make([]any, 0, len(d.parts))
	for k := range d.parts {
		keys = append(keys, k)
	}
	sort.SliceStable(keys, func(a, b int) bool { return partLess(keys[a], keys[b]) })
	for _, k := range keys {
		p := d.parts[k]
		if err := d.flush(p); err != nil {
			return err
		}
		if err := d.close(p); err != nil {
			return err
		}
	}
	return nil
}

// finish waits for the writer; the files, or the writer's error.
func (d *directWriter) finish() ([]iceberg.DataFile, error) {
	d.once.Do(func() { close(d.in) })
	<-d.done
	return d.files, d.err
}

// abort stops the writer and removes every file it created, unless they
// were handed to a commit.
func (d *directWriter) abort() {
	d.once.Do(func() {
		close(d.stop)
		close(d.in)
	})
	<-d.done
	for _, p := range d.parts {
		for _, b := range p.held {
			b.Release()
		}
		p.held = nil
		if p.w != nil {
			p.w.Close()
			p.w = nil
		}
	}
	if d.handedOver {
		return
	}
	for _, path := range d.created {
		_ = d.fs.Remove(path)
	}
}

// partitionText is the folder name of a partition's files.
func partitionText(tr iceberg.Transform, key any) string {
	switch k := key.(type) {
	case nil:
		return "null"
	case string:
		return url.PathEscape(k)
	case int:
		switch tr.(type) {
		case iceberg.MonthTransform:
			return fmt.Sprintf("%04d-%02d", (k-1)/12, (k-1)%12+1)
		case iceberg.DayTransform:
			return time.Unix(int64(k)*86400, 0).UTC().Format(time.DateOnly)
		}
		return strconv.Itoa(k)
	}
	return fmt.Sprint(key)
}

// directReader reads a direct spool's files back (Next), selected columns
// only when asked.
type directReader struct {
	files []iceberg.DataFile
	i     int
	rr    pqarrow.RecordReader
	pf    *file.Reader
}

func (s *Spool) nextDirect() bool {
	r := &s.dread
	for {
		if r.rr != nil && r.rr.Next() {
			b := r.rr.RecordBatch()
			b.Retain()
			s.cur = b
			return true
		}
		if r.rr != nil {
			if err := r.rr.Err(); err != nil {
				s.err = err
			}
			r.close()
			if s.err != nil {
				return false
			}
		}
		if r.i >= len(s.direct.files) {
			return false
		}
		path := s.direct.files[r.i].FilePath()
		r.i++
		if err := r.open(s.direct.fs, path, s.alloc, s.selected); err != nil {
			s.err = fmt.Errorf("reading the data file %s: %w", path, err)
			return false
		}
	}
}

func (r *directReader) open(fs iceio.IO, path string, alloc memory.Allocator, cols []string) error {
	f, err := fs.Open(path)
	if err != nil {
		return err
	}
	pf, err := file.NewParquetReader(f)
	if err != nil {
		f.Close()
		return err
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 8192, Parallel: false}, alloc)
	if err != nil {
		pf.Close()
		return err
	}
	var idx []int
	if len(cols) > 0 {
		sc, err := fr.Schema()
		if err != nil {
			pf.Close()
			return err
		}
		for _, c := range cols {
			idx = append(idx, sc.FieldIndices(c)...)
		}
		sort.Ints(idx)
	}
	rr, err := fr.GetRecordReader(context.Background(), idx, nil)
	if err != nil {
		pf.Close()
		return err
	}
	r.rr, r.pf = rr, pf
	return nil
}

func (r *directReader) close() {
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	if r.pf != nil {
		r.pf.Close()
		r.pf = nil
	}
}

// Select makes a direct spool read back only the columns named (every
// column when none); a spool of IPC files reads every column regardless.
func (s *Spool) Select(cols ...string) { s.selected = cols }

// DataFiles are the files a direct spool wrote (after Finish).
func (s *Spool) DataFiles() []iceberg.DataFile {
	if s.direct == nil {
		return nil
	}
	return s.direct.files
}

// handOver marks a direct spool's files as taken by a commit: releasing
// the spool no longer removes them (a failed commit leaves them as
// orphans).
func (s *Spool) handOver() {
	if s.direct != nil {
		s.direct.handedOver = true
	}
}
