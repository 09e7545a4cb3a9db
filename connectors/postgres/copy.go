package postgres

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// wire is how a column travels in the binary COPY: its type's binary send
// format, decoded here straight into the Arrow builder, or the column cast
// to text in the statement (its type's output, as the text protocol writes
// it) for the types TYPES.md reads as text.
type wire int

const (
	wireCastText  wire = iota // selected as output(expr)::text (any type not below): the text protocol's text
	wireText                  // text, varchar, char(n), name, or already text (to_json(…)::text): the bytes as stored
	wireInt2                  // big-endian int16
	wireInt4                  // big-endian int32
	wireInt8                  // big-endian int64
	wireOID                   // big-endian uint32
	wireFloat4                // IEEE 754 single
	wireFloat8                // IEEE 754 double
	wireNumeric               // numeric's base-10000 digits (numericsend)
	wireBool                  // one byte
	wireDate                  // int32 days since 2000-01-01; ±infinity at the int32 ends
	wireTimestamp             // int64 µs since 2000-01-01 (a wall clock, or UTC for timestamptz); ±infinity at the int64 ends
	wireBytea                 // the bytes
)

// copyExpr is how the COPY statement selects the column. A type read as
// text is written by its output function, as the text protocol sends it
// (a cast to text may differ: inet::text adds the mask, 10.0.0.1/32).
func (c column) copyExpr() string {
	e := c.expr
	if c.wire == wireCastText {
		if c.output != "" && c.output != "-" {
			e = c.output + "(" + e + ")::text"
		} else {
			e += "::text"
		}
	}
	if e != quote(c.Name) {
		e += " AS " + quote(c.Name)
	}
	return e
}

// copySignature starts every binary COPY stream.
var copySignature = []byte("PGCOPY\n\xff\r\n\x00")

const (
	// pgEpochDays and pgEpochMicros are 2000-01-01, PostgreSQL's epoch, from 1970-01-01.
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * 86400 * 1_000_000
	// localOffsetMicros is Vietnam's UTC+7.
	localOffsetMicros = 7 * 3600 * 1_000_000
)

// copyReader reads the rows of a binary COPY … TO STDOUT, which runs on its
// own goroutine (pgconn.CopyTo writes the stream; this side decodes it as
// the batches are asked for).
type copyReader struct {
	cols   []column
	br     *bufio.Reader
	tee    *digestTee // the stream's bytes on their way to br
	pr     *io.PipeReader
	cancel context.CancelFunc
	result chan error // CopyTo's outcome, once
	buf    []byte
	row    int64 // rows read
	ended  bool  // the trailer was read
	err    error // CopyTo's outcome, once read
}

// startCopy starts `COPY (stmt) TO STDOUT (FORMAT binary)` on conn. The
// statement runs in the open read transaction: its snapshot is the one the
// rows are read from.
func startCopy(conn *pgconn.PgConn, cols []column, stmt string) *copyReader {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	tee := &digestTee{r: pr}
	r := &copyReader{cols: cols, pr: pr, tee: tee, br: bufio.NewReaderSize(tee, 256<<10), cancel: cancel, result: make(chan error, 1)}
	go func() {
		// PostgreSQL sends a message per row: they are handed over in
		// chunks, not one goroutine switch per row.
		bw := bufio.NewWriterSize(pw, 128<<10)
		_, err := conn.CopyTo(ctx, bw, "COPY ("+stmt+") TO STDOUT (FORMAT binary)")
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err) // nil: the reader sees io.EOF
		r.result <- err
	}()
	return r
}

// stop cancels the COPY and waits for its goroutine, so that the connection
// is free (or broken, when the COPY was cut).
func (r *copyReader) stop() {
	r.cancel()
	_ = r.pr.CloseWithError(errors.New("the read was stopped"))
	r.wait()
}

// wait returns CopyTo's outcome.
func (r *copyReader) wait() error {
	if r.result != nil {
		r.err = <-r.result
		r.result = nil
	}
	return r.err
}

// header reads the stream's signature, flags and header extension.
func (r *copyReader) header() error {
	h := make([]byte, len(copySignature)+8)
	if _, err := io.ReadFull(r.br, h); err != nil {
		return r.streamErr(err)
	}
	if !bytes.Equal(h[:len(copySignature)], copySignature) {
		return fmt.Errorf("the COPY stream does not start with the binary signature")
	}
	if flags := binary.BigEndian.Uint32(h[len(copySignature):]); flags&(1<<16) != 0 {
		return fmt.Errorf("the COPY stream carries OIDs")
	}
	ext := binary.BigEndian.Uint32(h[len(copySignature)+4:])
	if _, err := r.br.Discard(int(ext)); err != nil {
		return r.streamErr(err)
	}
	return nil
}

