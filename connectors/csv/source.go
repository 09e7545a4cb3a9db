package csv

import (
	"context"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/report"
	"github.com/sonla-data/kho/internal/nfc"
	"github.com/sonla-data/kho/internal/vnenc"
)

// Source streams the rows of the configured files. The first file with a
// header fixes the columns; a later file may order them differently or lack
// some (they are null), but a column the first file does not have is an error.
type Source struct {
	cfg     *Config
	log     *slog.Logger
	rows    int
	files   []string
	next    int // index of the next file to open
	cur     *file
	mapping []int // column of cur -> output column
	columns []string
	first   string // the file that fixed the columns
	tb      *connectors.TextBatcher

	vals    []*string
	strs    []string
	records int // records read from the files (data rows in)
	skipped int // records left out: every field empty, repeated headers, totals, signatures

	state  *connectors.State
	hashes map[string]string // files read to their end or passed over as unchanged

	started bool                  // Next was called
	digest  connectors.FileDigest // an unchanged rerun's digest (DigestRaw)
}

var _ connectors.Source = (*Source)(nil)

func newSource(ctx context.Context, c *Config, env connectors.Env, files []string) (*Source, error) {
	s := &Source{cfg: c, log: env.Log(), rows: env.Rows(), files: files, state: env.State, hashes: map[string]string{}}
	// Open files until one has a header (or a first record): it fixes the columns.
	for s.next < len(files) && s.columns == nil {
		if err := ctx.Err(); err != nil {
			s.Close()
			return nil, err
		}
		if err := s.openNext(); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.tb = connectors.NewTextBatcher(env.Allocator(), s.columns)
	s.vals = make([]*string, len(s.columns))
	s.strs = make([]string, len(s.columns))
	return s, nil
}

// openNext closes the current file and opens the next one. A file whose
// content was loaded before (same SHA-256 in the stored state) is passed
// over; its header is still read when no file has fixed the columns yet.
func (s *Source) openNext() error {
	s.closeFile()
	path := s.files[s.next]
	s.next++
	// Without a state no file is passed over: its hash is taken while it
	// is read (file.sum), not in a read of its own before.
	var hash string
	var unchanged bool
	if s.state != nil {
		var err error
		if hash, unchanged, err = connectors.CheckFile(path, s.state, s.log); err != nil {
			return err
		}
	}
	if unchanged && s.columns != nil {
		s.hashes[path] = hash
		return nil
	}
	fl, err := openFile(path, s.cfg, s.log, hash)
	if err != nil {
		return err
	}
	if unchanged {
		s.hashes[path] = hash
		if fl.header != nil {
			s.columns, s.first = fl.header, path
		}
		fl.close()
		return nil
	}
	if fl.header == nil {
		s.log.Info("csv: empty file", "file", path)
		s.digested(fl) // read to its end
		fl.close()
		return nil
	}
	if s.columns == nil {
		s.columns, s.first = fl.header, path
	}
	m, err := s.mapColumns(fl)
	if err != nil {
		fl.close()
		return err
	}
	s.cur, s.mapping = fl, m
	return nil
}

// mapColumns maps a file's columns onto the output columns by name (by
// position for files without a header).
func (s *Source) mapColumns(fl *file) ([]int, error) {
	m := make([]int, len(fl.header))
	if !s.cfg.Header {
		if len(fl.header) > len(s.columns) {
			return nil, fmt.Errorf("reading %s: %d fields on its first line, but %s, the first file, which fixes the columns of source.path, has %d",
				fl.path, len(fl.header), s.first, len(s.columns))
		}
		for i := range m {
			m[i] = i
		}
		return m, nil
	}
	index := make(map[string]int, len(s.columns))
	for i, c := range s.columns {
		index[c] = i
	}
	var extra []string
	for i, h := range fl.header {
		j, ok := index[h]
		if !ok {
			extra = append(extra, fmt.Sprintf("%q", h))
		}
		m[i] = j
	}
	if len(extra) > 0 {
		return nil, fmt.Errorf("reading %s: column %s not in the header of %s, the first file, which fixes the columns of source.path",
			fl.path, strings.Join(extra, ", "), s.first)
	}
	return m, nil
}

// Schema returns the schema of every batch.
func (s *Source) Schema() *arrow.Schema { return s.tb.Schema() }

// Skipped returns how many records were left out: every field empty, the
// header repeated, total rows and the signature block.
func (s *Source) Skipped() int { return s.skipped }

// Files maps each file read to its end, or passed over as unchanged, to the
// SHA-256 of its content (connectors.State.Files).
func (s *Source) Files() map[string]string { return maps.Clone(s.hashes) }

// closeFile closes the current file; at its end, its hash is remembered.
func (s *Source) closeFile() {
	fl := s.cur
	if fl == nil {
		return
	}
	if fl.done {
		s.hashes[fl.path] = fl.sum()
		s.digested(fl)
		if fl.repeated > 0 || fl.leftOut > 0 {
			s.log.Info("csv: left out repeated headers, total and signature rows", "file", fl.path,
				"repeated_headers", fl.repeated, "totals_and_signature", fl.leftOut)
		}
		if fl.mixed != nil && fl.mixed.kept > 0 {
			s.log.Info("csv: kept lines that were already UTF-8 in a legacy-encoded file", "file", fl.path,
				"encoding", fl.enc.enc, "lines", fl.mixed.kept)
		}
	}
	fl.close()
	s.cur = nil
}

// Next returns the next batch of at most Env.Rows() rows, or io.EOF.
func (s *Source) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.tb == nil {
		return nil, errors.New("csv: Next after Close")
	}
	s.started = true
	for s.tb.Len() < s.rows {
		if s.tb.Len()%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if s.cur == nil {
			if s.next >= len(s.files) {
				break
			}
			if err := s.openNext(); err != nil {
				return nil, err
			}
			continue
		}
		rec, line, err := s.cur.read()
		if errors.Is(err, io.EOF) {
			s.cur.done = true
			s.closeFile()
			continue
		}
		var pe *stdcsv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return nil, fmt.Errorf("reading %s: %w", s.cur.path, err)
		}
		s.records++
		s.appendRecord(rec, line, pe)
	}
	if b := s.tb.Flush(); b != nil {
		return b, nil
	}
	return nil, io.EOF
}

