package query

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/sonla-data/kho/internal/valtext"
)

// Format is an output format of query results.
type Format int

// The formats.
const (
	Table Format = iota + 1
	CSV
	JSON
)

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, bool) {
	switch s {
	case "table", "":
		return Table, true
	case "csv":
		return CSV, true
	case "json":
		return JSON, true
	}
	return 0, false
}

// Write streams rows to w in a format and returns the number of rows. The
// table format pads columns over the rows it prints; CSV and JSON stream.
// Values are exact (see Text): doubles in their shortest round-trip form,
// decimals with their scale, times by their column's type.
func Write(w io.Writer, rows *sql.Rows, f Format) (int64, error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return 0, err
	}
	cols := make([]string, len(cts))
	kinds := make([]valtext.TimeKind, len(cts))
	for i, ct := range cts {
		cols[i] = ct.Name()
		kinds[i] = valtext.KindOf(ct.DatabaseTypeName())
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	switch f {
	case CSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(cols); err != nil {
			return 0, err
		}
		rec := make([]string, len(cols))
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return n, err
			}
			for i, v := range vals {
				rec[i] = TextOf(v, kinds[i])
			}
			if err := cw.Write(rec); err != nil {
				return n, err
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, err
		}
	case JSON:
		if _, err := io.WriteString(w, "["); err != nil {
			return 0, err
		}
		keys := make([][]byte, len(cols))
		for i, c := range cols {
			k, _ := json.Marshal(c)
			keys[i] = append(k, ':')
		}
		var buf []byte
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return n, err
			}
			buf = buf[:0]
			if n > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '{')
			for i, v := range vals {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, keys[i]...)
				buf = appendJSON(buf, v, kinds[i])
			}
			buf = append(buf, "}\n"...)
			if _, err := w.Write(buf); err != nil {
				return n, err
			}
			n++
		}
		if _, err := io.WriteString(w, "]\n"); err != nil {
			return n, err
		}
	default:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
		rule := make([]string, len(cols))
		for i, c := range cols {
			rule[i] = strings.Repeat("-", max(3, utf8.RuneCountInString(c)))
		}
		fmt.Fprintln(tw, strings.Join(rule, "\t"))
		rec := make([]string, len(cols))
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return n, err
			}
			for i, v := range vals {
				rec[i] = TextOf(v, kinds[i])
			}
			fmt.Fprintln(tw, strings.Join(rec, "\t"))
			n++
		}
		if err := tw.Flush(); err != nil {
			return n, err
		}
		fmt.Fprintf(w, "(%d rows)\n", n)
	}
	return n, rows.Err()
}

// Text renders a value scanned from DuckDB for people, for a column of
// unknown type: a time is an instant (see TextOf).
func Text(v any) string { return TextOf(v, valtext.Instant) }

// TextOf renders a value scanned from a column whose times are of kind k:
// NULL as empty, doubles in their shortest round-trip form (223941.6, never
// 223942), decimals with their scale (12.50), dates as dates, timestamps
// with their zone in Asia/Ho_Chi_Minh (2025-07-01 07:00:00+07), naive
// timestamps as they are.
func TextOf(v any, k valtext.TimeKind) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []byte:
		return string(v)
	case time.Time:
		return valtext.Time(v, k)
	case float64:
		return valtext.Float(v, 64)
	case float32:
		return valtext.Float(float64(v), 32)
	case duckdb.Decimal:
		return valtext.Decimal(v)
	case *big.Int:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

// hcm is the province's zone, Asia/Ho_Chi_Minh.
var hcm = valtext.HoChiMinh

// appendJSON appends v as JSON: numbers as exact JSON numbers (NaN and
// infinities as null), decimals with their scale, times in RFC 3339.
func appendJSON(b []byte, v any, k valtext.TimeKind) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return append(b, "null"...)
		}
		return valtext.AppendFloat(b, v, 64)
	case float32:
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return append(b, "null"...)
		}
		return valtext.AppendFloat(b, float64(v), 32)
	case duckdb.Decimal:
		return append(b, valtext.Decimal(v)...)
	case *big.Int:
		return append(b, v.String()...)
	case []byte:
		v2, _ := json.Marshal(string(v))
		return append(b, v2...)
	case time.Time:
		v2, _ := json.Marshal(valtext.TimeRFC3339(v, k))
		return append(b, v2...)
	case fmt.Stringer: // duckdb.UUID
		v2, _ := json.Marshal(v.String())
		return append(b, v2...)
	}
	j, err := json.Marshal(v)
	if err != nil {
		if s, ok := v.(fmt.Stringer); ok {
			j, _ = json.Marshal(s.String())
		} else {
			j, _ = json.Marshal(fmt.Sprint(v))
		}
	}
	return append(b, j...)
}
