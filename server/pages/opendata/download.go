package opendata

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sonla-data/kho/server/pages/site"
)

// Formats of a download: file extension -> media type.
var Formats = map[string]string{
	"csv":     "text/csv; charset=utf-8",
	"json":    "application/json",
	"parquet": "application/vnd.apache.parquet",
	"xlsx":    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// FormatNames are the download formats in the order pages show them.
var FormatNames = []string{"csv", "json", "parquet", "xlsx"}

// WriteOptions change a download.
type WriteOptions struct {
	// Headers names the CSV's columns: "" their names (snake_case),
	// "vi" their Vietnamese labels, "en" their English labels. An XLSX
	// always has the Vietnamese labels.
	Headers string
}

// bom starts the CSV so that Excel reads it as UTF-8.
const bom = "\ufeff"

// Write streams a dataset's published columns, every row, in a format.
func (c *Catalog) Write(ctx context.Context, w io.Writer, d *Dataset, format string, opt WriteOptions) error {
	switch opt.Headers {
	case "", "vi", "en":
	default:
		return fmt.Errorf("headers %q: must be vi or en", opt.Headers)
	}
	switch format {
	case "csv":
		return c.writeCSV(ctx, w, d, opt)
	case "xlsx":
		return c.writeXLSX(ctx, w, d)
	case "json":
		return c.writeJSON(ctx, w, d)
	case "parquet":
		return c.writeParquet(ctx, w, d)
	}
	return fmt.Errorf("format %q: must be csv, json, parquet or xlsx", format)
}

// each calls fn with every row of the published columns, JSON-ready.
func (c *Catalog) each(ctx context.Context, d *Dataset, fn func([]any) error) error {
	err := c.deps.Query.Scan(ctx, c.download(d), func(_, _ []string) error { return nil }, func(vals []any) error {
		for i, v := range vals {
			vals[i] = ColumnValue(v, d.Columns[i])
		}
		return fn(vals)
	})
	if err != nil {
		return fmt.Errorf("reading %s: %w", d.Name, err)
	}
	return nil
}

// download is the statement of a whole dataset's published columns, in the
// order of its key: no row limit, still sandboxed, masked and audited.
func (c *Catalog) download(d *Dataset) site.Statement {
	return site.Statement{Reader: Reader, Object: d.Name, Download: true,
		SQL: "SELECT " + d.selectList() + " FROM " + tableRef(d.Name) + " ORDER BY " + d.stableOrder()}
}

func (c *Catalog) writeCSV(ctx context.Context, w io.Writer, d *Dataset, opt WriteOptions) error {
	if len(d.Columns) == 0 {
		return nil
	}
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	rec := make([]string, len(d.Columns))
	for i, col := range d.Columns {
		rec[i] = Header(col, opt.Headers)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	err := c.each(ctx, d, func(vals []any) error {
		for i, v := range vals {
			rec[i] = Text(v)
		}
		return cw.Write(rec)
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

func (c *Catalog) writeJSON(ctx context.Context, w io.Writer, d *Dataset) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	obj := make(map[string]any, len(d.Columns))
	err := c.each(ctx, d, func(vals []any) error {
		for i, col := range d.Columns {
			obj[col.Name] = vals[i]
		}
		if n > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		n++
		return enc.Encode(obj)
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "]\n")
	return err
}

func (c *Catalog) writeParquet(ctx context.Context, w io.Writer, d *Dataset) error {
	return c.deps.Query.Arrow(ctx, c.download(d), func(rdr array.RecordReader) error {
		props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd))
		fw, err := pqarrow.NewFileWriter(rdr.Schema(), w, props, pqarrow.DefaultWriterProps())
		if err != nil {
			return fmt.Errorf("writing parquet of %s: %w", d.Name, err)
		}
		for rdr.Next() {
			if err := fw.WriteBuffered(rdr.RecordBatch()); err != nil {
				fw.Close()
				return fmt.Errorf("writing parquet of %s: %w", d.Name, err)
			}
		}
		if err := rdr.Err(); err != nil {
			fw.Close()
			return err
		}
		return fw.Close()
	})
}
