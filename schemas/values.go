package schemas

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Vietnam keeps one time zone, UTC+7, with no daylight saving; a fixed zone
// needs no tz database on the host.
var hoChiMinh = time.FixedZone("Asia/Ho_Chi_Minh", 7*3600)

// Local is the zone of times written without one.
func Local() *time.Location { return hoChiMinh }

// getter reads cell i of an input column as a Go value: string, int64,
// float64, bool, time.Time or []byte; ok is false for a null.
type getter func(i int) (v any, ok bool)

func newGetter(a arrow.Array) getter {
	switch a := a.(type) {
	case *array.String:
		return func(i int) (any, bool) { return a.Value(i), a.IsValid(i) }
	case *array.LargeString:
		return func(i int) (any, bool) { return a.Value(i), a.IsValid(i) }
	case *array.Int64:
		return func(i int) (any, bool) { return a.Value(i), a.IsValid(i) }
	case *array.Int32:
		return func(i int) (any, bool) { return int64(a.Value(i)), a.IsValid(i) }
	case *array.Int16:
		return func(i int) (any, bool) { return int64(a.Value(i)), a.IsValid(i) }
	case *array.Int8:
		return func(i int) (any, bool) { return int64(a.Value(i)), a.IsValid(i) }
	case *array.Uint32:
		return func(i int) (any, bool) { return int64(a.Value(i)), a.IsValid(i) }
	case *array.Float64:
		return func(i int) (any, bool) { return a.Value(i), a.IsValid(i) }
	case *array.Float32:
		return func(i int) (any, bool) { return float64(a.Value(i)), a.IsValid(i) }
	case *array.Boolean:
		return func(i int) (any, bool) { return a.Value(i), a.IsValid(i) }
	case *array.Date32:
		return func(i int) (any, bool) { return a.Value(i).ToTime(), a.IsValid(i) }
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return func(i int) (any, bool) { return a.Value(i).ToTime(unit), a.IsValid(i) }
	case *array.Binary:
		return func(i int) (any, bool) { return a.Value(i), a.IsValid(i) }
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return func(i int) (any, bool) { return exact(a.Value(i).ToString(scale)), a.IsValid(i) }
	default:
		return func(i int) (any, bool) {
			if a.IsNull(i) {
				return nil, false
			}
			return a.ValueStr(i), true
		}
	}
}

// exact is a number a source gave typed (a SQL decimal) as Go-syntax text:
// "123.456" is a hundred and twenty-three point four five six, never the
// Vietnamese grouping of 123456 that the same text in a drop would be.
type exact string

// rawText is a value as text, for the quarantine.
func rawText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case time.Time:
		return v.Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

var (
	errNotNumber = errors.New("not a number")
	viGroupedRe  = regexp.MustCompile(`^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$`)
	enGroupedRe  = regexp.MustCompile(`^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$`)
)

// numberSpaces are the group separators normNumber removes; layoutRep turns
// a yyyyMMdd-style format into a Go layout. Built once: a Replacer is costly
// to build and these run for every value.
var (
	numberSpaces = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "")
	layoutRep    = strings.NewReplacer("yyyy", "2006", "MM", "01", "dd", "02", "HH", "15", "mm", "04", "ss", "05")
)

// plainInt reports whether s is digits with an optional sign: a number Go
// parses as it is (most values), which normNumber passes without a regexp.
func plainInt(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// normNumber turns the number forms of the province's documents into Go's:
// "1.234.567,89" and "1 234,5" (Vietnamese), "1,234.5" (English), "12,5".
func normNumber(s string) (string, error) {
	if plainInt(s) {
		return s, nil
	}
	s = strings.TrimSpace(s)
	s = numberSpaces.Replace(s)
	if s == "" {
		return "", errNotNumber
	}
	switch {
	case viGroupedRe.MatchString(s):
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	case enGroupedRe.MatchString(s):
		s = strings.ReplaceAll(s, ",", "")
	case strings.Count(s, ",") == 1 && !strings.Contains(s, "."):
		s = strings.Replace(s, ",", ".", 1)
	}
	return s, nil
}

func toInt(v any) (int64, error) {
	switch v := v.(type) {
	case int64:
		return v, nil
	case float64:
		if v != math.Trunc(v) || math.IsInf(v, 0) || math.IsNaN(v) {
			return 0, errors.New("not a whole number")
		}
		return int64(v), nil
	case bool:
		if v {
			return 1, nil
		}
		return 0, nil
	case exact:
		return intOfGo(string(v))
	case string:
		s, err := normNumber(v)
		if err != nil {
			return 0, errNotWhole
		}
		return intOfGo(s)
	}
	return 0, fmt.Errorf("a value of type %T is not a whole number", v)
}

var errNotWhole = errors.New("not a whole number")

// intOfGo reads a whole number written in Go syntax (a whole float too, below
// 2^53), the typed path of toInt.
func intOfGo(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), nil
		}
		return 0, errNotWhole
	}
	return n, nil
}

