package dvcqg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sonla-data/kho/connectors"
)

// Source streams one record kind from the matching files, or from the pages
// of an endpoint. Besides connectors.Source it reports the incremental
// watermark (Watermark) and the content hash of every file read (Files) once
// the stream is done.
type Source struct {
	kind recordKind
	env  connectors.Env
	feed feeder  // the files or the pages, one stream at a time
	cur  *stream // the stream being read
	tb   *connectors.TextBatcher

	incCol  string
	since   time.Time // the stored watermark
	high    time.Time // highest date seen (or stored)
	hasHigh bool

	pending error
	done    bool
	failed  bool // the stream ended with an error
	closed  bool
}

// stream is one sync request being decoded: a file, or a page of an endpoint.
type stream struct {
	name     string // the file path or the request URL: _kho_file of its rows
	what     string // how messages name it: the path, or "URL (page N)"
	body     io.Closer
	d        *Decoder
	strict   bool // a request of another service is an error, not skipped
	checked  bool // the request's service has been checked
	elements int  // data elements taken from the stream
	skipped  int  // elements skipped as not newer than the watermark
}

// feeder hands out the streams of a source one after another.
type feeder interface {
	// next opens the next stream; nil when there is none left.
	next(ctx context.Context) (*stream, error)
	// finished is told that a stream was read to its end.
	finished(st *stream)
	// watermark is the state to store after the whole source was read
	// ("" to keep the elements' highest date).
	watermark() string
	files() map[string]string
}

var _ connectors.Source = (*Source)(nil)

// ict is Asia/Ho_Chi_Minh (UTC+7, no daylight saving time since 1975), fixed
// so that no tz database is needed.
var ict = time.FixedZone("ICT", 7*3600)

// dateLayout is the portal's date format.
const dateLayout = "20060102150405"

// Open lists the files (or prepares the endpoint's pages) and the batches;
// files and pages are opened one at a time as the stream goes.
func (c *Config) Open(ctx context.Context, env connectors.Env) (connectors.Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	kind := records[c.Record]
	s := &Source{kind: kind, env: env}
	var stored time.Time
	if st := env.State; st != nil && st.Watermark != "" {
		t, err := parseWatermark(st.Watermark)
		if err != nil {
			return nil, fmt.Errorf("opening dvcqg source: stored watermark: %w", err)
		}
		stored = t
	}
	if c.URL != "" {
		feed, err := newPages(c, env, stored)
		if err != nil {
			return nil, err
		}
		s.feed = feed
	} else {
		files, err := connectors.ResolveFiles(env.BaseDir, c.Path, env.Log())
		if err != nil {
			return nil, fmt.Errorf("opening dvcqg source: %w", err)
		}
		if len(files) == 0 {
			env.Log().Warn("dvcqg: no file matches", "path", c.Path)
		}
		s.feed = &fileFeed{paths: files, env: env, hashes: map[string]string{}}
		if inc := c.Incremental; inc != nil {
			s.incCol = inc.Column
			if !stored.IsZero() {
				s.since, s.high, s.hasHigh = stored, stored, true
			}
		}
	}
	s.tb = connectors.NewTextBatcher(env.Allocator(), kind.columns)
	return s, nil
}

// parseWatermark reads a watermark as RFC 3339 or as yyyyMMddHHmmss (ICT).
func parseWatermark(w string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, w); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(dateLayout, w, ict); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor yyyyMMddHHmmss", w)
}

// Schema is the record's text columns, then _kho_file, _kho_row, _kho_error.
func (s *Source) Schema() *arrow.Schema { return s.tb.Schema() }

// Next returns about Env.Rows() rows (a dossier's child rows are never split
// from each other), or io.EOF.
func (s *Source) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.closed {
		return nil, errors.New("dvcqg source: Next after Close")
	}
	if s.pending != nil {
		err := s.pending
		s.pending, s.done, s.failed = nil, true, true
		return nil, err
	}
	for !s.done && s.tb.Len() < s.env.Rows() {
		if err := ctx.Err(); err != nil {
			s.pending = err
			break
		}
		if err := s.step(ctx); err != nil {
			s.closeFile()
			s.pending = err
			break
		}
	}
	if rec := s.tb.Flush(); rec != nil {
		return rec, nil
	}
	if s.pending != nil {
		err := s.pending
		s.pending, s.done, s.failed = nil, true, true
		return nil, err
	}
	return nil, io.EOF
}