var _ connectors.RawDigester = (*Source)(nil)

// digested adds a file read to its end to the digest.
func (s *Source) digested(fl *file) { s.digest.Done(fl.path, fl.sum()) }

// DigestRaw implements connectors.RawDigester for a whole reading (no
// incremental state, whose unchanged files are passed over): the digest is
// the configuration (it decides the parsing) and the list of files, then,
// as each file is read to its end, its path and the SHA-256 of its bytes.
func (s *Source) DigestRaw(h io.Writer) bool {
	if s.started || s.state != nil || s.digest.Started() {
		return false
	}
	s.digest.Start(h, "kho-csv-1", *s.cfg, s.files)
	return true
}

// DrainRaw implements connectors.RawDigester: the rest of the current file
// and the files not opened yet are hashed, not parsed. Their rows are not
// counted: it returns -1, and progress hears 0 rows after each file.
func (s *Source) DrainRaw(ctx context.Context, progress func(int64)) (int64, error) {
	if !s.digest.Started() || s.tb == nil {
		return 0, errors.New("csv: DrainRaw without DigestRaw, or after Close")
	}
	s.started = true
	if fl := s.cur; fl != nil {
		if _, err := io.Copy(io.Discard, fl.bytes); err != nil {
			return 0, fmt.Errorf("reading %s: %w", fl.path, err)
		}
		s.digested(fl)
		fl.close()
		s.cur = nil
		if progress != nil {
			progress(0)
		}
	}
	if err := s.digest.Rest(ctx, s.files[s.next:], progress); err != nil {
		return 0, err
	}
	s.next = len(s.files)
	return -1, nil
}

