package connectors

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TextBatcher builds batches of text columns plus the provenance columns, for
// sources whose values are text (CSV, spreadsheets, JSON documents). A missing
// value (nil) is a null; an empty string stays an empty string.
type TextBatcher struct {
	schema *arrow.Schema
	b      *array.RecordBuilder
	cols   []*array.StringBuilder
	file   *array.StringBuilder
	row    *array.Int64Builder
	errs   *array.StringBuilder
	n      int
}

// TextSchema is the schema of a TextBatcher's batches: every column utf8 and
// nullable, then _kho_file, _kho_row and _kho_error.
func TextSchema(columns []string) *arrow.Schema {
	fields := make([]arrow.Field, 0, len(columns)+2)
	for _, c := range columns {
		fields = append(fields, arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	fields = append(fields,
		arrow.Field{Name: ColFile, Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: ColRow, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: ColError, Type: arrow.BinaryTypes.String, Nullable: true})
	return arrow.NewSchema(fields, nil)
}

// NewTextBatcher starts a builder for the named columns.
func NewTextBatcher(alloc memory.Allocator, columns []string) *TextBatcher {
	s := TextSchema(columns)
	b := array.NewRecordBuilder(alloc, s)
	t := &TextBatcher{schema: s, b: b}
	for i := range columns {
		t.cols = append(t.cols, b.Field(i).(*array.StringBuilder))
	}
	t.file = b.Field(len(columns)).(*array.StringBuilder)
	t.row = b.Field(len(columns) + 1).(*array.Int64Builder)
	t.errs = b.Field(len(columns) + 2).(*array.StringBuilder)
	return t
}

// Schema returns the schema of the batches.
func (t *TextBatcher) Schema() *arrow.Schema { return t.schema }

// Append adds one row. values may be shorter than the columns (the rest are
// null); a nil entry is a null.
func (t *TextBatcher) Append(values []*string, file string, row int64) {
	t.add(values, file, row, "")
}

// AppendBad adds a row that could not be read as it should: values holds what
// could be read (kept for the quarantine), reason says what was wrong and where
// (e.g. `column "Ngày gửi": unterminated quote`).
func (t *TextBatcher) AppendBad(values []*string, file string, row int64, reason string) {
	t.add(values, file, row, reason)
}

func (t *TextBatcher) add(values []*string, file string, row int64, reason string) {
	for i, c := range t.cols {
		if i < len(values) && values[i] != nil {
			c.Append(*values[i])
		} else {
			c.AppendNull()
		}
	}
	t.file.Append(file)
	t.row.Append(row)
	if reason == "" {
		t.errs.AppendNull()
	} else {
		t.errs.Append(reason)
	}
	t.n++
}

// AppendStrings adds one row of present values (none null).
func (t *TextBatcher) AppendStrings(values []string, file string, row int64) {
	for i, c := range t.cols {
		if i < len(values) {
			c.Append(values[i])
		} else {
			c.AppendNull()
		}
	}
	t.file.Append(file)
	t.row.Append(row)
	t.errs.AppendNull()
	t.n++
}

// Len is the number of rows appended since the last Flush.
func (t *TextBatcher) Len() int { return t.n }

// Flush returns the rows appended so far as a batch (nil when there are none)
// and starts a new one. The caller releases the batch.
func (t *TextBatcher) Flush() arrow.RecordBatch {
	if t.n == 0 {
		return nil
	}
	t.n = 0
	return t.b.NewRecordBatch()
}

// Release frees the builder.
func (t *TextBatcher) Release() { t.b.Release() }
