package mysql

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
	"github.com/sonla-data/kho/pipelines"
)

// Text of the province, composed (NFC) and decomposed (NFD): the conform
// step stores both composed.
var (
	nfc = "Xã Chiềng Sinh, Thuận Châu — Sơn La"
	nfd = norm.NFD.String(nfc)
)

// tc is a type case.
func tc(col, dbType, dsType string, values [4]string, want [4]any) sqltest.TypeCase {
	return sqltest.TypeCase{Col: col, DBType: dbType, DSType: dsType, Values: values, Want: want}
}

// point is the value of GEOMETRY POINT(1 2): SRID 0, then the WKB point.
func point() string {
	b := []byte{0, 0, 0, 0, 1, 1, 0, 0, 0}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(1))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(2))
	return string(b)
}

// myTypeCases covers every type of TYPES.md, with extremes, NULLs and times
// around midnight in Asia/Ho_Chi_Minh. The rows are inserted in a session at
// +07:00, so TIMESTAMP literals are Vietnam's wall clock.
func myTypeCases() []sqltest.TypeCase {
	return []sqltest.TypeCase{
		tc("c_tinyint", "tinyint", "int", [4]string{"-128", "127", "0", "NULL"}, [4]any{int64(-128), int64(127), int64(0), nil}),
		tc("c_bool", "bool", "bool", [4]string{"1", "0", "NULL", "true"}, [4]any{true, false, nil, true}),
		tc("c_utinyint", "tinyint unsigned", "int", [4]string{"255", "0", "NULL", "1"}, [4]any{int64(255), int64(0), nil, int64(1)}),
		tc("c_smallint", "smallint", "int", [4]string{"-32768", "32767", "NULL", "0"}, [4]any{int64(-32768), int64(32767), nil, int64(0)}),
		tc("c_mediumint", "mediumint", "int", [4]string{"-8388608", "8388607", "NULL", "0"}, [4]any{int64(-8388608), int64(8388607), nil, int64(0)}),
		tc("c_int", "int", "int", [4]string{"-2147483648", "2147483647", "NULL", "0"}, [4]any{int64(math.MinInt32), int64(math.MaxInt32), nil, int64(0)}),
		tc("c_uint", "int unsigned", "int", [4]string{"4294967295", "0", "NULL", "1"}, [4]any{int64(math.MaxUint32), int64(0), nil, int64(1)}),
		tc("c_bigint", "bigint", "int", [4]string{"-9223372036854775808", "9223372036854775807", "NULL", "-1"},
			[4]any{int64(math.MinInt64), int64(math.MaxInt64), nil, int64(-1)}),
		tc("c_ubigint", "bigint unsigned", "decimal(20,0)", [4]string{"18446744073709551615", "9223372036854775808", "NULL", "0"},
			[4]any{"18446744073709551615", "9223372036854775808", nil, "0"}),
		tc("c_decimal", "decimal(38,10)", "decimal(38,10)",
			[4]string{"9999999999999999999999999999.9999999999", "-9999999999999999999999999999.9999999999", "0.0000000001", "NULL"},
			[4]any{"9999999999999999999999999999.9999999999", "-9999999999999999999999999999.9999999999", "0.0000000001", nil}),
		tc("c_udecimal", "decimal(10,2) unsigned", "decimal(10,2)", [4]string{"99999999.99", "0", "NULL", "0.01"}, [4]any{"99999999.99", "0.00", nil, "0.01"}),
		tc("c_decimal_wide", "decimal(65,30)", "string",
			[4]string{"12345678901234567890123456789012345.123456789012345678901234567890", "-1", "NULL", "0"},
			[4]any{"12345678901234567890123456789012345.123456789012345678901234567890", "-1.000000000000000000000000000000", nil, "0.000000000000000000000000000000"}),
		tc("c_float", "float", "float", [4]string{"0.1", "3.40282e38", "NULL", "-1.17549e-38"}, [4]any{0.1, 3.40282e38, nil, -1.17549e-38}),
		tc("c_double", "double", "float", [4]string{"1.7976931348623157e308", "-2.2250738585072014e-308", "5e-324", "NULL"},
			[4]any{math.MaxFloat64, -2.2250738585072014e-308, 5e-324, nil}),
		tc("c_date", "date", "date", [4]string{"'2025-06-30'", "'2025-07-01'", "'1000-01-01'", "'9999-12-31'"},
			[4]any{"2025-06-30", "2025-07-01", "1000-01-01", "9999-12-31"}),
		tc("c_datetime", "datetime(6)", "timestamp", [4]string{"'2025-06-30 23:59:59.999999'", "'2025-07-01 00:00:00'", "'1000-01-01 00:00:00'", "NULL"},
			[4]any{sqltest.Local("2025-06-30 23:59:59.999999"), sqltest.Local("2025-07-01 00:00:00"), sqltest.Local("1000-01-01 00:00:00"), nil}),
		tc("c_timestamp", "timestamp(6) NULL", "timestamp",
			[4]string{"'2025-06-30 23:59:59.999999'", "'2025-07-01 00:00:00'", "'1970-01-01 08:00:01'", "'2038-01-19 10:14:07'"},
			[4]any{sqltest.AtUTC("2025-06-30 16:59:59.999999"), sqltest.AtUTC("2025-06-30 17:00:00"), sqltest.AtUTC("1970-01-01 01:00:01"), sqltest.AtUTC("2038-01-19 03:14:07")}),
		tc("c_time", "time(6)", "string", [4]string{"'838:59:59'", "'-00:00:01.5'", "NULL", "'12:30'"},
			[4]any{"838:59:59.000000", "-00:00:01.500000", nil, "12:30:00.000000"}),
		tc("c_year", "year", "int", [4]string{"1901", "2155", "NULL", "2025"}, [4]any{int64(1901), int64(2155), nil, int64(2025)}),
		tc("c_char", "char(10)", "string", [4]string{"'ab'", sqltest.Lit("Yên"), "NULL", "'0123456789'"}, [4]any{"ab", "Yên", nil, "0123456789"}),
		tc("c_varchar", "varchar(60)", "string", [4]string{sqltest.Lit(nfc), sqltest.Lit(nfd), sqltest.Lit(`a'b"c`), "NULL"}, [4]any{nfc, nfc, `a'b"c`, nil}),
		tc("c_text", "text", "string", [4]string{sqltest.Lit("  Mường La  "), "''", "NULL", sqltest.Lit("🌾 lúa")}, [4]any{"  Mường La  ", nil, nil, "🌾 lúa"}),
		tc("c_enum", "enum('Nam','Nữ')", "string", [4]string{"'Nam'", sqltest.Lit("Nữ"), "NULL", "'Nam'"}, [4]any{"Nam", "Nữ", nil, "Nam"}),
		tc("c_set", "set('lua','ngo','san')", "string", [4]string{"'lua,san'", "'ngo'", "NULL", "'lua,ngo,san'"}, [4]any{"lua,san", "ngo", nil, "lua,ngo,san"}),
		tc("c_json", "json", "string", [4]string{sqltest.Lit(`{"a": "Sơn La", "b": 1}`), "'[1, 2]'", "NULL", "'null'"}, [4]any{`{"a": "Sơn La", "b": 1}`, "[1, 2]", nil, "null"}),
		tc("c_blob", "blob", "string", [4]string{"x'00ff10'", "x'536f6e'", "NULL", "x'deadbeef'"}, [4]any{"\x00\xff\x10", "Son", nil, "\xde\xad\xbe\xef"}),
		tc("c_binary", "binary(4)", "string", [4]string{"x'00010203'", "'ab'", "NULL", "x'ffffffff'"}, [4]any{"\x00\x01\x02\x03", "ab\x00\x00", nil, "\xff\xff\xff\xff"}),
		tc("c_varbinary", "varbinary(10)", "string", [4]string{"x'00'", "NULL", "x'c0ffee'", "'xyz'"}, [4]any{"\x00", nil, "\xc0\xff\xee", "xyz"}),
		tc("c_bit1", "bit(1)", "bool", [4]string{"b'1'", "b'0'", "NULL", "1"}, [4]any{true, false, nil, true}),
		tc("c_bit10", "bit(10)", "int", [4]string{"b'1111111111'", "b'0'", "NULL", "b'101'"}, [4]any{int64(1023), int64(0), nil, int64(5)}),
		tc("c_bit64", "bit(64)", "decimal(20,0)", [4]string{"x'ffffffffffffffff'", "b'1'", "NULL", "x'8000000000000000'"},
			[4]any{"18446744073709551615", "1", nil, "9223372036854775808"}),
		tc("c_geometry", "geometry", "string", [4]string{"ST_GeomFromText('POINT(1 2)')", "NULL", "NULL", "NULL"}, [4]any{point(), nil, nil, nil}),
	}
}