// appendRecord adds one record as a row, a bad row when it could not be read
// as it should. Empty fields are nulls.
func (s *Source) appendRecord(rec []string, line int, pe *stdcsv.ParseError) {
	fl := s.cur
	if pe == nil && s.leaveOut(rec) {
		s.skipped++
		return
	}
	clear(s.vals)
	var reasons []string
	for i, v := range rec {
		if i >= len(s.mapping) || s.mapping[i] < 0 {
			continue
		}
		// Most fields (codes, numbers, dates) are plain ASCII: nothing to
		// clean, and each check below would be one more pass over them.
		plain := plainASCII(v)
		// Precomposed Vietnamese (nfc.Quick) is valid UTF-8 in NFC
		// without a byte-order mark: one pass instead of three.
		quick := plain || nfc.Quick(v)
		if !quick && strings.ContainsRune(v, '\ufeff') { // a byte-order mark inside the file (files pasted together)
			v = strings.ReplaceAll(v, "\ufeff", "")
		}
		if v == "" {
			continue
		}
		if !plain {
			if strings.IndexByte(v, 0) >= 0 {
				reasons = append(reasons, fmt.Sprintf("line %d column %d %q: NUL byte (binary data, or a file in another encoding?); removed from the value kept",
					line, i+1, fl.header[i]))
				v = strings.ReplaceAll(v, "\x00", "")
			}
			if !quick && !utf8.ValidString(v) {
				reasons = append(reasons, fmt.Sprintf("line %d column %d %q: invalid UTF-8 (set source.encoding if the file is not UTF-8)",
					line, i+1, fl.header[i]))
				v = strings.ToValidUTF8(v, "\uFFFD")
			}
			if !quick {
				v = norm.NFC.String(v)
			}
		}
		if s.cfg.RepairLegacy {
			v, _, _ = vnenc.RepairString(v)
		}
		j := s.mapping[i]
		s.strs[j] = v
		s.vals[j] = &s.strs[j]
	}
	switch {
	case pe != nil:
		col := len(rec) + 1
		name := ""
		if col <= len(fl.header) {
			name = fmt.Sprintf(" %q", fl.header[col-1])
		}
		r := fmt.Sprintf("line %d column %d%s: %v", pe.Line+fl.offset, col, name, pe.Err)
		if pe.Line != pe.StartLine {
			r += fmt.Sprintf(" (a quoted field opened on line %d ran on: lines %d-%d are this one bad row)", line, line, pe.Line+fl.offset)
		}
		reasons = append([]string{r}, reasons...)
	case len(rec) > len(fl.header) && allEmpty(rec[len(fl.header):]):
		// empty fields after the last column: a trailing delimiter
	case len(rec) != len(fl.header):
		r := fmt.Sprintf("line %d: %d fields, header has %d", line, len(rec), len(fl.header))
		if len(rec) > len(fl.header) {
			r += " (extra: " + quoteAll(rec[len(fl.header):], 200) + ")"
		}
		reasons = append([]string{r}, reasons...)
	}
	if len(reasons) > 0 {
		s.tb.AppendBad(s.vals, fl.path, int64(line), strings.Join(reasons, "; "))
		return
	}
	s.tb.Append(s.vals, fl.path, int64(line))
}

// leaveOut tells whether a record is not data, and counts why: every field
// empty (";;;;" under an Excel export, NUL padding), the header again (a
// page break of a printed report, files pasted together), or with
// skip_trailer a total row or the signature block (everything after it).
func (s *Source) leaveOut(rec []string) bool {
	fl := s.cur
	switch {
	case allEmpty(rec):
		return true
	case fl.trailer:
		fl.leftOut++
		return true
	case s.cfg.Header && report.IsRepeatedHeader(rec, fl.cells, connectors.CleanName):
		fl.repeated++
		return true
	case s.cfg.SkipTrailer && (report.IsTotal(rec) || report.IsSignature(rec)):
		fl.trailer = report.IsSignature(rec)
		fl.leftOut++
		return true
	}
	return false
}

func allEmpty(rec []string) bool {
	for _, v := range rec {
		if strings.Trim(v, " \t\r\n\x00\ufeff") != "" {
			return false
		}
	}
	return true
}

// quoteAll quotes values, cut to about max bytes.
func quoteAll(vals []string, max int) string {
	var sb strings.Builder
	for i, v := range vals {
		if sb.Len() > max {
			fmt.Fprintf(&sb, ", ... %d more", len(vals)-i)
			break
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "%q", strings.ToValidUTF8(v, "\uFFFD"))
	}
	return sb.String()
}

// Close closes the open file and frees the batch builder.
func (s *Source) Close() error {
	var err error
	if s.cur != nil {
		err = s.cur.f.Close()
		s.cur = nil
	}
	if s.tb != nil {
		s.tb.Release()
		s.tb = nil
	}
	s.next = len(s.files)
	return err
}

// plainASCII reports whether s is ASCII without NUL bytes.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c >= 0x80 {
			return false
		}
	}
	return true
}
