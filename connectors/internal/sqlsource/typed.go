package sqlsource

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// The typed setters append a value already decoded to the column's own
// Arrow type, with no conversion through any: a binary protocol's reader
// (PostgreSQL's binary COPY) calls them. Each must be called only for a
// column of its kind, as Set would be; each keeps the watermark as Set does.

// SetInt appends x to an Int column.
func (b *Batch) SetInt(i int, x int64) {
	b.b.Field(i).(*array.Int64Builder).Append(x)
	if i == b.inc {
		b.raise(Mark{kind: Int, i: x})
	}
}

// SetFloat appends x to a Float column.
func (b *Batch) SetFloat(i int, x float64) {
	b.b.Field(i).(*array.Float64Builder).Append(x)
	if i == b.inc && !math.IsNaN(x) {
		b.raise(Mark{kind: Float, f: x})
	}
}

// SetDecimal appends x, at the column's scale, to a Decimal column.
func (b *Batch) SetDecimal(i int, x decimal128.Num) {
	b.b.Field(i).(*array.Decimal128Builder).Append(x)
	if i == b.inc {
		b.raise(Mark{kind: Decimal, d: x, scale: b.cols[i].Scale})
	}
}

// SetBool appends x to a Bool column.
func (b *Batch) SetBool(i int, x bool) { b.b.Field(i).(*array.BooleanBuilder).Append(x) }

// SetDate appends a day (days since 1970-01-01) to a Date column.
func (b *Batch) SetDate(i int, days int32) {
	b.b.Field(i).(*array.Date32Builder).Append(arrow.Date32(days))
	if i == b.inc {
		b.raise(Mark{kind: Date, i: int64(days)})
	}
}

// SetMicros appends an instant (µs since 1970-01-01 UTC) to a LocalTime or
// UTCTime column.
func (b *Batch) SetMicros(i int, us int64) {
	b.b.Field(i).(*array.TimestampBuilder).Append(arrow.Timestamp(us))
	if i == b.inc {
		b.raise(Mark{kind: b.cols[i].Kind, i: us})
	}
}

// SetText appends UTF-8 text to a Text column; other bytes make the row bad,
// as with Set.
func (b *Batch) SetText(i int, x []byte) {
	if !b.utf8OK && !utf8.Valid(x) {
		b.Invalid(i, fmt.Errorf("%s is not valid UTF-8", describe(x)))
		return
	}
	b.b.Field(i).(*array.StringBuilder).BinaryBuilder.Append(x)
	if i == b.inc {
		b.raise(Mark{kind: Text, s: string(x)})
	}
}

// SetBytes appends x to a Binary column.
func (b *Batch) SetBytes(i int, x []byte) { b.b.Field(i).(*array.BinaryBuilder).Append(x) }

// SetNull appends a NULL to column i.
func (b *Batch) SetNull(i int) { b.b.Field(i).AppendNull() }

// raise moves the watermark up to m.
func (b *Batch) raise(m Mark) {
	if !b.hasHigh || b.high.Less(m) {
		b.high, b.hasHigh = m, true
	}
}
