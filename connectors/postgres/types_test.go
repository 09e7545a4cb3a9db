package postgres

import (
	"math"
	"net/url"
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

// pgTypeCases covers every type of TYPES.md, with extremes, NULLs and times
// around midnight in Asia/Ho_Chi_Minh.
func pgTypeCases() []sqltest.TypeCase {
	negZero := math.Copysign(0, -1)
	return []sqltest.TypeCase{
		tc("c_int2", "smallint", "int", [4]string{"-32768", "32767", "0", "NULL"}, [4]any{int64(-32768), int64(32767), int64(0), nil}),
		tc("c_int4", "integer", "int", [4]string{"-2147483648", "2147483647", "42", "NULL"}, [4]any{int64(math.MinInt32), int64(math.MaxInt32), int64(42), nil}),
		tc("c_int8", "bigint", "int", [4]string{"-9223372036854775808", "9223372036854775807", "-1", "NULL"}, [4]any{int64(math.MinInt64), int64(math.MaxInt64), int64(-1), nil}),
		tc("c_num", "numeric(38,10)", "decimal(38,10)",
			[4]string{"9999999999999999999999999999.9999999999", "-9999999999999999999999999999.9999999999", "0.0000000001", "NULL"},
			[4]any{"9999999999999999999999999999.9999999999", "-9999999999999999999999999999.9999999999", "0.0000000001", nil}),
		tc("c_num_money", "numeric(14,2)", "decimal(14,2)", [4]string{"123456789012.34", "-0.01", "0", "NULL"}, [4]any{"123456789012.34", "-0.01", "0.00", nil}),
		tc("c_num_wide", "numeric(50,5)", "string",
			[4]string{"123456789012345678901234567890123456789012345.12345", "-1", "0", "NULL"},
			[4]any{"123456789012345678901234567890123456789012345.12345", "-1.00000", "0.00000", nil}),
		tc("c_num_free", "numeric", "string", [4]string{"'NaN'", "1e-20", "-12345678901234567890.123456789", "NULL"},
			[4]any{"NaN", "0.00000000000000000001", "-12345678901234567890.123456789", nil}),
		tc("c_real", "real", "float", [4]string{"0.1", "3.4028235e38", "'NaN'", "'-0'"}, [4]any{0.1, 3.4028235e38, math.NaN(), negZero}),
		tc("c_double", "double precision", "float", [4]string{"1.7976931348623157e308", "'-Infinity'", "5e-324", "'-0'"},
			[4]any{math.MaxFloat64, math.Inf(-1), 5e-324, negZero}),
		tc("c_bool", "boolean", "bool", [4]string{"true", "false", "NULL", "true"}, [4]any{true, false, nil, true}),
		tc("c_text", "text", "string", [4]string{sqltest.Lit(nfc), sqltest.Lit(nfd), sqltest.Lit("  Mường La  "), "''"}, [4]any{nfc, nfc, "  Mường La  ", nil}),
		tc("c_varchar", "varchar(40)", "string", [4]string{sqltest.Lit(norm.NFD.String("Quỳnh Nhai")), sqltest.Lit(`a'b"c`), "NULL", sqltest.Lit("Mộc Châu")},
			[4]any{"Quỳnh Nhai", `a'b"c`, nil, "Mộc Châu"}),
		tc("c_char", "char(6)", "string", [4]string{"'ab'", sqltest.Lit("Yên"), "NULL", "'123456'"}, [4]any{"ab    ", "Yên   ", nil, "123456"}),
		tc("c_citext", "citext", "string", [4]string{sqltest.Lit("Sông Mã"), "'ABC'", "NULL", "'x'"}, [4]any{"Sông Mã", "ABC", nil, "x"}),
		tc("c_enum", "gioi_tinh", "string", [4]string{sqltest.Lit("Nam"), sqltest.Lit("Nữ"), "NULL", sqltest.Lit("Nữ")}, [4]any{"Nam", "Nữ", nil, "Nữ"}),
		tc("c_date", "date", "date", [4]string{"'2025-06-30'", "'2025-07-01'", "'1900-01-01'", "'9999-12-31'"},
			[4]any{"2025-06-30", "2025-07-01", "1900-01-01", "9999-12-31"}),
		tc("c_ts", "timestamp", "timestamp", [4]string{"'2025-06-30 23:59:59.999999'", "'2025-07-01 00:00:00'", "'1970-01-01 00:00:00'", "NULL"},
			[4]any{sqltest.Local("2025-06-30 23:59:59.999999"), sqltest.Local("2025-07-01 00:00:00"), sqltest.Local("1970-01-01 00:00:00"), nil}),
		tc("c_tstz", "timestamptz", "timestamp",
			[4]string{"'2025-06-30 23:59:59.999999+07'", "'2025-07-01 00:00:00+07'", "'2025-06-30 17:00:00+00'", "'1900-01-01 00:00:00+00'"},
			[4]any{sqltest.AtUTC("2025-06-30 16:59:59.999999"), sqltest.AtUTC("2025-06-30 17:00:00"), sqltest.AtUTC("2025-06-30 17:00:00"), sqltest.AtUTC("1900-01-01 00:00:00")}),
		tc("c_time", "time", "string", [4]string{"'23:59:59.999999'", "'00:00:00'", "NULL", "'12:30'"}, [4]any{"23:59:59.999999", "00:00:00", nil, "12:30:00"}),
		tc("c_interval", "interval", "string", [4]string{"'1 day 02:03:04'", "'-1 mon'", "NULL", "'0'"}, [4]any{"P1DT2H3M4S", "P-1M", nil, "PT0S"}),
		tc("c_uuid", "uuid", "string", [4]string{"'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "NULL", "'00000000-0000-0000-0000-000000000000'", "NULL"},
			[4]any{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", nil, "00000000-0000-0000-0000-000000000000", nil}),
		tc("c_json", "json", "string", [4]string{sqltest.Lit(`{"b": 1,  "a": "Sơn La"}`), "NULL", "'[]'", "'null'"}, [4]any{`{"b": 1,  "a": "Sơn La"}`, nil, "[]", "null"}),
		tc("c_jsonb", "jsonb", "string", [4]string{`'{"b": 1, "a": [1, 2.50]}'`, "NULL", "'\"x\"'", "'{}'"}, [4]any{`{"a": [1, 2.50], "b": 1}`, nil, `"x"`, "{}"}),
		tc("c_bytea", "bytea", "string", [4]string{`'\x00ff10'`, `'\x536f6e'`, "NULL", `'\xdeadbeef'`}, [4]any{"\x00\xff\x10", "Son", nil, "\xde\xad\xbe\xef"}),
		tc("c_int_array", "integer[]", "string", [4]string{"'{1,2,NULL}'", "'{}'", "NULL", "'{{1,2},{3,4}}'"}, [4]any{"[1,2,null]", "[]", nil, "[[1,2],[3,4]]"}),
		tc("c_text_array", "text[]", "string", [4]string{"ARRAY[" + sqltest.Lit(nfc) + `, 'a"b']`, "NULL", "'{}'", "ARRAY[NULL]::text[]"},
			[4]any{`["` + nfc + `","a\"b"]`, nil, "[]", "[null]"}),
		tc("c_inet", "inet", "string", [4]string{"'192.168.1.0/24'", "'::1'", "NULL", "'10.0.0.1'"}, [4]any{"192.168.1.0/24", "::1", nil, "10.0.0.1"}),
		tc("c_point", "point", "string", [4]string{"'(1,2)'", "NULL", "'(-1.5,0)'", "NULL"}, [4]any{"(1,2)", nil, "(-1.5,0)", nil}),
		tc("c_domain", "so_tien", "decimal(10,2)", [4]string{"12345678.90", "NULL", "-0.50", "0"}, [4]any{"12345678.90", nil, "-0.50", "0.00"}),
		tc("c_composite", "dia_chi", "string", [4]string{"ROW(" + sqltest.Lit("Chiềng An") + ", 3940)", "NULL", "ROW(NULL, NULL)", "NULL"},
			[4]any{`{"xa":"Chiềng An","ma":3940}`, nil, `{"xa":null,"ma":null}`, nil}),
		tc("c_range", "tsrange", "string", [4]string{"'[2025-01-01 00:00,2025-02-01 00:00)'", "NULL", "'empty'", "NULL"},
			[4]any{`["2025-01-01 00:00:00","2025-02-01 00:00:00")`, nil, "empty", nil}),
	}
}

// TestIntegrationTypes loads a table of every type through a real pipeline
// run into a lake and reads the lake back with an Iceberg scan: every value
// is the source's (text composed to NFC, times without zone read in
// Asia/Ho_Chi_Minh) — whatever the database's own DateStyle, TimeZone,
// IntervalStyle, float digits and bytea output.
// tc is a type case.
func tc(col, dbType, dsType string, values [4]string, want [4]any) sqltest.TypeCase {
	return sqltest.TypeCase{Col: col, DBType: dbType, DSType: dsType, Values: values, Want: want}
}

// TestIntegrationTypes loads a table of every type through a real pipeline
// run into a lake and reads the lake back with an Iceberg scan: every value
// is the source's (text composed to NFC, times without zone read in
// Asia/Ho_Chi_Minh) — whatever the database's own DateStyle, TimeZone,
// IntervalStyle, float digits and bytea output.
func TestIntegrationTypes(t *testing.T) {
	dsn, conn := testDB(t)
	cases := pgTypeCases()
	run(t, conn, `CREATE EXTENSION IF NOT EXISTS citext;
		CREATE TYPE gioi_tinh AS ENUM ('Nam', 'Nữ');
		CREATE DOMAIN so_tien AS numeric(10,2);
		CREATE TYPE dia_chi AS (xa text, ma int)`)
	create, inserts := sqltest.TypesTable("kieu_du_lieu", "integer", cases)
	run(t, conn, create)
	for _, ins := range inserts {
		run(t, conn, ins)
	}
	// settings of the database that change how values are written: the
	// source fixes its own in its transaction
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	db := quote(strings.TrimPrefix(u.Path, "/"))
	for _, set := range []string{"DateStyle = 'SQL, DMY'", "TimeZone = 'America/New_York'", "IntervalStyle = 'postgres_verbose'",
		"extra_float_digits = -3", "bytea_output = 'escape'"} {
		run(t, conn, "ALTER DATABASE "+db+" SET "+set)
	}

	w := sqltest.NewWarehouse(t, sqltest.DatasetYAML("health.pg_types", cases))
	p := sqltest.Pipeline(t, `name: pg_types
source:
  type: postgres
  dsn: ${PG_DSN}
  table: public.kieu_du_lieu
  batch_rows: 3
target: {dataset: health.pg_types, mode: overwrite}
`, map[string]string{"PG_DSN": dsn})
	res := w.Run(t, p, pipelines.RunOptions{})
	assert.EqualValues(t, 4, res.Read)
	assert.EqualValues(t, 4, res.Written, "no row quarantined")

	sqltest.CompareTypes(t, w.Scan(t, "health.pg_types"), cases)
}
