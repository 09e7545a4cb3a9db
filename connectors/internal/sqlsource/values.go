package sqlsource

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// ParseDecimal reads a decimal text ("-123.4500", as PostgreSQL and MySQL
// write numeric and DECIMAL values) exactly into a decimal128 of the given
// precision and scale. Nothing is rounded: digits beyond the scale must be
// zeros, and the value must have at most precision digits.
func ParseDecimal(s string, precision, scale int32) (decimal128.Num, error) {
	t := strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(t, "-"):
		neg, t = true, t[1:]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return decimal128.Num{}, fmt.Errorf("%q is not a decimal number", s)
	}
	if int32(len(frac)) > scale {
		if strings.Trim(frac[scale:], "0") != "" {
			return decimal128.Num{}, fmt.Errorf("%s has more than %d decimals", s, scale)
		}
		frac = frac[:scale]
	}
	digits := strings.TrimLeft(whole+frac+strings.Repeat("0", int(scale)-len(frac)), "0")
	if int32(len(digits)) > precision {
		return decimal128.Num{}, fmt.Errorf("%s has more than %d digits", s, precision)
	}
	if digits == "" {
		return decimal128.Num{}, nil
	}
	var v big.Int
	v.SetString(digits, 10)
	if neg {
		v.Neg(&v)
	}
	return decimal128.FromBigInt(&v), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decimalOfInt is a whole number as a decimal128 of the given scale.
func decimalOfInt(v *big.Int, precision, scale int32) (decimal128.Num, error) {
	var x big.Int
	x.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	if int32(len(new(big.Int).Abs(&x).String())) > precision {
		return decimal128.Num{}, fmt.Errorf("%s has more than %d digits", v, precision)
	}
	return decimal128.FromBigInt(&x), nil
}

// ParseFloat reads a float text as PostgreSQL writes it, NaN and ±Infinity
// included.
func ParseFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if err != nil {
		return 0, fmt.Errorf("%s is out of the range of a double", s)
	}
	return f, nil
}

// Float32 widens a single-precision value the way it reads: 0.1 (the shortest
// text that identifies the float32) becomes the float64 0.1, not
// 0.10000000149011612. PostgreSQL's real and MySQL's FLOAT are read this way,
// so that a value shows as it does in the database's own client.
func Float32(f float32) float64 {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return float64(f)
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	return v
}

// ParseBool reads t/f (PostgreSQL), true/false and 1/0.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "1":
		return true, nil
	case "f", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", s)
}

// errZeroDate marks MySQL's zero dates ("0000-00-00"), read as NULL.
var errZeroDate = errors.New("zero date")

// dateLayouts and timeLayouts are the forms databases write dates and times in.
var (
	timeLayouts = []string{
		"2006-01-02 15:04:05.999999999",
		"2006-01-02 15:04:05.999999999-07",
		"2006-01-02 15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999-07:00:00",
		"2006-01-02T15:04:05.999999999",
		time.RFC3339Nano,
		"2006-01-02",
	}
)

// ParseTime reads a timestamp text: without a zone it is a wall clock in loc;
// a zone written with it (PostgreSQL's "+00") wins. " BC" years are read;
// "infinity" does not fit a timestamp.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "0000-00-00") {
		return time.Time{}, errZeroDate
	}
	bc := strings.HasSuffix(t, " BC")
	t = strings.TrimSuffix(t, " BC")
	for _, l := range timeLayouts {
		v, err := time.ParseInLocation(l, t, loc)
		if err != nil {
			continue
		}
		if bc {
			v = time.Date(1-v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), v.Location())
		}
		return v, nil
	}
	if strings.Contains(strings.ToLower(t), "infinity") {
		return time.Time{}, fmt.Errorf("%s does not fit a timestamp", s)
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time", s)
}

// ParseDate reads a date text (YYYY-MM-DD, " BC" years) as days since
// 1970-01-01.
func ParseDate(s string) (int32, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "0000-00-00") {
		return 0, errZeroDate
	}
	bc := strings.HasSuffix(t, " BC")
	v, err := time.Parse("2006-01-02", strings.TrimSuffix(t, " BC"))
	if err != nil {
		if strings.Contains(strings.ToLower(t), "infinity") {
			return 0, fmt.Errorf("%s does not fit a date", s)
		}
		return 0, fmt.Errorf("%q is not a date", s)
	}
	if bc {
		v = time.Date(1-v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)
	}
	return daysOf(v), nil
}

// daysOf is the calendar day of t (in t's own zone) as days since 1970-01-01.
func daysOf(t time.Time) int32 {
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return int32(u.Unix() / 86400)
}

// dateOfDays is the inverse of daysOf, at UTC midnight.
func dateOfDays(d int32) time.Time {
	return time.Unix(int64(d)*86400, 0).UTC()
}
