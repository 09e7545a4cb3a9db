package lake

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/iceberg-go"
	icebergio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
	"github.com/google/uuid"
)

// Iceberg v2 position deletes (spec: "Position Delete Files"): a Parquet
// file of (file_path, pos) rows, each removing row pos (from 0) of the data
// file at file_path. Kho writes one delete file per data file it deletes
// rows from (file-scoped, with referenced_data_file set), its positions
// sorted, and commits it with the run's new data files in one row delta.
// iceberg-go v0.7.0 applies such files when it scans and exposes
// table.DataFileFromMetadata and Transaction.NewRowDelta to commit them, but
// has no public writer of v2 position deletes for positions the caller
// found itself: this file is that writer.

var (
	posDeleteFields = iceberg.PositionalDeleteSchema.Fields()
	posDeleteArrow  = arrow.NewSchema([]arrow.Field{
		{Name: posDeleteFields[0].Name, Type: arrow.BinaryTypes.String, Metadata: fieldID(posDeleteFields[0].ID)},
		{Name: posDeleteFields[1].Name, Type: arrow.PrimitiveTypes.Int64, Metadata: fieldID(posDeleteFields[1].ID)},
	}, nil)
)

func fieldID(id int) arrow.Metadata {
	return arrow.NewMetadata([]string{table.ArrowParquetFieldIDKey}, []string{strconv.Itoa(id)})
}

// deletedPositions reads the positions of data file path that the delete
// files of its scan task remove. cache keeps delete files already read
// (a partition-scoped delete file, written by another engine, may cover
// several data files).
func deletedPositions(ctx context.Context, fs icebergio.IO, alloc memory.Allocator, task table.FileScanTask, cache map[string]map[string][]int64) (map[int64]bool, error) {
	return deletedPositionsShared(ctx, fs, alloc, task, cache, nil)
}

// deletedPositionsShared is deletedPositions with a cache that several
// goroutines share, guarded by mu (nil: not shared). A delete file is read
// without the lock held: two goroutines may both read one, which only
// costs time (Kho's delete files cover a single data file each).
func deletedPositionsShared(ctx context.Context, fs icebergio.IO, alloc memory.Allocator, task table.FileScanTask, cache map[string]map[string][]int64, mu *sync.Mutex) (map[int64]bool, error) {
	lock := func() {
		if mu != nil {
			mu.Lock()
		}
	}
	unlock := func() {
		if mu != nil {
			mu.Unlock()
		}
	}
	if len(task.EqualityDeleteFiles) > 0 || len(task.DeletionVectorFiles) > 0 {
		return nil, fmt.Errorf("data file %s has equality deletes or deletion vectors (written by another engine): compact the table first (kho lake compact)", task.File.FilePath())
	}
	if len(task.DeleteFiles) == 0 {
		return nil, nil
	}
	out := map[int64]bool{}
	for _, df := range task.DeleteFiles {
		lock()
		byFile, ok := cache[df.FilePath()]
		unlock()
		if !ok {
			byFile = map[string][]int64{}
			ids := []int{posDeleteFields[0].ID, posDeleteFields[1].ID}
			err := fileColumns(ctx, fs, alloc, df.FilePath(), ids, func(cols []arrow.Array, _ int64, n int) error {
				paths, ok1 := cols[0].(*array.String)
				pos, ok2 := cols[1].(*array.Int64)
				if !ok1 || !ok2 {
					return fmt.Errorf("delete file %s: file_path and pos must be text and int64", df.FilePath())
				}
				for i := 0; i < n; i++ {
					p := paths.Value(i)
					byFile[p] = append(byFile[p], pos.Value(i))
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			lock()
			cache[df.FilePath()] = byFile
			unlock()
		}
		for _, p := range byFile[task.File.FilePath()] {
			out[p] = true
		}
	}
	return out, nil
}

// writePositionDeletes writes the delete file of one data file's positions
// and returns it as a DataFile for a row delta.
func writePositionDeletes(ctx context.Context, t *table.Table, alloc memory.Allocator, data iceberg.DataFile, positions []int64) (iceberg.DataFile, error) {
	slices.Sort(positions)
	fs, err := t.FS(ctx)
	if err != nil {
		return nil, err
	}
	wfs, ok := fs.(icebergio.WriteFileIO)
	if !ok {
		return nil, fmt.Errorf("the file system of %s cannot be written", name(t))
	}
	loc := t.Location() + "/data/kho-deletes-" + uuid.NewString() + ".parquet"
	fw, err := wfs.Create(loc)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", loc, err)
	}
	paths := make([]string, len(positions))
	for i := range paths {
		paths[i] = data.FilePath()
	}
	cw := &countingWriter{w: fw}
	meta, err := writePosDeleteParquet(cw, alloc, paths, positions)
	if cerr := fw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", loc, err)
	}
	spec := t.Spec()
	if s := t.Metadata().PartitionSpecByID(int(data.SpecID())); s != nil {
		spec = *s
	}
	ref := data.FilePath()
	df, err := table.DataFileFromMetadata(table.DataFileArgs{
		Schema: iceberg.PositionalDeleteSchema, Spec: spec, Format: iceberg.ParquetFile, Metadata: meta,
		FilePath: loc, FileSize: cw.n, Content: iceberg.EntryContentPosDeletes,
		PartitionValues: data.Partition(), FormatVersion: t.Metadata().Version(), ReferencedDataFile: &ref,
	})
	if err != nil {
		return nil, fmt.Errorf("describing the delete file %s: %w", loc, err)
	}
	return df, nil
}

// writePosDeleteParquet writes the Parquet of (file_path, pos) rows to w and
// returns its metadata.
func writePosDeleteParquet(w io.Writer, alloc memory.Allocator, paths []string, positions []int64) (*metadata.FileMetaData, error) {
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithAllocator(alloc))
	pw, err := pqarrow.NewFileWriter(posDeleteArrow, nopCloser{w}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(alloc)))
	if err != nil {
		return nil, err
	}
	sb := array.NewStringBuilder(alloc)
	ib := array.NewInt64Builder(alloc)
	sb.AppendValues(paths, nil)
	ib.AppendValues(positions, nil)
	pa, pos := sb.NewArray(), ib.NewArray()
	sb.Release()
	ib.Release()
	rec := array.NewRecordBatch(posDeleteArrow, []arrow.Array{pa, pos}, int64(len(positions)))
	pa.Release()
	pos.Release()
	err = pw.Write(rec)
	rec.Release()
	if cerr := pw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return pw.FileMetadata()
}

// nopCloser keeps the Parquet writer from closing the file it writes to.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w interface {
		Write([]byte) (int, error)
		Close() error
	}
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) Close() error { return c.w.Close() }