// streamErr is the error of a stream that ended early: the COPY's own when
// it failed.
func (r *copyReader) streamErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if cerr := r.wait(); cerr != nil {
			return cerr
		}
		return fmt.Errorf("the COPY stream ended within a row")
	}
	return err
}

// digestTee writes the bytes read through it into w, once w is set (before
// the first read): the digest of an unchanged rerun.
type digestTee struct {
	r io.Reader
	w io.Writer
}

func (t *digestTee) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 && t.w != nil {
		_, _ = t.w.Write(p[:n]) // a hash: it never fails
	}
	return n, err
}

// rowStart reads a row's field count; ended at the trailer, once the COPY
// finished.
func (r *copyReader) rowStart() (ended bool, err error) {
	cnt, err := r.value(2)
	if err != nil {
		return false, r.streamErr(err)
	}
	fields := int16(binary.BigEndian.Uint16(cnt))
	if fields == -1 {
		r.ended = true
		return true, r.wait()
	}
	if int(fields) != len(r.cols) {
		return false, fmt.Errorf("row %d has %d columns, %d were described", r.row+1, fields, len(r.cols))
	}
	return false, nil
}

// fieldSize reads a field's length: -1 for NULL.
func (r *copyReader) fieldSize() (int32, error) {
	l, err := r.value(4)
	if err != nil {
		return 0, r.streamErr(err)
	}
	return int32(binary.BigEndian.Uint32(l)), nil
}

// read fills b with up to n rows; false at the end of the stream (the
// trailer read and the COPY finished).
func (r *copyReader) read(b *sqlsource.Batch, n int) (int, bool, error) {
	got := 0
	for got < n {
		if ended, err := r.rowStart(); ended || err != nil {
			return got, false, err
		}
		for i := range r.cols {
			size, err := r.fieldSize()
			if err != nil {
				return got, false, err
			}
			if size < 0 {
				b.SetNull(i)
				continue
			}
			v, err := r.value(int(size))
			if err != nil {
				return got, false, r.streamErr(err)
			}
			decode(b, i, &r.cols[i], v)
		}
		b.EndRow()
		r.row++
		got++
	}
	return got, true, nil
}

// skip reads up to n rows without decoding them (their bytes still pass
// the digest); false at the end of the stream.
func (r *copyReader) skip(n int) (int, bool, error) {
	got := 0
	for got < n {
		if ended, err := r.rowStart(); ended || err != nil {
			return got, false, err
		}
		for range r.cols {
			size, err := r.fieldSize()
			if err != nil {
				return got, false, err
			}
			if size > 0 {
				if _, err := r.br.Discard(int(size)); err != nil {
					return got, false, r.streamErr(err)
				}
			}
		}
		r.row++
		got++
	}
	return got, true, nil
}

// value reads the next size bytes, valid until the next read.
func (r *copyReader) value(size int) ([]byte, error) {
	if size <= r.br.Size() {
		v, err := r.br.Peek(size)
		if err != nil {
			return nil, err
		}
		_, _ = r.br.Discard(size)
		return v, nil
	}
	if cap(r.buf) < size {
		r.buf = make([]byte, size)
	}
	v := r.buf[:size]
	_, err := io.ReadFull(r.br, v)
	return v, err
}

// decode appends a value in its type's binary form to column i.
func decode(b *sqlsource.Batch, i int, c *column, v []byte) {
	bad := func() {
		b.Invalid(i, fmt.Errorf("%d bytes are not a binary %s value", len(v), c.SourceType))
	}
	switch c.wire {
	case wireCastText, wireText:
		b.SetText(i, v)
	case wireInt2:
		if len(v) != 2 {
			bad()
			return
		}
		b.SetInt(i, int64(int16(binary.BigEndian.Uint16(v))))
	case wireInt4:
		if len(v) != 4 {
			bad()
			return
		}
		b.SetInt(i, int64(int32(binary.BigEndian.Uint32(v))))
	case wireOID:
		if len(v) != 4 {
			bad()
			return
		}
		b.SetInt(i, int64(binary.BigEndian.Uint32(v)))
	case wireInt8:
		if len(v) != 8 {
			bad()
			return
		}
		b.SetInt(i, int64(binary.BigEndian.Uint64(v)))
	case wireFloat4:
		if len(v) != 4 {
			bad()
			return
		}
		b.SetFloat(i, nan(sqlsource.Float32(math.Float32frombits(binary.BigEndian.Uint32(v)))))
	case wireFloat8:
		if len(v) != 8 {
			bad()
			return
		}
		b.SetFloat(i, nan(math.Float64frombits(binary.BigEndian.Uint64(v))))
	case wireBool:
		if len(v) != 1 {
			bad()
			return
		}
		b.SetBool(i, v[0] != 0)
	case wireDate:
		if len(v) != 4 {
			bad()
			return
		}
		switch d := int32(binary.BigEndian.Uint32(v)); d {
		case math.MaxInt32:
			b.Invalid(i, errors.New("infinity does not fit a date"))
		case math.MinInt32:
			b.Invalid(i, errors.New("-infinity does not fit a date"))
		default:
			b.SetDate(i, d+pgEpochDays)
		}
	case wireTimestamp:
		if len(v) != 8 {
			bad()
			return
		}
		switch us := int64(binary.BigEndian.Uint64(v)); us {
		case math.MaxInt64:
			b.Invalid(i, errors.New("infinity does not fit a timestamp"))
		case math.MinInt64:
			b.Invalid(i, errors.New("-infinity does not fit a timestamp"))
		default:
			us += pgEpochMicros
			if c.Kind == sqlsource.LocalTime {
				us -= localOffsetMicros
			}
			b.SetMicros(i, us)
		}
	case wireBytea:
		b.SetBytes(i, v)
	case wireNumeric:
		d, err := numericDecimal(v, c.Precision, c.Scale)
		if err != nil {
			b.Invalid(i, err)
			return
		}
		b.SetDecimal(i, d)
	}
}