func toFloat(v any) (float64, error) {
	switch v := v.(type) {
	case int64:
		return float64(v), nil
	case float64:
		return v, nil
	case exact:
		return floatOfGo(string(v))
	case string:
		s, err := normNumber(v)
		if err == nil {
			if f, perr := strconv.ParseFloat(s, 64); perr == nil {
				return f, nil
			}
		}
		return 0, errNotNumber
	}
	return 0, fmt.Errorf("a value of type %T is not a number", v)
}

// floatOfGo reads a number written in Go syntax, the typed path of toFloat.
func floatOfGo(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errNotNumber
	}
	return f, nil
}

func toDecimal(v any, precision, scale int) (decimal128.Num, error) {
	var s string
	switch v := v.(type) {
	case int64:
		s = strconv.FormatInt(v, 10)
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case exact:
		s = string(v)
	case string:
		n, err := normNumber(v)
		if err != nil {
			return decimal128.Num{}, errNotNumber
		}
		s = n
	default:
		return decimal128.Num{}, fmt.Errorf("a value of type %T is not a number", v)
	}
	return decimalOfGo(s, precision, scale)
}

// decimalOfGo reads a number written in Go syntax as a decimal, the typed
// path of toDecimal.
func decimalOfGo(s string, precision, scale int) (decimal128.Num, error) {
	n, err := decimal128.FromString(s, int32(precision), int32(scale))
	if err != nil {
		return decimal128.Num{}, fmt.Errorf("does not fit decimal(%d,%d)", precision, scale)
	}
	return n, nil
}

func toBool(v any) (bool, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case int64:
		if v == 0 || v == 1 {
			return v == 1, nil
		}
	case string:
		return boolOfText(v)
	}
	return false, errNotBool
}

var errNotBool = errors.New("not a yes/no value (có/không, 1/0, true/false)")

// boolOfText reads a yes/no text, the typed path of toBool.
func boolOfText(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "t", "yes", "y", "x", "có", "đúng":
		return true, nil
	case "0", "false", "f", "no", "n", "không", "sai":
		return false, nil
	}
	return false, errNotBool
}

// layoutOf turns a yyyyMMdd-style format into a Go layout; a Go layout is kept.
func layoutOf(format string) string {
	if !strings.ContainsAny(format, "yMdHms") {
		return format
	}
	return layoutRep.Replace(format)
}

// timeLayouts are tried in order when a column names no format.
var timeLayouts = []string{
	"2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05", time.RFC3339, time.RFC3339Nano,
	"2006-01-02 15:04:05.999999", "02/01/2006", "02/01/2006 15:04:05", "2/1/2006", "02-01-2006",
	"20060102150405", "20060102", "01/2006",
}

// toTime parses a date or time; text without a zone is Asia/Ho_Chi_Minh time.
func toTime(v any, format string) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		return v, nil
	case string:
		return timeOfText(v, format, layoutOf(format))
	}
	return time.Time{}, fmt.Errorf("a value of type %T is not a date", v)
}

var errNotDate = errors.New("not a date in a known form (yyyy-mm-dd, dd/mm/yyyy, …)")

// timeOfText parses a date or time text in the column's format (layout is
// layoutOf(format), worked out once per column), the typed path of toTime.
func timeOfText(v, format, layout string) (time.Time, error) {
	s := strings.TrimSpace(v)
	if format != "" {
		t, err := time.ParseInLocation(layout, s, hoChiMinh)
		if err != nil {
			return time.Time{}, fmt.Errorf("not a date in the form %s", format)
		}
		return t, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, hoChiMinh); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errNotDate
}

// dayOf is the calendar day of t in Asia/Ho_Chi_Minh, as a UTC midnight.
func dayOf(t time.Time) time.Time {
	y, m, d := t.In(hoChiMinh).Date()
	if t.Location() == time.UTC && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		y, m, d = t.Date() // a date already (date32 values come as UTC midnight)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
