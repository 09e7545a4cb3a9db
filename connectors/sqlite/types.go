package sqlite

import (
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// integerDecimal matches NUMERIC(p), NUMERIC(p,0), DECIMAL(p) and DECIMAL(p,0):
// declared types that are clearly integers.
var integerDecimal = regexp.MustCompile(`^\s*(NUMERIC|DECIMAL)\s*\(\s*\d+\s*(,\s*0+\s*)?\)\s*$`)

// arrowType maps a declared column type to an Arrow type by SQLite's affinity
// rules (https://sqlite.org/datatype3.html#determination_of_column_affinity),
// in their order. An empty declared type is BLOB affinity in a table (binary)
// but, for an expression of a query, simply unknown (utf8). NUMERIC affinity
// (NUMERIC, DECIMAL, BOOLEAN, DATE, DATETIME and anything unknown) is read as
// text as stored, except NUMERIC/DECIMAL with scale 0, which are integers.
func arrowType(declared string, fromQuery bool) arrow.DataType {
	d := strings.ToUpper(declared)
	switch {
	case strings.Contains(d, "INT"):
		return arrow.PrimitiveTypes.Int64
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return arrow.BinaryTypes.String
	case strings.TrimSpace(d) == "":
		if fromQuery {
			return arrow.BinaryTypes.String
		}
		return arrow.BinaryTypes.Binary
	case strings.Contains(d, "BLOB"):
		return arrow.BinaryTypes.Binary
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"):
		return arrow.PrimitiveTypes.Float64
	case integerDecimal.MatchString(d):
		return arrow.PrimitiveTypes.Int64
	default:
		return arrow.BinaryTypes.String
	}
}

// column is one result column of the source.
type column struct {
	name     string
	declared string // as declared in the table (or reported for a query)
	typ      arrow.DataType
}

// field is the Arrow field of a column; the declared type is kept in the
// field's metadata for the conform step.
func (c column) field() arrow.Field {
	md := arrow.NewMetadata([]string{"sqlite.declared_type"}, []string{c.declared})
	return arrow.Field{Name: c.name, Type: c.typ, Nullable: true, Metadata: md}
}