// step reads one element (or opens the next stream, or finishes one).
func (s *Source) step(ctx context.Context) error {
	if s.cur == nil {
		st, err := s.feed.next(ctx)
		if err != nil {
			return err
		}
		if st == nil {
			s.done = true
			return nil
		}
		s.cur = st
		return nil
	}
	f := s.cur
	raw, idx, err := f.d.Next()
	if err := s.checkService(); err != nil {
		return err
	}
	if s.cur == nil { // skipped: the request is of another service
		return nil
	}
	if errors.Is(err, io.EOF) {
		s.finishFile()
		return nil
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("reading %s: %w", f.what, err)
	}
	f.elements++
	el := parseObject(raw, s.kind.what)
	if s.skip(el) {
		f.skipped++
		return nil
	}
	s.kind.rows(el, func(vals []*string, reason string) {
		if reason == "" {
			s.tb.Append(vals, f.name, int64(idx))
		} else {
			s.tb.AppendBad(vals, f.name, int64(idx), reason)
		}
	})
	return nil
}

// checkService compares the request's service, once known, with the record
// kind. A request of the other known service is skipped when seen before its
// data; an unknown service is an error.
func (s *Source) checkService() error {
	f := s.cur
	svc := f.d.Service()
	if f.checked || svc == "" {
		return nil
	}
	f.checked = true
	switch {
	case svc == s.kind.service:
		return nil
	case svc != ServiceDossiers && svc != ServiceProgress:
		return fmt.Errorf("reading %s: unknown service %q (expected %s or %s)", f.what, svc, ServiceDossiers, ServiceProgress)
	case f.elements > 0 || f.strict:
		return fmt.Errorf("reading %s: the request is %s, which this source's record kind (%s) does not read", f.what, svc, s.kind.service)
	}
	s.env.Log().Info("dvcqg: skipping a request of another service", "path", f.name,
		"service", svc, "reads", s.kind.service)
	s.closeFile()
	return nil
}

// skip tells whether an element is not newer than the watermark, and keeps
// the highest date seen. An element without a readable date is kept.
func (s *Source) skip(el element) bool {
	if s.incCol == "" {
		return false
	}
	v, ok := field(el, s.incCol)
	if !ok {
		return false
	}
	t, err := time.ParseInLocation(dateLayout, v, ict)
	if err != nil {
		return false
	}
	if !s.since.IsZero() && !t.After(s.since) {
		return true
	}
	if !s.hasHigh || t.After(s.high) {
		s.high, s.hasHigh = t, true
	}
	return false
}

// finishFile tells the feeder that a stream was read to its end.
func (s *Source) finishFile() {
	f := s.cur
	if !f.d.HasData() {
		s.env.Log().Warn("dvcqg: request without data", "path", f.name)
	}
	s.feed.finished(f)
	s.closeFile()
}

func (s *Source) closeFile() {
	if s.cur != nil {
		s.cur.body.Close()
		s.cur = nil
	}
}

// Watermark is, for files, the highest date of the incremental field seen,
// or the stored watermark when none was newer; for an endpoint, the end of
// the window asked (denNgay) once every page was read. RFC 3339 in +07:00;
// "" when there is none.
func (s *Source) Watermark() string {
	if w := s.feed.watermark(); w != "" || s.incCol == "" {
		if !s.done || s.failed || s.pending != nil {
			return ""
		}
		return w
	}
	if !s.hasHigh {
		return ""
	}
	return s.high.In(ict).Format(time.RFC3339)
}

// Files maps each file read to its end (or skipped as unchanged) to the
// SHA-256 of its content.
func (s *Source) Files() map[string]string { return maps.Clone(s.feed.files()) }

// Close closes the open file and frees the batches' builder.
func (s *Source) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.closeFile()
	s.tb.Release()
	return nil
}
