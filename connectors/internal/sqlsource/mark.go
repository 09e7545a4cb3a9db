package sqlsource

import (
	"bytes"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Mark is a value of the incremental column, ordered as the column's type
// orders it. Its text (String) is the watermark stored with the lake commit.
type Mark struct {
	kind  Kind
	i     int64   // Int; Date (days since 1970-01-01); LocalTime and UTCTime (µs since 1970-01-01 UTC)
	f     float64 // Float
	d     decimal128.Num
	scale int32 // Decimal
	s     string
}

// Incrementable reports whether a column of this kind can carry a watermark.
func (k Kind) Incrementable() bool {
	switch k {
	case Int, Float, Decimal, Date, LocalTime, UTCTime, Text:
		return true
	}
	return false
}

// Less orders marks of one column. Text is ordered by bytes, which may differ
// from the database's collation: the watermark is then lower than the
// database's own maximum, so a later run may read a row again but never skips
// one.
func (m Mark) Less(o Mark) bool {
	switch m.kind {
	case Int, Date, LocalTime, UTCTime:
		return m.i < o.i
	case Float:
		return m.f < o.f
	case Decimal:
		return m.d.Less(o.d)
	}
	return bytes.Compare([]byte(m.s), []byte(o.s)) < 0
}

// String is the watermark text: RFC 3339 for times (Vietnam's offset for
// times without zone, Z for instants), YYYY-MM-DD for dates, the number or
// the text as the database writes it otherwise.
func (m Mark) String() string {
	switch m.kind {
	case Int:
		return strconv.FormatInt(m.i, 10)
	case Float:
		return strconv.FormatFloat(m.f, 'g', -1, 64)
	case Decimal:
		return m.d.ToString(m.scale)
	case Date:
		return dateOfDays(int32(m.i)).Format("2006-01-02")
	case LocalTime:
		return time.UnixMicro(m.i).In(Local).Format(time.RFC3339Nano)
	case UTCTime:
		return time.UnixMicro(m.i).UTC().Format(time.RFC3339Nano)
	}
	return m.s
}

// SQL is the mark as a text parameter the database reads as a value of the
// column: a wall clock in Vietnam for times without zone, a UTC time for
// instants (with "+00" when withZone, for PostgreSQL; MySQL takes none).
func (m Mark) SQL(withZone bool) string {
	const layout = "2006-01-02 15:04:05.999999"
	switch m.kind {
	case LocalTime:
		return time.UnixMicro(m.i).In(Local).Format(layout)
	case UTCTime:
		s := time.UnixMicro(m.i).UTC().Format(layout)
		if withZone {
			s += "+00"
		}
		return s
	}
	return m.String()
}

// Kind is the kind of the column the mark belongs to.
func (m Mark) Kind() Kind { return m.kind }

// Int is the mark of an Int column.
func (m Mark) Int() int64 { return m.i }

// Float is the mark of a Float column.
func (m Mark) Float() float64 { return m.f }

// ParseMark reads a stored watermark as a value of the column. Times may be
// RFC 3339 (any offset) or a wall clock, read in Vietnam for LocalTime columns
// and in UTC for UTCTime ones.
func ParseMark(c Column, w string) (Mark, error) {
	m := Mark{kind: c.Kind, scale: c.Scale}
	var err error
	switch c.Kind {
	case Int:
		m.i, err = strconv.ParseInt(strings.TrimSpace(w), 10, 64)
	case Float:
		m.f, err = ParseFloat(w)
	case Decimal:
		m.d, err = ParseDecimal(w, 38, c.Scale)
	case Date:
		var d int32
		d, err = ParseDate(w)
		m.i = int64(d)
	case LocalTime, UTCTime:
		loc := Local
		if c.Kind == UTCTime {
			loc = time.UTC
		}
		var t time.Time
		t, err = ParseTime(w, loc)
		m.i = t.UnixMicro()
	case Text:
		m.s = w
	default:
		return m, fmt.Errorf("column %q (%s) cannot carry a watermark", c.Name, c.SourceType)
	}
	if err != nil {
		return m, fmt.Errorf("stored watermark %q is not a value of column %q (%s): %v", w, c.Name, c.SourceType, err)
	}
	return m, nil
}

// Lag is how far before the watermark a run starts reading again: a duration
// for date and time columns, a number for numeric ones.
type Lag struct {
	Duration time.Duration
	Number   *big.Rat // nil for a duration
}

// ParseLag reads a lag: a Go duration (10m, 1h30m) or a non-negative number.
func ParseLag(s string) (Lag, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Lag{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return Lag{}, fmt.Errorf("%q is negative", s)
		}
		return Lag{Duration: d}, nil
	}
	if allDigits(strings.Replace(s, ".", "", 1)) {
		r, ok := new(big.Rat).SetString(s)
		if ok {
			return Lag{Number: r}, nil
		}
	}
	return Lag{}, fmt.Errorf("%q is neither a duration (like 10m or 1h30m) nor a number", s)
}

// IsZero reports an empty lag.
func (l Lag) IsZero() bool { return l.Duration == 0 && (l.Number == nil || l.Number.Sign() == 0) }

// Minus moves the mark back by the lag. A duration applies to dates and
// times (a date moves to the day of its midnight minus the lag), a number to
// numbers; any other pairing is an error naming the column.
func (m Mark) Minus(l Lag, c Column) (Mark, error) {
	if l.IsZero() {
		return m, nil
	}
	bad := func(want string) (Mark, error) {
		return m, fmt.Errorf("column %q is %s: its lag must be %s", c.Name, c.SourceType, want)
	}
	switch m.kind {
	case LocalTime, UTCTime:
		if l.Number != nil {
			return bad("a duration (like 10m)")
		}
		m.i -= l.Duration.Microseconds()
	case Date:
		if l.Number != nil {
			return bad("a duration (like 24h)")
		}
		midnight := dateOfDays(int32(m.i)).UnixMicro() - l.Duration.Microseconds()
		m.i = int64(daysOf(time.UnixMicro(midnight).UTC()))
	case Int:
		if l.Number == nil || !l.Number.IsInt() {
			return bad("a whole number")
		}
		m.i -= l.Number.Num().Int64()
	case Float:
		if l.Number == nil {
			return bad("a number")
		}
		f, _ := l.Number.Float64()
		m.f -= f
	case Decimal:
		if l.Number == nil {
			return bad("a number")
		}
		n, err := ParseDecimal(l.Number.FloatString(int(m.scale)), 38, m.scale)
		if err != nil {
			return m, fmt.Errorf("column %q: lag %s: %v", c.Name, l.Number.FloatString(int(m.scale)), err)
		}
		m.d = m.d.Sub(n)
	default:
		return bad("empty: a lag needs a number, date or time column")
	}
	return m, nil
}
