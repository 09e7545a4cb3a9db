package sqlsource

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Batch builds Arrow batches of database rows, the provenance columns
// included, and keeps the highest value of the incremental column.
//
// For each row, Set is called once per column in order, then EndRow. A value
// that does not fit its column is never converted lossily nor nulled in
// silence: the cell is null and _kho_error names the column, the value and
// the types, so that the conform step quarantines the row.
type Batch struct {
	cols    []Column
	schema  *arrow.Schema
	b       *array.RecordBuilder
	origin  string
	row     int64
	n       int
	reasons []string
	inc     int
	high    Mark
	hasHigh bool
	maxHeld int
	// utf8OK says the text values come checked (TrustUTF8).
	utf8OK bool
}

// TrustUTF8 says that every text value the source delivers is valid UTF-8
// already (a PostgreSQL database whose encoding is UTF8 checks every text
// it stores), so SetText need not check it again.
func (b *Batch) TrustUTF8() { b.utf8OK = true }

// NewBatch starts a builder for the columns; origin is the _kho_file of every
// row and inc the index of the incremental column (-1 without).
func NewBatch(alloc memory.Allocator, cols []Column, origin string, inc int) *Batch {
	s := Schema(cols)
	return &Batch{cols: cols, schema: s, b: array.NewRecordBuilder(alloc, s), origin: origin, inc: inc}
}

// Schema is the batches' schema.
func (b *Batch) Schema() *arrow.Schema { return b.schema }

// SetHigh starts the watermark from a stored one, so that a run reading
// nothing newer (or only rows in the lag window) keeps it.
func (b *Batch) SetHigh(m Mark) { b.high, b.hasHigh = m, true }

// High is the highest value of the incremental column seen (or stored).
func (b *Batch) High() (Mark, bool) { return b.high, b.hasHigh }

// Len is the number of rows since the last Flush.
func (b *Batch) Len() int { return b.n }

// Rows is the number of rows appended in all.
func (b *Batch) Rows() int64 { return b.row }

// MaxHeld is the most rows the builder held at once.
func (b *Batch) MaxHeld() int { return b.maxHeld }

// Set appends the value of column i of the current row: nil (NULL), int64,
// uint64, float32, float64, bool, []byte, string or time.Time. Text and bytes
// are parsed by the column's kind.
func (b *Batch) Set(i int, v any) {
	f := b.b.Field(i)
	if v == nil {
		f.AppendNull()
		return
	}
	c := b.cols[i]
	m, err := appendValue(f, c, v)
	switch {
	case errors.Is(err, errZeroDate):
		f.AppendNull() // MySQL's "no date"
	case err != nil:
		b.Invalid(i, err)
	case i == b.inc && m.usable():
		if !b.hasHigh || b.high.Less(m) {
			b.high, b.hasHigh = m, true
		}
	}
}

// Invalid appends a null for column i of the current row, marking the row
// bad with err (which names the value).
func (b *Batch) Invalid(i int, err error) {
	b.b.Field(i).AppendNull()
	c := b.cols[i]
	b.reasons = append(b.reasons, fmt.Sprintf("column %q: %v (%s)", c.Name, err, c.describe()))
}

// EndRow appends the provenance of the row.
func (b *Batch) EndRow() {
	n := len(b.cols)
	b.row++
	b.b.Field(n).(*array.StringBuilder).Append(b.origin)
	b.b.Field(n + 1).(*array.Int64Builder).Append(b.row)
	eb := b.b.Field(n + 2).(*array.StringBuilder)
	if len(b.reasons) == 0 {
		eb.AppendNull()
	} else {
		eb.Append(strings.Join(b.reasons, "; "))
		b.reasons = b.reasons[:0]
	}
	b.n++
	b.maxHeld = max(b.maxHeld, b.n)
}

// Flush returns the rows appended since the last Flush (nil when none); the
// caller releases the batch.
func (b *Batch) Flush() arrow.RecordBatch {
	if b.n == 0 {
		return nil
	}
	b.n = 0
	return b.b.NewRecordBatch()
}

// Release frees the builder.
func (b *Batch) Release() { b.b.Release() }

// usable reports whether a mark may move the watermark: NaN may not (no
// value is greater than NaN in PostgreSQL, so it would stop every later run).
func (m Mark) usable() bool { return m.kind != Float || !math.IsNaN(m.f) }

