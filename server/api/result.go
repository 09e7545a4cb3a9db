package api

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sonla-data/kho/server/engine"
)

// Format is a result format.
type Format string

// The formats.
const (
	JSON    Format = "json"
	CSV     Format = "csv"
	Parquet Format = "parquet"
	Arrow   Format = "arrow"
)

var contentTypes = map[Format]string{
	JSON:    "application/json; charset=utf-8",
	CSV:     "text/csv; charset=utf-8",
	Parquet: "application/vnd.apache.parquet",
	Arrow:   "application/vnd.apache.arrow.stream",
}

// parseFormat reads a format name; "" takes the Accept header, then def.
func parseFormat(s string, r *http.Request, def Format) (Format, error) {
	if s == "" {
		for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
			mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
			for f, ct := range contentTypes {
				if ctm, _, _ := mime.ParseMediaType(ct); ctm == mt {
					return f, nil
				}
			}
		}
		return def, nil
	}
	switch f := Format(strings.ToLower(s)); f {
	case JSON, CSV, Parquet, Arrow:
		return f, nil
	}
	return "", &badRequest{vi: fmt.Sprintf("định dạng %q không có (json, csv, parquet, arrow)", s), en: fmt.Sprintf("unknown format %q (json, csv, parquet, arrow)", s)}
}

// writeOptions shape a response.
type writeOptions struct {
	BOM      bool   // CSV: start with a UTF-8 byte order mark (for Excel)
	Filename string // set: a download, Content-Disposition: attachment
}

// stream writes a result to an HTTP response, starting it only when the
// result is ready, so that errors before the first byte get their status.
type stream struct {
	w       http.ResponseWriter
	f       Format
	opt     writeOptions
	started bool
	bw      *bufio.Writer
}

func (s *stream) start(res *engine.Result) {
	h := s.w.Header()
	h.Set("Content-Type", contentTypes[s.f])
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if res.MaxRows() >= 0 {
		h.Set("X-Kho-Row-Limit", strconv.FormatInt(res.MaxRows(), 10))
	}
	if s.opt.Filename != "" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": s.opt.Filename}))
	}
	h.Set("Trailer", "X-Kho-Rows, X-Kho-Truncated")
	s.w.WriteHeader(http.StatusOK)
	s.started = true
	s.bw = bufio.NewWriterSize(s.w, 64<<10)
}

func (s *stream) finish(res *engine.Result) error {
	if err := s.bw.Flush(); err != nil {
		return err
	}
	s.w.Header().Set("X-Kho-Rows", strconv.FormatInt(res.Rows(), 10))
	s.w.Header().Set("X-Kho-Truncated", strconv.FormatBool(res.Truncated()))
	return nil
}

// flush sends what is buffered to the client now and then.
func (s *stream) flush() error {
	if err := s.bw.Flush(); err != nil {
		return err
	}
	if f, ok := s.w.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}

// write runs through res in the stream's format.
func (s *stream) write(res *engine.Result) error {
	switch s.f {
	case JSON:
		return s.json(res)
	case CSV:
		return s.csv(res)
	default:
		return s.arrow(res)
	}
}

// maxKeptJSON bounds a JSON body kept beside its answer in the result
// cache (the cache's own entry limit applies too).
const maxKeptJSON = 8 << 20

func (s *stream) json(res *engine.Result) error {
	// An answer from the result cache that was sent before: its body.
	if body, ok := res.Encoded("json"); ok {
		s.start(res)
		if _, err := s.bw.Write(body); err != nil {
			return err
		}
		return s.finish(res)
	}
	var kept []byte // the body, to keep beside a cacheable answer
	keep := res.Cacheable()
	var cols []engine.ResultColumn
	var keys [][]byte
	buf := make([]byte, 0, 1024)
	var n int64
	err := res.Scan(func(c []engine.ResultColumn) error {
		cols = c
		keys = make([][]byte, len(c))
		for i, col := range c {
			keys[i] = append(appendJSONString(nil, col.Name), ':')
		}
		s.start(res)
		_, err := s.bw.WriteString("[")
		return err
	}, func(vals []any) error {
		buf = buf[:0]
		if n > 0 {
			buf = append(buf, ",\n"...)
		}
		buf = append(buf, '{')
		for i, v := range vals {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, keys[i]...)
			buf = appendJSON(buf, v, cols[i].Type)
		}
		buf = append(buf, '}')
		n++
		if keep {
			if len(kept)+len(buf) > maxKeptJSON {
				keep, kept = false, nil
			} else {
				kept = append(kept, buf...)
			}
		}
		if _, err := s.bw.Write(buf); err != nil {
			return err
		}
		if n%2000 == 0 {
			return s.flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := s.bw.WriteString("]\n"); err != nil {
		return err
	}
	if keep {
		res.KeepEncoded("json", append(append([]byte("["), kept...), "]\n"...))
	}
	return s.finish(res)
}

func (s *stream) csv(res *engine.Result) error {
	var cw *csv.Writer
	var cols []engine.ResultColumn
	var rec []string
	var n int64
	err := res.Scan(func(c []engine.ResultColumn) error {
		cols = c
		s.start(res)
		if s.opt.BOM {
			if _, err := s.bw.WriteString("\uFEFF"); err != nil {
				return err
			}
		}
		cw = csv.NewWriter(s.bw)
		rec = make([]string, len(c))
		for i, col := range c {
			rec[i] = col.Name
		}
		return cw.Write(rec)
	}, func(vals []any) error {
		for i, v := range vals {
			rec[i] = text(v, cols[i].Type)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
		n++
		if n%5000 == 0 {
			cw.Flush()
			return s.flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return s.finish(res)
}

// arrow streams Arrow IPC or Parquet from DuckDB's Arrow batches. Parquet is
// written with pqarrow as the batches come: row groups of up to 64k rows are
// buffered, then flushed to the response; the footer ends the stream.
func (s *stream) arrow(res *engine.Result) error {
	return res.Arrow(func(rdr array.RecordReader) error {
		s.start(res)
		switch s.f {
		case Arrow:
			w := ipc.NewWriter(s.bw, ipc.WithSchema(rdr.Schema()))
			for rdr.Next() {
				if err := w.Write(rdr.RecordBatch()); err != nil {
					return err
				}
				if err := s.flush(); err != nil {
					return err
				}
			}
			if err := rdr.Err(); err != nil {
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
		default:
			props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithMaxRowGroupLength(64<<10))
			fw, err := pqarrow.NewFileWriter(rdr.Schema(), s.bw, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
			if err != nil {
				return fmt.Errorf("starting the Parquet writer: %w", err)
			}
			for rdr.Next() {
				if err := fw.WriteBuffered(rdr.RecordBatch()); err != nil {
					return err
				}
				if err := s.flush(); err != nil {
					return err
				}
			}
			if err := rdr.Err(); err != nil {
				return err
			}
			if err := fw.Close(); err != nil {
				return err
			}
		}
		return s.finish(res)
	})
}

// respond runs q and streams its result; an error after the response
// started aborts it.
func (a *API) respond(w http.ResponseWriter, r *http.Request, q engine.Query, f Format, opt writeOptions) {
	s := &stream{w: w, f: f, opt: opt}
	err := a.engine.Run(r.Context(), q, s.write)
	if err == nil {
		return
	}
	if !s.started {
		WriteError(w, err)
		return
	}
	a.log.Warn("result stream aborted", "who", q.Principal.Who(), "err", err)
	panic(http.ErrAbortHandler)
}
