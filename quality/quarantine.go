package quality

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"

	"github.com/sonla-data/kho/schemas"
)

// The quarantine table of a dataset (<dataset>__quarantine): its schema and
// the batches of bad rows written to it. Runs, replays and migrations all
// build their quarantine batches here.

var quarantineFields = []struct {
	name, doc string
	ice       iceberg.Type
	arr       arrow.DataType
}{
	{"run_id", "Lần chạy", iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String},
	{"pipeline", "Pipeline", iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String},
	{"source_file", "Tệp/bảng nguồn", iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String},
	{"source_row", "Dòng nguồn", iceberg.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int64},
	{"record_key", "Khóa bản ghi", iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String},
	{"column_name", "Cột", iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String},
	{"rule", "Quy tắc", iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String},
	{"raw_value", "Giá trị gốc", iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String},
	{"reason_vi", "Lý do", iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String},
	{"reason_en", "Reason", iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String},
	{"record", "Bản ghi gốc (JSON)", iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String},
	{"quarantined_at", "Thời điểm cách ly", iceberg.PrimitiveTypes.TimestampTz, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
}

// QuarantineRunColumns differ from run to run for the same bad row: they
// are left out of a quarantine's fingerprint.
var QuarantineRunColumns = []string{"run_id", "quarantined_at"}

// QuarantineSchema is the Iceberg schema of every quarantine table.
func QuarantineSchema() *iceberg.Schema {
	fs := make([]iceberg.NestedField, len(quarantineFields))
	for i, f := range quarantineFields {
		fs[i] = iceberg.NestedField{ID: i + 1, Name: f.name, Type: f.ice, Doc: f.doc}
	}
	return iceberg.NewSchema(0, fs...)
}

// QuarantineArrow is the Arrow schema of QuarantineSchema.
func QuarantineArrow() *arrow.Schema {
	fs := make([]arrow.Field, len(quarantineFields))
	for i, f := range quarantineFields {
		fs[i] = arrow.Field{Name: f.name, Type: f.arr, Nullable: true}
	}
	return arrow.NewSchema(fs, nil)
}

// BadRow is a bad row and the pipeline (or command) that read it.
type BadRow struct {
	Pipeline string
	schemas.Bad
}

// BadRows tags bad rows with the pipeline that read them.
func BadRows(pipeline string, bad []schemas.Bad) []BadRow {
	out := make([]BadRow, len(bad))
	for i := range bad {
		out[i] = BadRow{Pipeline: pipeline, Bad: bad[i]}
	}
	return out
}

// QuarantineBatch turns bad rows into a batch of sc (nil: QuarantineArrow),
// filling its columns by name: a quarantine table written by an older Kho
// gets nulls in the columns it lacks the values of. The caller releases it.
func QuarantineBatch(alloc memory.Allocator, sc *arrow.Schema, runID string, bad []BadRow, at time.Time) arrow.RecordBatch {
	if sc == nil {
		sc = QuarantineArrow()
	}
	if alloc == nil {
		alloc = memory.DefaultAllocator
	}
	b := array.NewRecordBuilder(alloc, sc)
	defer b.Release()
	ts := arrow.Timestamp(at.UnixMicro())
	for _, x := range bad {
		for i, f := range sc.Fields() {
			fb := b.Field(i)
			var s string
			switch f.Name {
			case "run_id":
				s = runID
			case "pipeline":
				s = x.Pipeline
			case "source_file":
				s = x.File
			case "record_key":
				s = x.Key
			case "column_name":
				s = x.Column
			case "rule":
				s = x.Rule
			case "raw_value":
				s = x.Raw
			case "reason_vi":
				s = x.ReasonVI
			case "reason_en":
				s = x.ReasonEN
			case "record":
				s = x.Record
			case "source_row":
				if ib, ok := fb.(*array.Int64Builder); ok {
					ib.Append(x.Row)
				} else {
					fb.AppendNull()
				}
				continue
			case "quarantined_at":
				if tb, ok := fb.(*array.TimestampBuilder); ok {
					tb.Append(ts)
				} else {
					fb.AppendNull()
				}
				continue
			default:
				fb.AppendNull()
				continue
			}
			if sb, ok := fb.(*array.StringBuilder); ok {
				sb.Append(s)
			} else {
				fb.AppendNull()
			}
		}
	}
	return b.NewRecordBatch()
}
