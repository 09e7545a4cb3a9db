package engine

import (
	"fmt"

	"github.com/duckdb/duckdb-go/v2"
)

// typeName names a DuckDB type as rows.ColumnTypes does.
func typeName(t duckdb.Type, info duckdb.TypeInfo) string {
	switch t {
	case duckdb.TYPE_BOOLEAN:
		return "BOOLEAN"
	case duckdb.TYPE_TINYINT:
		return "TINYINT"
	case duckdb.TYPE_SMALLINT:
		return "SMALLINT"
	case duckdb.TYPE_INTEGER:
		return "INTEGER"
	case duckdb.TYPE_BIGINT:
		return "BIGINT"
	case duckdb.TYPE_UTINYINT:
		return "UTINYINT"
	case duckdb.TYPE_USMALLINT:
		return "USMALLINT"
	case duckdb.TYPE_UINTEGER:
		return "UINTEGER"
	case duckdb.TYPE_UBIGINT:
		return "UBIGINT"
	case duckdb.TYPE_HUGEINT:
		return "HUGEINT"
	case duckdb.TYPE_UHUGEINT:
		return "UHUGEINT"
	case duckdb.TYPE_FLOAT:
		return "FLOAT"
	case duckdb.TYPE_DOUBLE:
		return "DOUBLE"
	case duckdb.TYPE_DECIMAL:
		if info != nil {
			if d, ok := info.Details().(*duckdb.DecimalDetails); ok {
				return fmt.Sprintf("DECIMAL(%d,%d)", d.Width, d.Scale)
			}
		}
		return "DECIMAL"
	case duckdb.TYPE_VARCHAR:
		if info != nil && info.Alias() == "JSON" {
			return "JSON"
		}
		return "VARCHAR"
	case duckdb.TYPE_BLOB:
		return "BLOB"
	case duckdb.TYPE_DATE:
		return "DATE"
	case duckdb.TYPE_TIME:
		return "TIME"
	case duckdb.TYPE_TIME_TZ:
		return "TIMETZ"
	case duckdb.TYPE_TIMESTAMP, duckdb.TYPE_TIMESTAMP_S, duckdb.TYPE_TIMESTAMP_MS, duckdb.TYPE_TIMESTAMP_NS:
		return "TIMESTAMP"
	case duckdb.TYPE_TIMESTAMP_TZ:
		return "TIMESTAMPTZ"
	case duckdb.TYPE_INTERVAL:
		return "INTERVAL"
	case duckdb.TYPE_UUID:
		return "UUID"
	case duckdb.TYPE_ENUM:
		return "ENUM"
	case duckdb.TYPE_LIST:
		// VARCHAR[], as rows.ColumnTypes names it (the wire port sends a
		// list of scalars as a PostgreSQL array).
		if info != nil {
			if d, ok := info.Details().(*duckdb.ListDetails); ok && d.Child != nil {
				if child := typeName(d.Child.InternalType(), d.Child); child != "" {
					return child + "[]"
				}
			}
		}
		return "LIST"
	case duckdb.TYPE_ARRAY:
		return "ARRAY"
	case duckdb.TYPE_STRUCT:
		return "STRUCT"
	case duckdb.TYPE_MAP:
		return "MAP"
	case duckdb.TYPE_SQLNULL:
		return "NULL"
	}
	return ""
}
