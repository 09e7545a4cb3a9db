package marts

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// utcReader presents DuckDB's TIMESTAMPTZ columns, which come in the
// session's time zone (Asia/Ho_Chi_Minh), as UTC: the same instants, the
// zone Iceberg's timestamptz is stored in. Other columns pass through.
type utcReader struct {
	array.RecordReader
	schema *arrow.Schema
	cur    arrow.RecordBatch
	fix    bool
	refs   int
}

func newUTCReader(r array.RecordReader) *utcReader {
	u := &utcReader{RecordReader: r, schema: r.Schema(), refs: 1}
	fields := r.Schema().Fields()
	for i, f := range fields {
		if ts, ok := f.Type.(*arrow.TimestampType); ok && ts.TimeZone != "" && ts.TimeZone != "UTC" {
			fields[i].Type = &arrow.TimestampType{Unit: ts.Unit, TimeZone: "UTC"}
			u.fix = true
		}
	}
	if u.fix {
		md := r.Schema().Metadata()
		u.schema = arrow.NewSchema(fields, &md)
	}
	return u
}

func (u *utcReader) Schema() *arrow.Schema { return u.schema }

func (u *utcReader) Next() bool {
	if u.cur != nil {
		u.cur.Release()
		u.cur = nil
	}
	if !u.RecordReader.Next() {
		return false
	}
	rec := u.RecordReader.RecordBatch()
	if !u.fix {
		return true
	}
	cols := make([]arrow.Array, rec.NumCols())
	for i, c := range rec.Columns() {
		want := u.schema.Field(i).Type
		if arrow.TypeEqual(c.DataType(), want) {
			c.Retain()
			cols[i] = c
			continue
		}
		d := c.Data()
		nd := array.NewData(want, d.Len(), d.Buffers(), d.Children(), d.NullN(), d.Offset())
		cols[i] = array.MakeFromData(nd)
		nd.Release()
	}
	u.cur = array.NewRecordBatch(u.schema, cols, rec.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return true
}

func (u *utcReader) RecordBatch() arrow.RecordBatch {
	if u.fix {
		return u.cur
	}
	return u.RecordReader.RecordBatch()
}

// Record implements array.RecordReader.
//
// Deprecated: use RecordBatch.
func (u *utcReader) Record() arrow.RecordBatch { return u.RecordBatch() }

// Retain and Release count the wrapper's own references; the wrapped reader
// stays its owner's.
func (u *utcReader) Retain() { u.refs++ }

func (u *utcReader) Release() {
	if u.refs--; u.refs > 0 {
		return
	}
	if u.cur != nil {
		u.cur.Release()
		u.cur = nil
	}
}
