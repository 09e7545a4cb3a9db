package schemas

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
)

// partitionFieldID is the id of the first partition field (Iceberg's convention).
const partitionFieldID = 1000

// ArrowType is the Arrow type a column is conformed to.
func (c *Column) ArrowType() arrow.DataType {
	switch c.kind {
	case KindInt:
		return arrow.PrimitiveTypes.Int64
	case KindFloat:
		return arrow.PrimitiveTypes.Float64
	case KindDecimal:
		return &arrow.Decimal128Type{Precision: int32(c.precision), Scale: int32(c.scale)}
	case KindDate:
		return arrow.FixedWidthTypes.Date32
	case KindTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case KindBool:
		return arrow.FixedWidthTypes.Boolean
	default:
		return arrow.BinaryTypes.String
	}
}

func (c *Column) icebergType() iceberg.Type {
	switch c.kind {
	case KindInt:
		return iceberg.PrimitiveTypes.Int64
	case KindFloat:
		return iceberg.PrimitiveTypes.Float64
	case KindDecimal:
		return iceberg.DecimalTypeOf(c.precision, c.scale)
	case KindDate:
		return iceberg.PrimitiveTypes.Date
	case KindTimestamp:
		return iceberg.PrimitiveTypes.TimestampTz
	case KindBool:
		return iceberg.PrimitiveTypes.Bool
	default:
		return iceberg.PrimitiveTypes.String
	}
}

// ArrowSchema is the schema of the conformed batches of the dataset. Every
// column is nullable: required is a rule checked by the conform step, so that
// a table's schema can evolve without rewriting old files.
func (d *Dataset) ArrowSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(d.Columns))
	for i := range d.Columns {
		c := &d.Columns[i]
		fields[i] = arrow.Field{Name: c.Name, Type: c.ArrowType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// IcebergSchema is the lake table's schema, field ids in column order from 1.
func (d *Dataset) IcebergSchema() *iceberg.Schema {
	fields := make([]iceberg.NestedField, len(d.Columns))
	for i := range d.Columns {
		c := &d.Columns[i]
		fields[i] = iceberg.NestedField{ID: i + 1, Name: c.Name, Type: c.icebergType(), Doc: c.Label}
	}
	return iceberg.NewSchema(0, fields...)
}

// PartitionSpec is the lake table's partitioning (unpartitioned when the
// dataset names none).
func (d *Dataset) PartitionSpec() iceberg.PartitionSpec {
	p := d.Partition
	if p == nil {
		return *iceberg.UnpartitionedSpec
	}
	var id int
	for i := range d.Columns {
		if d.Columns[i].Name == p.Column {
			id = i + 1
		}
	}
	var tr iceberg.Transform
	switch p.Transform {
	case "year":
		tr = iceberg.YearTransform{}
	case "day":
		tr = iceberg.DayTransform{}
	case "identity":
		tr = iceberg.IdentityTransform{}
	default:
		tr = iceberg.MonthTransform{}
	}
	return iceberg.NewPartitionSpec(iceberg.PartitionField{
		SourceIDs: []int{id}, FieldID: partitionFieldID, Name: p.Column + "_" + p.Transform, Transform: tr,
	})
}
