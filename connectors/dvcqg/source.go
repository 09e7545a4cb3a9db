package dvcqg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sonla-data/kho/connectors"
)

// Source streams one record kind from the matching files. Besides
// connectors.Source it reports the incremental watermark (Watermark) and the
// content hash of every file read (Files) once the stream is done.
type Source struct {
	kind  recordKind
	env   connectors.Env
	files []string
	next  int       // index in files of the next file to open
	cur   *openFile // the file being read
	tb    *connectors.TextBatcher

	incCol  string
	since   time.Time // the stored watermark
	high    time.Time // highest date seen (or stored)
	hasHigh bool

	hashes  map[string]string
	pending error
	done    bool
	closed  bool
}

// openFile is a file being decoded.
type openFile struct {
	path     string
	hash     string
	f        *os.File
	d        *Decoder
	checked  bool // the request's service has been checked
	elements int  // data elements taken from the file
	skipped  int  // elements skipped as not newer than the watermark
}

var _ connectors.Source = (*Source)(nil)

// ict is Asia/Ho_Chi_Minh (UTC+7, no daylight saving time since 1975), fixed
// so that no tz database is needed.
var ict = time.FixedZone("ICT", 7*3600)

// dateLayout is the portal's date format.
const dateLayout = "20060102150405"

// Open lists the files and prepares the batches; files are opened one at a
// time as the stream goes.
func (c *Config) Open(ctx context.Context, env connectors.Env) (connectors.Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	kind, ok := records[c.Record]
	if !ok {
		return nil, fmt.Errorf("source.record: %q is not a record kind", c.Record)
	}
	files, err := listFiles(env.BaseDir, c.Path)
	if err != nil {
		return nil, fmt.Errorf("opening dvcqg source: %w", err)
	}
	if len(files) == 0 {
		env.Log().Warn("dvcqg: no file matches", "path", c.Path)
	}
	s := &Source{kind: kind, env: env, files: files, hashes: map[string]string{}}
	if inc := c.Incremental; inc != nil {
		s.incCol = inc.Column
		if st := env.State; st != nil && st.Watermark != "" {
			t, err := parseWatermark(st.Watermark)
			if err != nil {
				return nil, fmt.Errorf("opening dvcqg source: stored watermark: %w", err)
			}
			s.since, s.high, s.hasHigh = t, t, true
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
		s.pending, s.done = nil, true
		return nil, err
	}
	for !s.done && s.tb.Len() < s.env.Rows() {
		if err := ctx.Err(); err != nil {
			s.pending = err
			break
		}
		if err := s.step(); err != nil {
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
		s.pending, s.done = nil, true
		return nil, err
	}
	return nil, io.EOF
}

// step reads one element (or opens the next file, or finishes one).
func (s *Source) step() error {
	if s.cur == nil {
		if s.next >= len(s.files) {
			s.done = true
			return nil
		}
		path := s.files[s.next]
		s.next++
		return s.openFile(path)
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
		return fmt.Errorf("reading %s: %w", f.path, err)
	}
	f.elements++
	el := parseObject(raw, s.kind.what)
	if s.skip(el) {
		f.skipped++
		return nil
	}
	s.kind.rows(el, func(vals []*string, reason string) {
		if reason == "" {
			s.tb.Append(vals, f.path, int64(idx))
		} else {
			s.tb.AppendBad(vals, f.path, int64(idx), reason)
		}
	})
	return nil
}

// openFile hashes a file, skips it when it was loaded unchanged before, and
// otherwise starts decoding it.
func (s *Source) openFile(path string) error {
	hash, err := hashFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if st := s.env.State; st != nil && st.Files[path] == hash {
		s.env.Log().Info("dvcqg: skipping unchanged file", "path", path, "sha256", hash)
		s.hashes[path] = hash
		return nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	s.cur = &openFile{path: path, hash: hash, f: fh, d: NewDecoder(fh)}
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
		return fmt.Errorf("reading %s: unknown service %q (expected %s or %s)", f.path, svc, ServiceDossiers, ServiceProgress)
	case f.elements > 0:
		return fmt.Errorf("reading %s: the request is %s, which this source's record kind does not read", f.path, svc)
	}
	s.env.Log().Info("dvcqg: skipping a request of another service", "path", f.path,
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

// finishFile records the hash of a file read to its end.
func (s *Source) finishFile() {
	f := s.cur
	if !f.d.HasData() {
		s.env.Log().Warn("dvcqg: request without data", "path", f.path)
	}
	s.env.Log().Info("dvcqg: read file", "path", f.path, "elements", f.elements, "skipped_not_newer", f.skipped)
	s.hashes[f.path] = f.hash
	s.closeFile()
}

func (s *Source) closeFile() {
	if s.cur != nil {
		s.cur.f.Close()
		s.cur = nil
	}
}

// Watermark is the highest date of the incremental field seen, or the stored
// watermark when none was newer, as RFC 3339 in +07:00; "" without
// incremental or any date.
func (s *Source) Watermark() string {
	if !s.hasHigh {
		return ""
	}
	return s.high.In(ict).Format(time.RFC3339)
}

// Files maps each file read to its end (or skipped as unchanged) to the
// SHA-256 of its content.
func (s *Source) Files() map[string]string { return maps.Clone(s.hashes) }

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
