// Package valtext writes the values a query returns as text, the same way on
// every path that prints them (kho query, the HTTP API, the portal's
// downloads): numbers exact, times with their kind.
//
//   - A double is written in its shortest form that reads back to the same
//     double (223941.6, 1234567.891), without an exponent from 1e-6 up to
//     1e21 (the rule of JSON and JavaScript), with one outside.
//   - A decimal keeps its scale: DECIMAL(10,2) 12.5 is 12.50.
//   - A DATE is a date, a TIMESTAMP a wall-clock time, a TIMESTAMPTZ an
//     instant in Asia/Ho_Chi_Minh with its offset (+07), whatever its hour.
//
// A DATE and a TIMESTAMPTZ at midnight UTC scan to the same time.Time: the
// column's type (sql.ColumnType.DatabaseTypeName) tells them apart, never the
// value.
package valtext

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// HoChiMinh is the province's zone (UTC+7, no daylight saving).
var HoChiMinh = time.FixedZone("Asia/Ho_Chi_Minh", 7*3600)

// Float writes f exactly: the shortest decimal that reads back to f, without
// an exponent for 1e-6 <= |f| < 1e21. NaN and infinities are NaN, Infinity
// and -Infinity (JSON writers write them as null).
func Float(f float64, bits int) string {
	return string(AppendFloat(nil, f, bits))
}

// AppendFloat appends Float(f, bits) to b.
func AppendFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 32 {
			abs = float64(float32(abs))
		}
		if abs < 1e-6 || abs >= 1e21 {
			format = 'e'
		}
	}
	return strconv.AppendFloat(b, f, format, -1, bits)
}

// DecimalOf is Decimal of v when v is a DuckDB DECIMAL, for packages that
// read rows without importing the driver (the pages).
func DecimalOf(v any) (string, bool) {
	d, ok := v.(duckdb.Decimal)
	if !ok {
		return "", false
	}
	return Decimal(d), true
}

// Decimal writes d with its scale: 12.50 for DECIMAL(10,2) 12.5, -0.05, 100.
// (duckdb.Decimal.String drops trailing zeros.)
func Decimal(d duckdb.Decimal) string {
	return Scaled(d.Value, int(d.Scale))
}

// Scaled writes the integer v divided by 10^scale, with scale decimals.
func Scaled(v *big.Int, scale int) string {
	if v == nil {
		return ""
	}
	digits := new(big.Int).Abs(v).String()
	sign := ""
	if v.Sign() < 0 {
		sign = "-"
	}
	if scale <= 0 {
		return sign + digits
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	cut := len(digits) - scale
	return sign + digits[:cut] + "." + digits[cut:]
}

// TimeKind is how a column's time.Time values are written.
type TimeKind int

// The kinds of time columns.
const (
	Instant   TimeKind = iota // TIMESTAMPTZ (and a time of unknown type): an instant, in Asia/Ho_Chi_Minh with its offset
	Date                      // DATE
	Naive                     // TIMESTAMP without a zone: a wall-clock time
	TimeOfDay                 // TIME
)

// KindOf reads a DuckDB type name (DATE, TIMESTAMP, TIMESTAMP_NS,
// TIMESTAMPTZ, TIMESTAMP WITH TIME ZONE, TIME).
func KindOf(duckType string) TimeKind {
	t := strings.ToUpper(strings.TrimSpace(duckType))
	switch {
	case t == "DATE":
		return Date
	case strings.HasPrefix(t, "TIMESTAMPTZ"), strings.Contains(t, "WITH TIME ZONE"):
		return Instant
	case strings.HasPrefix(t, "TIMESTAMP"), t == "DATETIME":
		return Naive
	case strings.HasPrefix(t, "TIME"):
		return TimeOfDay
	}
	return Instant
}

// Time writes t for people and CSV files: 2025-07-01, 2025-07-01 08:30:00
// (naive), 2025-07-01 07:00:00+07 (an instant), 08:30:00; fractions of a
// second when there are some.
func Time(t time.Time, k TimeKind) string {
	switch k {
	case Date:
		return t.UTC().Format("2006-01-02")
	case Naive:
		return t.UTC().Format("2006-01-02 15:04:05.999999")
	case TimeOfDay:
		return t.UTC().Format("15:04:05.999999")
	}
	return t.In(HoChiMinh).Format("2006-01-02 15:04:05.999999-07")
}

// TimeRFC3339 writes t in RFC 3339, for JSON: 2025-07-01,
// 2025-07-01T08:30:00 (naive), 2025-07-01T07:00:00+07:00 (an instant),
// 08:30:00.
func TimeRFC3339(t time.Time, k TimeKind) string {
	switch k {
	case Date:
		return t.UTC().Format("2006-01-02")
	case Naive:
		return t.UTC().Format("2006-01-02T15:04:05.999999")
	case TimeOfDay:
		return t.UTC().Format("15:04:05.999999")
	}
	return t.In(HoChiMinh).Format(time.RFC3339Nano)
}
