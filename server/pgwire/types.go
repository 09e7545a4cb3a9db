package pgwire

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/sonla-data/kho/internal/valtext"
)

// PostgreSQL type OIDs.
const (
	oidBool        = 16
	oidBytea       = 17
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidJSON        = 114
	oidFloat4      = 700
	oidFloat8      = 701
	oidVarchar     = 1043
	oidDate        = 1082
	oidTime        = 1083
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidInterval    = 1186
	oidNumeric     = 1700
	oidUUID        = 2950
)

// arrayOIDs are the array types of the scalar types pgType names (a DuckDB
// list of scalars is sent as a PostgreSQL array: SQLAlchemy's primary key,
// array_agg of names).
var arrayOIDs = map[uint32]uint32{oidBool: 1000, oidBytea: 1001, oidInt8: 1016, oidInt2: 1005, oidInt4: 1007,
	oidText: 1009, oidJSON: 199, oidFloat4: 1021, oidFloat8: 1022, oidVarchar: 1015, oidDate: 1182, oidTime: 1183,
	oidTimestamp: 1115, oidTimestamptz: 1185, oidInterval: 1187, oidNumeric: 1231, oidUUID: 2951}

// elementOIDs are arrayOIDs reversed.
var elementOIDs = func() map[uint32]uint32 {
	m := make(map[uint32]uint32, len(arrayOIDs))
	for e, a := range arrayOIDs {
		m[a] = e
	}
	return m
}()

// pgType maps a DuckDB type name to a PostgreSQL OID and its size.
func pgType(duck string) (oid uint32, size int16) {
	t := strings.ToUpper(duck)
	if elem, ok := strings.CutSuffix(t, "[]"); ok {
		// A list of scalars (VARCHAR[], DECIMAL(5,2)[]) is an array; lists
		// of lists, structs and maps stay JSON text.
		if e, _ := pgType(elem); e != oidText || elem == "VARCHAR" {
			if a, ok := arrayOIDs[e]; ok {
				return a, -1
			}
		}
		return oidText, -1
	}
	switch {
	case t == "BOOLEAN":
		return oidBool, 1
	case t == "TINYINT" || t == "SMALLINT" || t == "UTINYINT":
		return oidInt2, 2
	case t == "INTEGER" || t == "USMALLINT":
		return oidInt4, 4
	case t == "BIGINT" || t == "UINTEGER":
		return oidInt8, 8
	case t == "UBIGINT" || t == "HUGEINT" || t == "UHUGEINT" || strings.HasPrefix(t, "DECIMAL"):
		return oidNumeric, -1
	case t == "FLOAT":
		return oidFloat4, 4
	case t == "DOUBLE":
		return oidFloat8, 8
	case t == "DATE":
		return oidDate, 4
	case t == "TIME":
		return oidTime, 8
	case t == "TIMESTAMPTZ" || strings.Contains(t, "WITH TIME ZONE"):
		return oidTimestamptz, 8
	case strings.HasPrefix(t, "TIMESTAMP"):
		return oidTimestamp, 8
	case t == "INTERVAL":
		return oidInterval, 16
	case t == "UUID":
		return oidUUID, 16
	case t == "BLOB":
		return oidBytea, -1
	case t == "JSON":
		return oidJSON, -1
	}
	return oidText, -1
}

// duckTypeOf names the DuckDB type a PostgreSQL parameter OID stands for ("" unknown).
func duckTypeOf(oid uint32) string {
	switch oid {
	case oidBool:
		return "BOOLEAN"
	case oidInt2:
		return "SMALLINT"
	case oidInt4:
		return "INTEGER"
	case oidInt8:
		return "BIGINT"
	case oidFloat4:
		return "FLOAT"
	case oidFloat8:
		return "DOUBLE"
	case oidNumeric:
		return "DECIMAL"
	case oidDate:
		return "DATE"
	case oidTimestamp:
		return "TIMESTAMP"
	case oidTimestamptz:
		return "TIMESTAMPTZ"
	case oidText, oidVarchar:
		return "VARCHAR"
	case oidUUID:
		return "UUID"
	case oidBytea:
		return "BLOB"
	}
	return ""
}

var hcm = time.FixedZone("Asia/Ho_Chi_Minh", 7*3600)

