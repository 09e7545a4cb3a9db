package api

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/sonla-data/kho/internal/valtext"
)

// hcm is the province's time zone (UTC+7, no daylight saving).
var hcm = valtext.HoChiMinh

// timeKindOf tells how a column's time.Time values are written.
func timeKindOf(typ string) valtext.TimeKind { return valtext.KindOf(typ) }

// formatTime writes a time in RFC 3339 by its column's kind: TIMESTAMPTZ in
// Asia/Ho_Chi_Minh with its offset, DATE as a date, TIMESTAMP as it is.
func formatTime(v time.Time, k valtext.TimeKind) string { return valtext.TimeRFC3339(v, k) }

// appendJSON appends v, a value scanned from a column of type typ, as JSON.
func appendJSON(b []byte, v any, typ string) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, uint:
		return fmt.Append(b, x)
	case float32:
		return appendFloat(b, float64(x), 32)
	case float64:
		return appendFloat(b, x, 64)
	case string:
		return appendJSONString(b, x)
	case []byte:
		if strings.EqualFold(typ, "UUID") && len(x) == 16 {
			return appendJSONString(b, uuidString(x))
		}
		return appendJSONString(b, base64.StdEncoding.EncodeToString(x))
	case time.Time:
		return appendJSONString(b, formatTime(x, timeKindOf(typ)))
	case duckdb.Decimal:
		return append(b, valtext.Decimal(x)...)
	case *big.Int:
		return append(b, x.String()...)
	case duckdb.UUID:
		return appendJSONString(b, x.String())
	case duckdb.Interval:
		return fmt.Appendf(b, `{"months":%d,"days":%d,"micros":%d}`, x.Months, x.Days, x.Micros)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e, "")
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSON(b, x[k], "")
		}
		return append(b, '}')
	case duckdb.Map:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = e
		}
		return appendJSON(b, m, "")
	}
	j, err := json.Marshal(v)
	if err != nil {
		return appendJSONString(b, fmt.Sprint(v))
	}
	return append(b, j...)
}

func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	return valtext.AppendFloat(b, f, bits)
}

func appendJSONString(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = fmt.Appendf(b, `\u%04x`, r)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// text renders v for CSV: NULL as empty, nested values as JSON.
func text(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return valtext.Float(x, 64)
	case float32:
		return valtext.Float(float64(x), 32)
	case time.Time:
		return formatTime(x, timeKindOf(typ))
	case []byte:
		if strings.EqualFold(typ, "UUID") && len(x) == 16 {
			return uuidString(x)
		}
		return base64.StdEncoding.EncodeToString(x)
	case duckdb.Decimal:
		return valtext.Decimal(x)
	case *big.Int:
		return x.String()
	case duckdb.UUID:
		return x.String()
	case []any, map[string]any, duckdb.Map, duckdb.Interval:
		return string(appendJSON(nil, x, typ))
	}
	return fmt.Sprint(v)
}

func uuidString(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
