package sqlite

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// appendValue appends v, as returned by the driver (int64, float64, string,
// []byte or nil), to the builder of column c. A value whose storage class does
// not fit the column's Arrow type is appended as null and described in the
// returned reason, which makes the row bad; it is never converted lossily.
//
// What fits: INTEGER into int64; REAL, or an INTEGER exactly representable,
// into float64; TEXT (valid UTF-8), INTEGER and REAL (as their text) or a BLOB
// holding valid UTF-8 into utf8; anything into binary, as SQLite's own
// CAST(x AS BLOB) would give it.
func appendValue(b array.Builder, c column, v any) (reason string) {
	if v == nil {
		b.AppendNull()
		return ""
	}
	switch c.typ.ID() {
	case arrow.INT64:
		if i, ok := v.(int64); ok {
			b.(*array.Int64Builder).Append(i)
			return ""
		}
	case arrow.FLOAT64:
		switch x := v.(type) {
		case float64:
			b.(*array.Float64Builder).Append(x)
			return ""
		case int64:
			if f := float64(x); f >= -(1<<53) && f <= 1<<53 {
				b.(*array.Float64Builder).Append(f)
				return ""
			}
		}
	case arrow.STRING:
		if s, ok := textOf(v); ok {
			b.(*array.StringBuilder).Append(s)
			return ""
		}
	case arrow.BINARY:
		if p, ok := bytesOf(v); ok {
			b.(*array.BinaryBuilder).Append(p)
			return ""
		}
	}
	b.AppendNull()
	return fmt.Sprintf("column %q: %s does not fit the column's type %s", c.name, describe(v), typeName(c))
}

// textOf renders a value as text when that loses nothing.
func textOf(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, utf8.ValidString(x)
	case []byte:
		return string(x), utf8.Valid(x)
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return formatReal(x), true
	case time.Time: // only if the driver parsed a time; we select with +col so it does not
		return x.Format(time.RFC3339Nano), true
	}
	return "", false
}

// bytesOf renders a value as bytes, as CAST(x AS BLOB) does.
func bytesOf(v any) ([]byte, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case string:
		return []byte(x), true
	case int64, float64:
		s, _ := textOf(x)
		return []byte(s), true
	}
	return nil, false
}

// formatReal writes a REAL the shortest way that reads back the same.
func formatReal(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// describe names a value and its storage class for an error message, cut to a
// readable length.
func describe(v any) string {
	const max = 60
	cut := func(s string) string {
		if utf8.RuneCountInString(s) <= max {
			return s
		}
		r := []rune(s)
		return string(r[:max]) + "…"
	}
	switch x := v.(type) {
	case int64:
		return "integer " + strconv.FormatInt(x, 10)
	case float64:
		return "real " + formatReal(x)
	case string:
		if !utf8.ValidString(x) {
			return fmt.Sprintf("text with invalid UTF-8 %s", cut(strconv.Quote(x)))
		}
		return "text " + strconv.Quote(cut(x))
	case []byte:
		if len(x) > max/2 {
			return fmt.Sprintf("blob x'%X…' (%d bytes)", x[:max/2], len(x))
		}
		return fmt.Sprintf("blob x'%X'", x)
	}
	return fmt.Sprintf("%T %v", v, v)
}

// typeName is the declared type and the Arrow type of a column.
func typeName(c column) string {
	if c.declared == "" {
		return "(none) → " + c.typ.String()
	}
	return c.declared + " → " + c.typ.String()
}
