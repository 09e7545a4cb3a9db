package pipelines

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"

	"github.com/sonla-data/kho/schemas"
)

// QuarantineSuffix names a dataset's quarantine table: <dataset>__quarantine.
const QuarantineSuffix = "__quarantine"

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

// quarantineRunColumns differ from run to run for the same bad row: they
// are left out of the quarantine's fingerprint.
var quarantineRunColumns = []string{"run_id", "quarantined_at"}

// QuarantineSchema is the Iceberg schema of every quarantine table.
func QuarantineSchema() *iceberg.Schema {
	fs := make([]iceberg.NestedField, len(quarantineFields))
	for i, f := range quarantineFields {
		fs[i] = iceberg.NestedField{ID: i + 1, Name: f.name, Type: f.ice, Doc: f.doc}
	}
	return iceberg.NewSchema(0, fs...)
}

func quarantineArrow() *arrow.Schema {
	fs := make([]arrow.Field, len(quarantineFields))
	for i, f := range quarantineFields {
		fs[i] = arrow.Field{Name: f.name, Type: f.arr, Nullable: true}
	}
	return arrow.NewSchema(fs, nil)
}

// quarantineBatch turns bad rows into a batch of the quarantine schema.
func quarantineBatch(alloc memory.Allocator, runID, pipeline string, bad []schemas.Bad, at time.Time) arrow.RecordBatch {
	b := array.NewRecordBuilder(alloc, quarantineArrow())
	defer b.Release()
	str := func(i int, s string) { b.Field(i).(*array.StringBuilder).Append(s) }
	ts := arrow.Timestamp(at.UnixMicro())
	for _, r := range bad {
		str(0, runID)
		str(1, pipeline)
		str(2, r.File)
		b.Field(3).(*array.Int64Builder).Append(r.Row)
		str(4, r.Key)
		str(5, r.Column)
		str(6, r.Rule)
		str(7, r.Raw)
		str(8, r.ReasonVI)
		str(9, r.ReasonEN)
		str(10, r.Record)
		b.Field(11).(*array.TimestampBuilder).Append(ts)
	}
	return b.NewRecordBatch()
}
