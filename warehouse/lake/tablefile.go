package lake

import (
	"context"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	icebergio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
)

// readBatchRows is the rows of a batch read from a table's Parquet file.
const readBatchRows = 64 << 10

// fileColumns reads some columns of one of a table's Parquet files, matched
// by Iceberg field id (a column the file lacks reads as nulls), calling fn
// with each batch's columns (in the order of ids; nil for a missing column)
// and the position in the file of the batch's first row.
func fileColumns(ctx context.Context, fs icebergio.IO, alloc memory.Allocator, path string, ids []int, fn func(cols []arrow.Array, first int64, n int) error) error {
	return fileColumnsOf(ctx, fs, alloc, path, ids, nil, fn)
}

// fileColumnsOf is fileColumns reading only the row groups for which want
// (given the positions of a row group's first row and of the row after its
// last) is true; nil wants every row group.
func fileColumnsOf(ctx context.Context, fs icebergio.IO, alloc memory.Allocator, path string, ids []int, want func(first, end int64) bool, fn func(cols []arrow.Array, first int64, n int) error) error {
	f, err := fs.Open(path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: readBatchRows}, alloc)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	sc, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("reading the schema of %s: %w", path, err)
	}
	byID := map[int]int{}
	for i, fl := range sc.Fields() {
		if v, ok := fl.Metadata.GetValue(table.ArrowParquetFieldIDKey); ok {
			if id, err := strconv.Atoi(v); err == nil {
				byID[id] = i
			}
		}
	}
	var read []int // leaf columns to read
	where := make([]int, len(ids))
	for j, id := range ids {
		where[j] = -1
		if i, ok := byID[id]; ok {
			where[j] = len(read)
			read = append(read, i)
		}
	}
	n := pr.NumRows()
	if len(read) == 0 {
		// none of the columns: every row reads as nulls
		cols := make([]arrow.Array, len(ids))
		for first := int64(0); first < n; first += readBatchRows {
			if err := fn(cols, first, int(min(readBatchRows, n-first))); err != nil {
				return err
			}
		}
		return nil
	}
	if want == nil {
		return readGroups(ctx, fr, path, read, where, nil, 0, fn)
	}
	var first int64
	for g := 0; g < pr.NumRowGroups(); g++ {
		end := first + pr.MetaData().RowGroup(g).NumRows()
		if want(first, end) {
			if err := readGroups(ctx, fr, path, read, where, []int{g}, first, fn); err != nil {
				return err
			}
		}
		first = end
	}
	return nil
}

// readGroups reads the leaf columns read of row groups (nil: all), whose
// first row is at position pos of the file, calling fn with the columns
// placed as where says.
func readGroups(ctx context.Context, fr *pqarrow.FileReader, path string, read, where, groups []int, pos int64, fn func(cols []arrow.Array, first int64, n int) error) error {
	rr, err := fr.GetRecordReader(ctx, read, groups)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer rr.Release()
	for rr.Next() {
		b := rr.RecordBatch()
		cols := make([]arrow.Array, len(where))
		for j, w := range where {
			if w >= 0 {
				cols[j] = b.Column(w)
			}
		}
		if err := fn(cols, pos, int(b.NumRows())); err != nil {
			return err
		}
		pos += b.NumRows()
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}