var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// encodeText renders a value in PostgreSQL's text format (nil: NULL).
func encodeText(v any, oid uint32) []byte {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		if x {
			return []byte("t")
		}
		return []byte("f")
	case string:
		return []byte(x)
	case []byte:
		if oid == oidUUID && len(x) == 16 {
			return []byte(uuidString(x))
		}
		return []byte(`\x` + hex.EncodeToString(x))
	case float64:
		return []byte(formatFloat(x, 64))
	case float32:
		return []byte(formatFloat(float64(x), 32))
	case time.Time:
		switch oid {
		case oidDate:
			return []byte(x.UTC().Format("2006-01-02"))
		case oidTimestamp:
			return []byte(x.UTC().Format("2006-01-02 15:04:05.999999"))
		case oidTime:
			return []byte(x.UTC().Format("15:04:05.999999"))
		}
		return []byte(x.In(hcm).Format("2006-01-02 15:04:05.999999-07"))
	case duckdb.Decimal:
		return []byte(valtext.Decimal(x)) // with its scale, as numeric(p,s) prints
	case *big.Int:
		return []byte(x.String())
	case duckdb.UUID:
		return []byte(x.String())
	case duckdb.Interval:
		return []byte(intervalText(x))
	case []any:
		if elem, ok := elementOIDs[oid]; ok {
			return arrayText(x, elem)
		}
		return []byte(jsonText(x))
	case map[string]any, duckdb.Map:
		return []byte(jsonText(x))
	}
	return fmt.Append(nil, v)
}

// arrayText writes a list in PostgreSQL's array text format: {a,"b c",NULL},
// an element quoted when it is empty, NULL or holds a delimiter, a brace, a
// quote, a backslash or a space.
func arrayText(list []any, elem uint32) []byte {
	b := []byte{'{'}
	for i, e := range list {
		if i > 0 {
			b = append(b, ',')
		}
		t := encodeText(e, elem)
		if t == nil {
			b = append(b, "NULL"...)
			continue
		}
		if len(t) > 0 && !strings.EqualFold(string(t), "NULL") && !strings.ContainsAny(string(t), "{},\"\\ \t\n\r\v\f") {
			b = append(b, t...)
			continue
		}
		b = append(b, '"')
		for _, c := range t {
			if c == '"' || c == '\\' {
				b = append(b, '\\')
			}
			b = append(b, c)
		}
		b = append(b, '"')
	}
	return append(b, '}')
}