// nan gives every NaN the bits of the text protocol's (strconv's "NaN").
func nan(f float64) float64 {
	if f != f {
		return math.NaN()
	}
	return f
}

// numeric's sign word.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

// numericDecimal reads numeric's binary form (ndigits, weight, sign, dscale,
// then ndigits base-10000 digits, the first of weight 10000^weight) as a
// decimal128 of the column's precision and scale, exactly. Values of up to
// 18 significant digits are read with integer arithmetic; any other (and
// NaN, ±Infinity) through numeric's text and ParseDecimal, so that the
// errors are those of the text protocol.
func numericDecimal(v []byte, precision, scale int32) (decimal128.Num, error) {
	if len(v) < 8 {
		return decimal128.Num{}, fmt.Errorf("%d bytes are not a binary numeric", len(v))
	}
	ndigits := int(binary.BigEndian.Uint16(v[0:2]))
	weight := int(int16(binary.BigEndian.Uint16(v[2:4])))
	sign := binary.BigEndian.Uint16(v[4:6])
	if len(v) != 8+2*ndigits {
		return decimal128.Num{}, fmt.Errorf("%d bytes are not a binary numeric of %d digits", len(v), ndigits)
	}
	if (sign == numericPos || sign == numericNeg) && ndigits <= 4 {
		// the digits as one integer, then moved to the column's scale: its
		// value is n × 10^(4 × (weight + 1 − ndigits))
		var n int64
		for k := range ndigits {
			d := int64(binary.BigEndian.Uint16(v[8+2*k:]))
			if d > 9999 {
				return decimal128.Num{}, fmt.Errorf("a binary numeric digit is %d", d)
			}
			n = n*10000 + d
		}
		shift := 4*(weight+1-ndigits) + int(scale) // power of ten of n at the column's scale
		ok := true
		for ; shift > 0 && ok; shift-- {
			ok = n <= math.MaxInt64/10
			n *= 10
		}
		for ; shift < 0 && ok; shift++ {
			ok = n%10 == 0
			n /= 10
		}
		if ok {
			if sign == numericNeg {
				n = -n
			}
			d := decimal128.FromI64(n)
			if d.FitsInPrecision(precision) {
				return d, nil
			}
		}
	}
	return sqlsource.ParseDecimal(numericText(v), precision, scale)
}

// numericText writes numeric's binary form as PostgreSQL's numeric_out does.
func numericText(v []byte) string {
	ndigits := int(binary.BigEndian.Uint16(v[0:2]))
	weight := int(int16(binary.BigEndian.Uint16(v[2:4])))
	sign := binary.BigEndian.Uint16(v[4:6])
	dscale := int(binary.BigEndian.Uint16(v[6:8]))
	switch sign {
	case numericNaN:
		return "NaN"
	case numericPInf:
		return "Infinity"
	case numericNInf:
		return "-Infinity"
	}
	digit := func(k int) int {
		if k < 0 || k >= ndigits {
			return 0
		}
		return int(binary.BigEndian.Uint16(v[8+2*k:]))
	}
	var s strings.Builder
	if sign == numericNeg {
		s.WriteByte('-')
	}
	if weight < 0 {
		s.WriteByte('0')
	} else {
		s.WriteString(strconv.Itoa(digit(0)))
		for k := 1; k <= weight; k++ {
			fmt.Fprintf(&s, "%04d", digit(k))
		}
	}
	if dscale > 0 {
		var frac strings.Builder
		for k := weight + 1; frac.Len() < dscale; k++ {
			fmt.Fprintf(&frac, "%04d", digit(k))
		}
		s.WriteByte('.')
		s.WriteString(frac.String()[:dscale])
	}
	return s.String()
}
