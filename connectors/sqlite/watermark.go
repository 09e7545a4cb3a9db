package sqlite

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// timeLayouts are the text forms of times that a lag can be applied to, tried
// in order; the lagged watermark is written back in the layout it was read in,
// so that it compares with the stored text as SQLite compares text.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102150405",
}

// minusLag returns the watermark moved back by lag, in the watermark's own
// layout. It fails when the watermark is not a time.
func minusLag(watermark string, lag time.Duration) (string, error) {
	for _, layout := range timeLayouts {
		t, err := time.Parse(layout, watermark)
		if err != nil {
			continue
		}
		// keep the watermark's count of fraction digits, so text order holds
		layout = strings.Replace(layout, ".999999999", fraction(watermark), 1)
		return t.Add(-lag).Format(layout), nil
	}
	return "", fmt.Errorf("watermark %q is not a time (like 2006-01-02 15:04:05), so a lag cannot apply", watermark)
}

// fractionDigits finds the fractional seconds of a time text.
var fractionDigits = regexp.MustCompile(`\.(\d+)`)

// fraction returns the fixed-width fraction layout (".000") matching the
// watermark's fractional seconds, or "" when it has none.
func fraction(s string) string {
	m := fractionDigits.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return "." + strings.Repeat("0", len(m[1]))
}

// mark is a value of the incremental column, ordered as SQLite orders values:
// numbers (integers and reals together) before text before blobs.
type mark struct {
	class int // 0 none, 1 number, 2 text, 3 blob
	i     int64
	f     float64
	isInt bool
	s     string
}

// markOf makes a mark of a driver value; ok is false for NULL.
func markOf(v any) (mark, bool) {
	switch x := v.(type) {
	case int64:
		return mark{class: 1, i: x, f: float64(x), isInt: true}, true
	case float64:
		return mark{class: 1, f: x}, true
	case string:
		return mark{class: 2, s: x}, true
	case []byte:
		return mark{class: 3, s: string(x)}, true
	}
	return mark{}, false
}

// markOfWatermark reads a stored watermark as a value of a column of type t:
// a number for numeric columns (when it reads as one), else text.
func markOfWatermark(w string, t arrow.DataType) mark {
	switch t.ID() {
	case arrow.INT64:
		if i, err := strconv.ParseInt(w, 10, 64); err == nil {
			return mark{class: 1, i: i, f: float64(i), isInt: true}
		}
		if f, err := strconv.ParseFloat(w, 64); err == nil {
			return mark{class: 1, f: f}
		}
	case arrow.FLOAT64:
		if f, err := strconv.ParseFloat(w, 64); err == nil {
			return mark{class: 1, f: f}
		}
	}
	return mark{class: 2, s: w}
}

// param is the mark as a query parameter.
func (m mark) param() any {
	switch {
	case m.class == 1 && m.isInt:
		return m.i
	case m.class == 1:
		return m.f
	case m.class == 3:
		return []byte(m.s)
	}
	return m.s
}

// less orders marks as SQLite does (BINARY collation for text).
func (m mark) less(o mark) bool {
	if m.class != o.class {
		return m.class < o.class
	}
	switch m.class {
	case 1:
		if m.isInt && o.isInt {
			return m.i < o.i
		}
		return m.f < o.f
	case 2, 3:
		return bytes.Compare([]byte(m.s), []byte(o.s)) < 0
	}
	return false
}

// String writes the mark as the watermark text.
func (m mark) String() string {
	switch {
	case m.class == 1 && m.isInt:
		return strconv.FormatInt(m.i, 10)
	case m.class == 1:
		return formatReal(m.f)
	}
	return m.s
}
