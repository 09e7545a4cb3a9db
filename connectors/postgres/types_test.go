package postgres

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/connectors/internal/sqlsource"
	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
	"github.com/sonla-data/kho/pipelines"
)

// typeCase is one column of the all-types table: its PostgreSQL type, the
// values of rows 1 to 4 as SQL literals, the dataset type it is conformed to,
// and what the lake must then hold in each row.
type typeCase struct {
	col    string
	pgType string
	dsType string
	values [4]string
	want   [4]any
}

// Text of the province, composed (NFC) and decomposed (NFD): the conform
// step stores both composed.
var (
	nfc = "Xã Chiềng Sinh, Thuận Châu — Sơn La"
	nfd = norm.NFD.String(nfc)
)

func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func local(s string) time.Time {
	return sqltest.UTC(sqlsource.Local, "2006-01-02 15:04:05.999999", s)
}

func utc(s string) time.Time { return sqltest.UTC(time.UTC, "2006-01-02 15:04:05.999999", s) }

// pgTypeCases covers every type of TYPES.md, with extremes, NULLs and times
// around midnight in Asia/Ho_Chi_Minh.
func pgTypeCases() []typeCase {
	negZero := math.Copysign(0, -1)
	return []typeCase{
		{"c_int2", "smallint", "int", [4]string{"-32768", "32767", "0", "NULL"}, [4]any{int64(-32768), int64(32767), int64(0), nil}},
		{"c_int4", "integer", "int", [4]string{"-2147483648", "2147483647", "42", "NULL"}, [4]any{int64(math.MinInt32), int64(math.MaxInt32), int64(42), nil}},
		{"c_int8", "bigint", "int", [4]string{"-9223372036854775808", "9223372036854775807", "-1", "NULL"}, [4]any{int64(math.MinInt64), int64(math.MaxInt64), int64(-1), nil}},
		{"c_num", "numeric(38,10)", "decimal(38,10)",
			[4]string{"9999999999999999999999999999.9999999999", "-9999999999999999999999999999.9999999999", "0.0000000001", "NULL"},
			[4]any{"9999999999999999999999999999.9999999999", "-9999999999999999999999999999.9999999999", "0.0000000001", nil}},
		{"c_num_money", "numeric(14,2)", "decimal(14,2)", [4]string{"123456789012.34", "-0.01", "0", "NULL"}, [4]any{"123456789012.34", "-0.01", "0.00", nil}},
		{"c_num_wide", "numeric(50,5)", "string",
			[4]string{"123456789012345678901234567890123456789012345.12345", "-1", "0", "NULL"},
			[4]any{"123456789012345678901234567890123456789012345.12345", "-1.00000", "0.00000", nil}},
		{"c_num_free", "numeric", "string", [4]string{"'NaN'", "1e-20", "-12345678901234567890.123456789", "NULL"},
			[4]any{"NaN", "0.00000000000000000001", "-12345678901234567890.123456789", nil}},
		{"c_real", "real", "float", [4]string{"0.1", "3.4028235e38", "'NaN'", "'-0'"}, [4]any{0.1, 3.4028235e38, math.NaN(), negZero}},
		{"c_double", "double precision", "float", [4]string{"1.7976931348623157e308", "'-Infinity'", "5e-324", "'-0'"},
			[4]any{math.MaxFloat64, math.Inf(-1), 5e-324, negZero}},
		{"c_bool", "boolean", "bool", [4]string{"true", "false", "NULL", "true"}, [4]any{true, false, nil, true}},
		{"c_text", "text", "string", [4]string{lit(nfc), lit(nfd), lit("  Mường La  "), "''"}, [4]any{nfc, nfc, "  Mường La  ", nil}},
		{"c_varchar", "varchar(40)", "string", [4]string{lit(norm.NFD.String("Quỳnh Nhai")), lit(`a'b"c`), "NULL", lit("Mộc Châu")},
			[4]any{"Quỳnh Nhai", `a'b"c`, nil, "Mộc Châu"}},
		{"c_char", "char(6)", "string", [4]string{"'ab'", lit("Yên"), "NULL", "'123456'"}, [4]any{"ab    ", "Yên   ", nil, "123456"}},
		{"c_citext", "citext", "string", [4]string{lit("Sông Mã"), "'ABC'", "NULL", "'x'"}, [4]any{"Sông Mã", "ABC", nil, "x"}},
		{"c_enum", "gioi_tinh", "string", [4]string{lit("Nam"), lit("Nữ"), "NULL", lit("Nữ")}, [4]any{"Nam", "Nữ", nil, "Nữ"}},
		{"c_date", "date", "date", [4]string{"'2025-06-30'", "'2025-07-01'", "'1900-01-01'", "'9999-12-31'"},
			[4]any{"2025-06-30", "2025-07-01", "1900-01-01", "9999-12-31"}},
		{"c_ts", "timestamp", "timestamp", [4]string{"'2025-06-30 23:59:59.999999'", "'2025-07-01 00:00:00'", "'1970-01-01 00:00:00'", "NULL"},
			[4]any{local("2025-06-30 23:59:59.999999"), local("2025-07-01 00:00:00"), local("1970-01-01 00:00:00"), nil}},
		{"c_tstz", "timestamptz", "timestamp",
			[4]string{"'2025-06-30 23:59:59.999999+07'", "'2025-07-01 00:00:00+07'", "'2025-06-30 17:00:00+00'", "'1900-01-01 00:00:00+00'"},
			[4]any{utc("2025-06-30 16:59:59.999999"), utc("2025-06-30 17:00:00"), utc("2025-06-30 17:00:00"), utc("1900-01-01 00:00:00")}},
		{"c_time", "time", "string", [4]string{"'23:59:59.999999'", "'00:00:00'", "NULL", "'12:30'"}, [4]any{"23:59:59.999999", "00:00:00", nil, "12:30:00"}},
		{"c_interval", "interval", "string", [4]string{"'1 day 02:03:04'", "'-1 mon'", "NULL", "'0'"}, [4]any{"P1DT2H3M4S", "P-1M", nil, "PT0S"}},
		{"c_uuid", "uuid", "string", [4]string{"'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "NULL", "'00000000-0000-0000-0000-000000000000'", "NULL"},
			[4]any{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", nil, "00000000-0000-0000-0000-000000000000", nil}},
		{"c_json", "json", "string", [4]string{lit(`{"b": 1,  "a": "Sơn La"}`), "NULL", "'[]'", "'null'"}, [4]any{`{"b": 1,  "a": "Sơn La"}`, nil, "[]", "null"}},
		{"c_jsonb", "jsonb", "string", [4]string{`'{"b": 1, "a": [1, 2.50]}'`, "NULL", "'\"x\"'", "'{}'"}, [4]any{`{"a": [1, 2.50], "b": 1}`, nil, `"x"`, "{}"}},
		{"c_bytea", "bytea", "string", [4]string{`'\x00ff10'`, `'\x536f6e'`, "NULL", `'\xdeadbeef'`}, [4]any{"\x00\xff\x10", "Son", nil, "\xde\xad\xbe\xef"}},
		{"c_int_array", "integer[]", "string", [4]string{"'{1,2,NULL}'", "'{}'", "NULL", "'{{1,2},{3,4}}'"}, [4]any{"[1,2,null]", "[]", nil, "[[1,2],[3,4]]"}},
		{"c_text_array", "text[]", "string", [4]string{"ARRAY[" + lit(nfc) + `, 'a"b']`, "NULL", "'{}'", "ARRAY[NULL]::text[]"},
			[4]any{`["` + nfc + `","a\"b"]`, nil, "[]", "[null]"}},
		{"c_inet", "inet", "string", [4]string{"'192.168.1.0/24'", "'::1'", "NULL", "'10.0.0.1'"}, [4]any{"192.168.1.0/24", "::1", nil, "10.0.0.1"}},
		{"c_point", "point", "string", [4]string{"'(1,2)'", "NULL", "'(-1.5,0)'", "NULL"}, [4]any{"(1,2)", nil, "(-1.5,0)", nil}},
		{"c_domain", "so_tien", "decimal(10,2)", [4]string{"12345678.90", "NULL", "-0.50", "0"}, [4]any{"12345678.90", nil, "-0.50", "0.00"}},
		{"c_composite", "dia_chi", "string", [4]string{"ROW(" + lit("Chiềng An") + ", 3940)", "NULL", "ROW(NULL, NULL)", "NULL"},
			[4]any{`{"xa":"Chiềng An","ma":3940}`, nil, `{"xa":null,"ma":null}`, nil}},
		{"c_range", "tsrange", "string", [4]string{"'[2025-01-01 00:00,2025-02-01 00:00)'", "NULL", "'empty'", "NULL"},
			[4]any{`["2025-01-01 00:00:00","2025-02-01 00:00:00")`, nil, "empty", nil}},
	}
}

// datasetYAML is a dataset schema with an int key `id` and one column per
// case; text is kept as the source wrote it (only composed to NFC).
func datasetYAML(name string, cases []typeCase) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dataset: %s\nlabel: Kiểm thử\nowner: Sở TT&TT\nclassification: restricted\nkey: [id]\ncolumns:\n", name)
	b.WriteString("  - {name: id, label: Mã, type: int, required: true}\n")
	for _, c := range cases {
		fmt.Fprintf(&b, "  - {name: %s, label: %s, type: %q", c.col, c.col, c.dsType)
		if c.dsType == "string" {
			b.WriteString(", whitespace: keep, tones: keep, legacy: keep")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// TestIntegrationTypes loads a table of every type through a real pipeline
// run into a lake and reads the lake back with an Iceberg scan: every value
// is the source's (text composed to NFC, times without zone read in
// Asia/Ho_Chi_Minh).
func TestIntegrationTypes(t *testing.T) {
	dsn, conn := testDB(t)
	cases := pgTypeCases()
	run(t, conn, `CREATE EXTENSION IF NOT EXISTS citext;
		CREATE TYPE gioi_tinh AS ENUM ('Nam', 'Nữ');
		CREATE DOMAIN so_tien AS numeric(10,2);
		CREATE TYPE dia_chi AS (xa text, ma int)`)
	cols := []string{"id integer PRIMARY KEY"}
	for _, c := range cases {
		cols = append(cols, c.col+" "+c.pgType)
	}
	run(t, conn, "CREATE TABLE kieu_du_lieu ("+strings.Join(cols, ", ")+")")
	for r := range 4 {
		vals := []string{fmt.Sprint(r + 1)}
		for _, c := range cases {
			vals = append(vals, c.values[r])
		}
		run(t, conn, "INSERT INTO kieu_du_lieu VALUES ("+strings.Join(vals, ", ")+")")
	}

	w := sqltest.NewWarehouse(t, datasetYAML("health.pg_types", cases))
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

	rows := w.Scan(t, "health.pg_types")
	require.Len(t, rows, 4)
	byID := map[int64]map[string]any{}
	for _, r := range rows {
		byID[r["id"].(int64)] = r
	}
	for _, c := range cases {
		t.Run(c.col, func(t *testing.T) {
			for r := range 4 {
				got := byID[int64(r+1)][c.col]
				want := c.want[r]
				if f, ok := want.(float64); ok {
					g, isFloat := got.(float64)
					assert.True(t, isFloat && sqltest.SameFloat(f, g), "row %d: %s: got %v, want %v", r+1, c.values[r], got, want)
					continue
				}
				assert.Equal(t, want, got, "row %d: %s", r+1, c.values[r])
			}
		})
	}
}