// arrayBinary writes a list in PostgreSQL's binary array format: the
// dimensions (one, from 1), whether an element is NULL, the element type,
// then each element's length (-1 for NULL) and binary value.
func arrayBinary(list []any, elem uint32) ([]byte, error) {
	ndim, nulls := 1, 0
	if len(list) == 0 {
		ndim = 0
	}
	for _, e := range list {
		if e == nil {
			nulls = 1
		}
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(ndim))
	b = binary.BigEndian.AppendUint32(b, uint32(nulls))
	b = binary.BigEndian.AppendUint32(b, elem)
	if ndim == 1 {
		b = binary.BigEndian.AppendUint32(b, uint32(len(list)))
		b = binary.BigEndian.AppendUint32(b, 1)
	}
	for _, e := range list {
		if e == nil {
			b = binary.BigEndian.AppendUint32(b, math.MaxUint32) // -1
			continue
		}
		v, err := encodeBinary(e, elem)
		if err != nil {
			return nil, err
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	return b, nil
}

// formatFloat writes f as PostgreSQL's float8out and float4out do
// (extra_float_digits 1, the default since PostgreSQL 12): the shortest text
// that reads back to f, with an exponent only below 1e-4 or from 1e15
// (1e+15, 1e-05; 1234567.891 as it is).
func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	e := strconv.FormatFloat(f, 'e', -1, bits)
	i := strings.LastIndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	maxExp := 15 // DBL_DIG
	if bits == 32 {
		maxExp = 6 // FLT_DIG
	}
	if f != 0 && (exp < -4 || exp >= maxExp) {
		return e
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

func intervalText(iv duckdb.Interval) string {
	var parts []string
	if iv.Months != 0 {
		parts = append(parts, fmt.Sprintf("%d mons", iv.Months))
	}
	if iv.Days != 0 {
		parts = append(parts, fmt.Sprintf("%d days", iv.Days))
	}
	if iv.Micros != 0 || len(parts) == 0 {
		us := iv.Micros
		sign := ""
		if us < 0 {
			sign, us = "-", -us
		}
		d := time.Duration(us) * time.Microsecond
		h := int64(d / time.Hour)
		m := int64(d/time.Minute) % 60
		s := float64(d%time.Minute) / float64(time.Second)
		parts = append(parts, fmt.Sprintf("%s%02d:%02d:%s", sign, h, m, strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%09.6f", s), "0"), ".")))
	}
	return strings.Join(parts, " ")
}

func uuidString(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// encodeBinary renders a value in PostgreSQL's binary format of oid.
func encodeBinary(v any, oid uint32) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	if elem, ok := elementOIDs[oid]; ok {
		if list, ok := v.([]any); ok {
			return arrayBinary(list, elem)
		}
		return nil, fmt.Errorf("cannot send %T as binary array type %d", v, oid)
	}
	switch oid {
	case oidBool:
		if b, ok := v.(bool); ok {
			if b {
				return []byte{1}, nil
			}
			return []byte{0}, nil
		}
	case oidInt2, oidInt4, oidInt8:
		i, ok := toInt64(v)
		if !ok {
			break
		}
		switch oid {
		case oidInt2:
			return binary.BigEndian.AppendUint16(nil, uint16(int16(i))), nil
		case oidInt4:
			return binary.BigEndian.AppendUint32(nil, uint32(int32(i))), nil
		}
		return binary.BigEndian.AppendUint64(nil, uint64(i)), nil
	case oidFloat4:
		if f, ok := toFloat64(v); ok {
			return binary.BigEndian.AppendUint32(nil, math.Float32bits(float32(f))), nil
		}
	case oidFloat8:
		if f, ok := toFloat64(v); ok {
			return binary.BigEndian.AppendUint64(nil, math.Float64bits(f)), nil
		}
	case oidNumeric:
		return encodeNumeric(string(encodeText(v, oid)))
	case oidDate:
		if t, ok := v.(time.Time); ok {
			secs := t.Unix() - pgEpoch.Unix()
			days := secs / 86400
			if secs%86400 < 0 {
				days--
			}
			return binary.BigEndian.AppendUint32(nil, uint32(int32(days))), nil
		}
	case oidTimestamp, oidTimestamptz:
		if t, ok := v.(time.Time); ok {
			us := t.UnixMicro() - pgEpoch.UnixMicro()
			return binary.BigEndian.AppendUint64(nil, uint64(us)), nil
		}
	case oidTime:
		if t, ok := v.(time.Time); ok {
			t = t.UTC()
			us := int64(t.Hour())*3600e6 + int64(t.Minute())*60e6 + int64(t.Second())*1e6 + int64(t.Nanosecond()/1000)
			return binary.BigEndian.AppendUint64(nil, uint64(us)), nil
		}
	case oidInterval:
		if iv, ok := v.(duckdb.Interval); ok {
			b := binary.BigEndian.AppendUint64(nil, uint64(iv.Micros))
			b = binary.BigEndian.AppendUint32(b, uint32(iv.Days))
			return binary.BigEndian.AppendUint32(b, uint32(iv.Months)), nil
		}
	case oidUUID:
		switch x := v.(type) {
		case []byte:
			if len(x) == 16 {
				return x, nil
			}
		case duckdb.UUID:
			return x[:], nil
		}
	case oidBytea:
		if b, ok := v.([]byte); ok {
			return b, nil
		}
	default: // text, varchar, json: the text is the binary
		return encodeText(v, oid), nil
	}
	return nil, fmt.Errorf("cannot send %T as binary type %d", v, oid)
}

func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	}
	return 0, false
}

func toFloat64(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	}
	if i, ok := toInt64(v); ok {
		return float64(i), true
	}
	return 0, false
}

// encodeNumeric writes a decimal string in PostgreSQL's binary numeric
// format: ndigits, weight, sign, dscale, then base-10000 digits.
func encodeNumeric(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "NaN" {
		return []byte{0, 0, 0, 0, 0xC0, 0, 0, 0}, nil
	}
	sign := uint16(0)
	if strings.HasPrefix(s, "-") {
		sign, s = 0x4000, s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			return nil, fmt.Errorf("not a decimal: %q", s)
		}
	}
	dscale := len(frac)
	intPart = strings.TrimLeft(intPart, "0")
	// Pad to groups of 4 digits around the decimal point.
	if n := len(intPart) % 4; n != 0 {
		intPart = strings.Repeat("0", 4-n) + intPart
	}
	if n := len(frac) % 4; n != 0 {
		frac += strings.Repeat("0", 4-n)
	}
	all := intPart + frac
	digits := make([]uint16, 0, len(all)/4)
	for i := 0; i < len(all); i += 4 {
		d, _ := strconv.Atoi(all[i : i+4])
		digits = append(digits, uint16(d))
	}
	weight := len(intPart)/4 - 1
	// Drop leading and trailing zero groups.
	for len(digits) > 0 && digits[0] == 0 {
		digits = digits[1:]
		weight--
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 {
		weight, sign = 0, 0
	}
	b := binary.BigEndian.AppendUint16(nil, uint16(len(digits)))
	b = binary.BigEndian.AppendUint16(b, uint16(int16(weight)))
	b = binary.BigEndian.AppendUint16(b, sign)
	b = binary.BigEndian.AppendUint16(b, uint16(dscale))
	for _, d := range digits {
		b = binary.BigEndian.AppendUint16(b, d)
	}
	return b, nil
}

// decodeNumeric reads PostgreSQL's binary numeric as a decimal string.
func decodeNumeric(b []byte) (string, error) {
	if len(b) < 8 {
		return "", fmt.Errorf("numeric too short")
	}
	n := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if sign == 0xC000 {
		return "NaN", nil
	}
	if len(b) < 8+2*n {
		return "", fmt.Errorf("numeric too short")
	}
	var sb strings.Builder
	if sign == 0x4000 {
		sb.WriteByte('-')
	}
	digit := func(i int) int {
		if i < 0 || i >= n {
			return 0
		}
		return int(binary.BigEndian.Uint16(b[8+2*i:]))
	}
	if weight < 0 {
		sb.WriteByte('0')
	} else {
		for i := 0; i <= weight; i++ {
			if i == 0 {
				fmt.Fprintf(&sb, "%d", digit(i))
			} else {
				fmt.Fprintf(&sb, "%04d", digit(i))
			}
		}
	}
	if dscale > 0 {
		var frac strings.Builder
		for i := weight + 1; frac.Len() < dscale; i++ {
			fmt.Fprintf(&frac, "%04d", digit(i))
		}
		sb.WriteByte('.')
		sb.WriteString(frac.String()[:dscale])
	}
	return sb.String(), nil
}

// decodeParam turns a Bind parameter into what DuckDB binds.
func decodeParam(b []byte, format int16, oid uint32) (any, error) {
	if b == nil {
		return nil, nil
	}
	if format == 0 {
		s := string(b)
		switch oid {
		case oidInt2, oidInt4, oidInt8:
			return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		case oidFloat4, oidFloat8:
			return strconv.ParseFloat(strings.TrimSpace(s), 64)
		case oidBool:
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "t", "true", "y", "yes", "on", "1":
				return true, nil
			case "f", "false", "n", "no", "off", "0":
				return false, nil
			}
			return nil, fmt.Errorf("not a boolean: %q", s)
		}
		return s, nil
	}
	switch oid {
	case oidBool:
		if len(b) == 1 {
			return b[0] != 0, nil
		}
	case oidInt2:
		if len(b) == 2 {
			return int64(int16(binary.BigEndian.Uint16(b))), nil
		}
	case oidInt4:
		if len(b) == 4 {
			return int64(int32(binary.BigEndian.Uint32(b))), nil
		}
	case oidInt8:
		if len(b) == 8 {
			return int64(binary.BigEndian.Uint64(b)), nil
		}
	case oidFloat4:
		if len(b) == 4 {
			return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
		}
	case oidFloat8:
		if len(b) == 8 {
			return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
		}
	case oidNumeric:
		return decodeNumeric(b)
	// A date and a timestamp without time zone are civil values: bound as
	// their text, as in the text format (a time.Time would bind as a
	// TIMESTAMP WITH TIME ZONE and come back shifted to +07).
	case oidDate:
		if len(b) == 4 {
			return pgEpoch.AddDate(0, 0, int(int32(binary.BigEndian.Uint32(b)))).Format("2006-01-02"), nil
		}
	case oidTimestamp:
		if len(b) == 8 {
			return time.UnixMicro(pgEpoch.UnixMicro() + int64(binary.BigEndian.Uint64(b))).UTC().Format("2006-01-02 15:04:05.999999"), nil
		}
	case oidTimestamptz:
		if len(b) == 8 {
			return time.UnixMicro(pgEpoch.UnixMicro() + int64(binary.BigEndian.Uint64(b))).UTC(), nil
		}
	case oidUUID:
		if len(b) == 16 {
			return uuidString(b), nil
		}
	case oidBytea:
		return append([]byte(nil), b...), nil
	case oidText, oidVarchar, oidJSON, 0:
		return string(b), nil
	}
	return nil, fmt.Errorf("cannot read a binary parameter of type %d", oid)
}

// jsonText renders a nested value (list, struct, map) as JSON text.
func jsonText(v any) string {
	switch x := v.(type) {
	case duckdb.Map:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = e
		}
		v = m
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