// TestIntegrationTypes loads a table of every type through a real pipeline
// run into a lake and reads the lake back with an Iceberg scan: every value
// is the source's (text composed to NFC, DATETIME read in Asia/Ho_Chi_Minh,
// TIMESTAMP as its instant).
func TestIntegrationTypes(t *testing.T) {
	dsn, db := testDB(t)
	cases := myTypeCases()
	var version string
	require.NoError(t, db.QueryRowContext(t.Context(), "SELECT VERSION()").Scan(&version))
	if strings.Contains(version, "MariaDB") { // types of MariaDB only
		cases = append(cases,
			tc("c_uuid", "uuid", "string", [4]string{"'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "NULL", "NULL", "NULL"},
				[4]any{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", nil, nil, nil}),
			tc("c_inet6", "inet6", "string", [4]string{"'::1'", "'::ffff:10.0.0.1'", "NULL", "NULL"}, [4]any{"::1", "::ffff:10.0.0.1", nil, nil}))
	}
	create, inserts := sqltest.TypesTable("kieu_du_lieu", "int", cases)
	run(t, db, create)
	for _, ins := range inserts {
		run(t, db, "SET time_zone = '+07:00'; "+ins)
	}

	w := sqltest.NewWarehouse(t, sqltest.DatasetYAML("agriculture.my_types", cases))
	p := sqltest.Pipeline(t, `name: my_types
source:
  type: mysql
  dsn: ${MYSQL_DSN}
  table: kieu_du_lieu
  batch_rows: 3
target: {dataset: agriculture.my_types, mode: overwrite}
`, map[string]string{"MYSQL_DSN": dsn})
	res := w.Run(t, p, pipelines.RunOptions{})
	assert.EqualValues(t, 4, res.Read)
	assert.EqualValues(t, 4, res.Written, "no row quarantined")

	sqltest.CompareTypes(t, w.Scan(t, "agriculture.my_types"), cases)
}