// appendValue converts v to the column's kind and appends it; on error nothing
// is appended.
func appendValue(f array.Builder, c Column, v any) (Mark, error) {
	m := Mark{kind: c.Kind, scale: c.Scale}
	switch c.Kind {
	case Int:
		x, err := toInt(v)
		if err != nil {
			return m, err
		}
		f.(*array.Int64Builder).Append(x)
		m.i = x
	case Float:
		x, err := toFloat(v)
		if err != nil {
			return m, err
		}
		f.(*array.Float64Builder).Append(x)
		m.f = x
	case Decimal:
		x, err := toDecimal(v, c.Precision, c.Scale)
		if err != nil {
			return m, err
		}
		f.(*array.Decimal128Builder).Append(x)
		m.d = x
	case Bool:
		x, err := toBool(v)
		if err != nil {
			return m, err
		}
		f.(*array.BooleanBuilder).Append(x)
	case Date:
		x, err := toDate(v)
		if err != nil {
			return m, err
		}
		f.(*array.Date32Builder).Append(arrow.Date32(x))
		m.i = int64(x)
	case LocalTime, UTCTime:
		loc := Local
		if c.Kind == UTCTime {
			loc = time.UTC
		}
		x, err := toTime(v, loc)
		if err != nil {
			return m, err
		}
		f.(*array.TimestampBuilder).Append(arrow.Timestamp(x.UnixMicro()))
		m.i = x.UnixMicro()
	case Binary:
		switch x := v.(type) {
		case []byte:
			f.(*array.BinaryBuilder).Append(x)
		case string:
			f.(*array.BinaryBuilder).AppendString(x)
		default:
			return m, fmt.Errorf("%s is not bytes", describe(v))
		}
	default:
		x, err := toText(v)
		if err != nil {
			return m, err
		}
		f.(*array.StringBuilder).Append(x)
		m.s = x
	}
	return m, nil
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("%d does not fit a 64-bit integer", x)
		}
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case []byte, string:
		s := text(x)
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s is not a 64-bit integer", describe(v))
		}
		return n, nil
	}
	return 0, fmt.Errorf("%s is not an integer", describe(v))
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return Float32(x), nil
	case int64:
		if f := float64(x); f >= -(1<<53) && f <= 1<<53 {
			return f, nil
		}
		return 0, fmt.Errorf("%d is not exact as a double", x)
	case []byte, string:
		return ParseFloat(text(x))
	}
	return 0, fmt.Errorf("%s is not a number", describe(v))
}

func toDecimal(v any, p, s int32) (decimal128.Num, error) {
	switch x := v.(type) {
	case []byte, string:
		return ParseDecimal(text(x), p, s)
	case int64:
		return decimalOfInt(big.NewInt(x), p, s)
	case uint64:
		return decimalOfInt(new(big.Int).SetUint64(x), p, s)
	}
	return decimal128.Num{}, fmt.Errorf("%s is not a decimal number", describe(v))
}

func toBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int64:
		if x == 0 || x == 1 {
			return x == 1, nil
		}
		return false, fmt.Errorf("%d is not a boolean (0 or 1)", x)
	case uint64:
		if x == 0 || x == 1 {
			return x == 1, nil
		}
		return false, fmt.Errorf("%d is not a boolean (0 or 1)", x)
	case []byte:
		if len(x) == 1 && x[0] <= 1 { // BIT(1)
			return x[0] == 1, nil
		}
		return ParseBool(string(x))
	case string:
		return ParseBool(x)
	}
	return false, fmt.Errorf("%s is not a boolean", describe(v))
}

func toDate(v any) (int32, error) {
	switch x := v.(type) {
	case []byte, string:
		return ParseDate(text(x))
	case time.Time:
		return daysOf(x), nil
	}
	return 0, fmt.Errorf("%s is not a date", describe(v))
}

func toTime(v any, loc *time.Location) (time.Time, error) {
	switch x := v.(type) {
	case []byte, string:
		return ParseTime(text(x), loc)
	case time.Time:
		return x, nil
	}
	return time.Time{}, fmt.Errorf("%s is not a date and time", describe(v))
}

func toText(v any) (string, error) {
	switch x := v.(type) {
	case []byte, string:
		s := text(x)
		if !utf8.ValidString(s) {
			return "", fmt.Errorf("%s is not valid UTF-8", describe(v))
		}
		return s, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32), nil
	case bool:
		return strconv.FormatBool(x), nil
	case time.Time:
		return x.Format(time.RFC3339Nano), nil
	}
	return "", fmt.Errorf("%s cannot be read as text", describe(v))
}

func text(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v.(string)
}

// describe names a value for a message, cut to a readable length.
func describe(v any) string {
	const maxLen = 60
	switch x := v.(type) {
	case []byte, string:
		s := text(x)
		if !utf8.ValidString(s) {
			if len(s) > maxLen/2 {
				return fmt.Sprintf("bytes x'%X…' (%d bytes)", s[:maxLen/2], len(s))
			}
			return fmt.Sprintf("bytes x'%X'", s)
		}
		if r := []rune(s); len(r) > maxLen {
			s = string(r[:maxLen]) + "…"
		}
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
