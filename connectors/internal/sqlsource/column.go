package sqlsource

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sonla-data/kho/connectors"
)

// Kind is how a source column is carried in Arrow.
type Kind int

// The column kinds. Every source type maps to one; what a connector cannot
// map is Text.
const (
	Text      Kind = iota // utf8; values must be valid UTF-8
	Int                   // int64
	Float                 // float64
	Decimal               // decimal128(Precision, Scale)
	Bool                  // bool
	Date                  // date32
	LocalTime             // timestamp[us, Asia/Ho_Chi_Minh]: a time without zone, read as Vietnam's wall clock
	UTCTime               // timestamp[us, UTC]: an instant
	Binary                // binary
)

// LocalZoneName is the zone of times stored without one: Vietnam keeps one
// zone, UTC+7, with no daylight saving.
const LocalZoneName = "Asia/Ho_Chi_Minh"

// Local is the zone of times stored without one, as a fixed offset so that no
// tz database is needed on the host.
var Local = time.FixedZone(LocalZoneName, 7*3600)

// MetaSourceType is the field metadata key holding the column's type in the
// source database, e.g. "numeric(38,10)".
const MetaSourceType = "kho.source_type"

// Column is one column of a database source.
type Column struct {
	Name string
	// SourceType is the type as the database names it ("numeric(38,10)",
	// "DATETIME"), for messages and the field's metadata.
	SourceType string
	Kind       Kind
	Precision  int32 // Decimal only
	Scale      int32 // Decimal only
}

// ArrowType is the column's Arrow type.
func (c Column) ArrowType() arrow.DataType {
	switch c.Kind {
	case Int:
		return arrow.PrimitiveTypes.Int64
	case Float:
		return arrow.PrimitiveTypes.Float64
	case Decimal:
		return &arrow.Decimal128Type{Precision: c.Precision, Scale: c.Scale}
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Date:
		return arrow.FixedWidthTypes.Date32
	case LocalTime:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: LocalZoneName}
	case UTCTime:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case Binary:
		return arrow.BinaryTypes.Binary
	}
	return arrow.BinaryTypes.String
}

// Field is the column's Arrow field, nullable, with its source type in the
// metadata.
func (c Column) Field() arrow.Field {
	return arrow.Field{Name: c.Name, Type: c.ArrowType(), Nullable: true,
		Metadata: arrow.NewMetadata([]string{MetaSourceType}, []string{c.SourceType})}
}

// describe is the column's types for a message: `numeric(38,10) → decimal(38, 10)`.
func (c Column) describe() string {
	return fmt.Sprintf("%s → %s", c.SourceType, c.ArrowType())
}

// Schema is the columns' fields, then _kho_file, _kho_row and _kho_error.
func Schema(cols []Column) *arrow.Schema {
	fields := make([]arrow.Field, 0, len(cols)+3)
	for _, c := range cols {
		fields = append(fields, c.Field())
	}
	fields = append(fields,
		arrow.Field{Name: connectors.ColFile, Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: connectors.ColRow, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: connectors.ColError, Type: arrow.BinaryTypes.String, Nullable: true})
	return arrow.NewSchema(fields, nil)
}

// CheckColumns refuses result columns that a batch cannot hold: duplicate
// names and the reserved provenance names.
func CheckColumns(cols []Column) error {
	seen := map[string]bool{}
	for _, c := range cols {
		switch {
		case c.Name == connectors.ColFile || c.Name == connectors.ColRow || c.Name == connectors.ColError:
			return fmt.Errorf("column %q has a name reserved for provenance; rename it in a query", c.Name)
		case seen[c.Name]:
			return fmt.Errorf("column %q appears twice; give the columns distinct names in a query", c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}
