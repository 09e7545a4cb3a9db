package lake

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Rows are compared across the run's batches and the table's Parquet files,
// whose Arrow types may differ for the same Iceberg type (string or
// large_string, a timestamp's unit or zone, an extension uuid or its fixed
// bytes). The encodings and hashes below depend on the value only:
// integers of any width are one kind, timestamps are microseconds, texts
// and bytes their bytes.

// Value kinds of the normalised encoding.
const (
	tagNull  = 0
	tagInt   = 1
	tagText  = 2
	tagDate  = 3
	tagTime  = 4
	tagDec   = 5
	tagBool  = 6
	tagFloat = 7
	tagOther = 8
)

// appendValue appends the normalised encoding of row i of a (nil a: null)
// to buf. Two values encode alike exactly when they are equal.
func appendValue(buf []byte, a arrow.Array, i int) []byte {
	if a == nil || a.IsNull(i) {
		return append(buf, tagNull)
	}
	switch a := a.(type) {
	case *array.Int64:
		return binary.BigEndian.AppendUint64(append(buf, tagInt), uint64(a.Value(i)))
	case *array.Int32:
		return binary.BigEndian.AppendUint64(append(buf, tagInt), uint64(int64(a.Value(i))))
	case *array.Int16:
		return binary.BigEndian.AppendUint64(append(buf, tagInt), uint64(int64(a.Value(i))))
	case *array.Int8:
		return binary.BigEndian.AppendUint64(append(buf, tagInt), uint64(int64(a.Value(i))))
	case *array.String:
		return appendText(buf, a.Value(i))
	case *array.LargeString:
		return appendText(buf, a.Value(i))
	case *array.StringView:
		return appendText(buf, a.Value(i))
	case *array.Binary:
		return appendText(buf, string(a.Value(i)))
	case *array.LargeBinary:
		return appendText(buf, string(a.Value(i)))
	case *array.FixedSizeBinary:
		return appendText(buf, string(a.Value(i)))
	case *array.Date32:
		return binary.BigEndian.AppendUint32(append(buf, tagDate), uint32(a.Value(i)))
	case *array.Date64:
		return binary.BigEndian.AppendUint32(append(buf, tagDate), uint32(int64(a.Value(i))/86_400_000))
	case *array.Timestamp:
		return binary.BigEndian.AppendUint64(append(buf, tagTime), uint64(micros(a, i)))
	case *array.Decimal128:
		v := a.Value(i)
		buf = append(buf, tagDec, byte(a.DataType().(*arrow.Decimal128Type).Scale))
		buf = binary.BigEndian.AppendUint64(buf, uint64(v.HighBits()))
		return binary.BigEndian.AppendUint64(buf, v.LowBits())
	case *array.Boolean:
		if a.Value(i) {
			return append(buf, tagBool, 1)
		}
		return append(buf, tagBool, 0)
	case *array.Float64:
		return binary.BigEndian.AppendUint64(append(buf, tagFloat), math.Float64bits(a.Value(i)))
	case *array.Float32:
		return binary.BigEndian.AppendUint64(append(buf, tagFloat), math.Float64bits(float64(a.Value(i))))
	case array.ExtensionArray:
		return appendValue(buf, a.Storage(), i)
	case *array.Dictionary:
		return appendValue(buf, a.Dictionary(), a.GetValueIndex(i))
	}
	return appendText(append(buf, tagOther), a.ValueStr(i))
}

func appendText(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(append(buf, tagText), uint64(len(s)))
	return append(buf, s...)
}

// micros is row i of a timestamp array in microseconds since the epoch.
func micros(a *array.Timestamp, i int) int64 {
	v := int64(a.Value(i))
	switch a.DataType().(*arrow.TimestampType).Unit {
	case arrow.Second:
		return v * 1_000_000
	case arrow.Millisecond:
		return v * 1_000
	case arrow.Nanosecond:
		return v / 1_000
	}
	return v
}

// FNV-1a, 64 bits.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashRows mixes the values of a column into the running hashes of its
// rows (h[i] is row i's); a nil column mixes in nulls. Feeding the columns
// of a schema in order gives each row a hash of its content.
func hashRows(a arrow.Array, h []uint64) {
	var buf []byte
	for i := range h {
		buf = appendValue(buf[:0], a, i)
		h[i] = mixValue(h[i], buf)
	}
}

// hashRow is the hash hashRows gives row i of the columns cols (fed in
// order); buf is scratch space.
func hashRow(cols []arrow.Array, i int, buf []byte) (uint64, []byte) {
	var x uint64
	for _, a := range cols {
		buf = appendValue(buf[:0], a, i)
		x = mixValue(x, buf)
	}
	return x, buf
}

// mixValue mixes one encoded value into a row's running hash x (0: none
// yet).
func mixValue(x uint64, enc []byte) uint64 {
	if x == 0 {
		x = fnvOffset
	}
	for _, c := range enc {
		x ^= uint64(c)
		x *= fnvPrime
	}
	// a separator, so that ("ab","c") and ("a","bc") differ
	x ^= 0xff
	x *= fnvPrime
	return x
}
