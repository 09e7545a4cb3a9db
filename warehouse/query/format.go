package query

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
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
func Write(w io.Writer, rows *sql.Rows, f Format) (int64, error) {
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
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
				rec[i] = Text(v)
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
		enc := json.NewEncoder(w)
		if _, err := io.WriteString(w, "["); err != nil {
			return 0, err
		}
		obj := make(map[string]any, len(cols))
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return n, err
			}
			for i, c := range cols {
				obj[c] = jsonValue(vals[i])
			}
			if n > 0 {
				io.WriteString(w, ",")
			}
			if err := enc.Encode(obj); err != nil {
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
				rec[i] = Text(v)
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

// Text renders a value scanned from DuckDB for people: NULL as empty, times
// in Asia/Ho_Chi_Minh, dates as dates.
func Text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []byte:
		return string(v)
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 && v.Location() == time.UTC {
			return v.Format("2006-01-02")
		}
		return v.In(hcm).Format("2006-01-02 15:04:05")
	case float64:
		return fmt.Sprintf("%.6g", v)
	case *big.Int:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

var hcm = time.FixedZone("Asia/Ho_Chi_Minh", 7*3600)

func jsonValue(v any) any {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 && v.Location() == time.UTC {
			return v.Format("2006-01-02")
		}
		return v.Format(time.RFC3339)
	case *big.Int:
		return v.String()
	default:
		if s, ok := v.(fmt.Stringer); ok {
			return s.String()
		}
		return v
	}
}
