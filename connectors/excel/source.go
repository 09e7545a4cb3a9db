package excel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/report"
)

// Source streams the rows of the selected sheets of the configured
// workbooks. The first sheet with a header fixes the columns; a later sheet
// may order them differently or lack some (they are null), but a column the
// first sheet does not have is an error naming the file and the sheet.
type Source struct {
	cfg   *Config
	log   *slog.Logger
	rows  int
	files []string

	nextFile int
	wb       *workbook
	sheets   []sheetRef
	cur      *sheetState

	columns []string
	first   string
	tb      *connectors.TextBatcher
	vals    []*string
	strs    []string
	skipped int

	state  *connectors.State
	hashes map[string]string // workbooks read to their end or passed over as unchanged
	hash   string            // hash of the open workbook
	// headerOnly: the open workbook is unchanged since the last load and is
	// open only for the header that fixes the columns.
	headerOnly bool

	started bool                  // Next was called
	digest  connectors.FileDigest // an unchanged rerun's digest (DigestRaw)
}

// sheetState is the sheet being read.
type sheetState struct {
	sr      *sheetReader
	label   string // path#sheet, the _kho_file of its rows
	sheet   string
	header  []string
	mapping []int // column of the sheet -> output column
	pending []row // rows read ahead while looking for the header
	trailer bool  // in the signature block: every row from here on is left out
	skipped int
	// offset is the column where the table starts (a table at column C has 2).
	offset int
	// top and sub are the cleaned header rows, to recognise them repeated.
	top, sub []string
	// first: no data row read yet (a row of column numbers may follow the header)
	first bool
}

var _ connectors.Source = (*Source)(nil)

func newSource(ctx context.Context, c *Config, env connectors.Env, files []string) (*Source, error) {
	s := &Source{cfg: c, log: env.Log(), rows: env.Rows(), files: files, state: env.State, hashes: map[string]string{}}
	for s.columns == nil {
		if err := ctx.Err(); err != nil {
			s.Close()
			return nil, err
		}
		ok, err := s.nextSheet()
		if err != nil {
			s.Close()
			return nil, err
		}
		if !ok {
			break // no sheet with a cell: no columns, no rows
		}
	}
	s.tb = connectors.NewTextBatcher(env.Allocator(), s.columns)
	s.vals = make([]*string, len(s.columns))
	s.strs = make([]string, len(s.columns))
	return s, nil
}

// nextSheet closes the current sheet and opens the next one with a header,
// opening the next workbook when one is done. It returns false when there is
// no sheet left.
func (s *Source) nextSheet() (bool, error) {
	s.closeSheet()
	for {
		for len(s.sheets) == 0 {
			s.closeWorkbook(true)
			if s.nextFile >= len(s.files) {
				return false, nil
			}
			path := s.files[s.nextFile]
			s.nextFile++
			// Without a state no workbook is passed over: its hash is taken
			// as it is opened (openWorkbook), not in a read of its own before.
			var hash string
			var unchanged bool
			if s.state != nil {
				var err error
				if hash, unchanged, err = connectors.CheckFile(path, s.state, s.log); err != nil {
					return false, err
				}
			}
			if unchanged && s.columns != nil {
				s.hashes[path] = hash
				continue
			}
			if err := s.openFile(path, hash); err != nil {
				return false, err
			}
			s.hash, s.headerOnly = s.wb.sum, unchanged
		}
		ref := s.sheets[0]
		s.sheets = s.sheets[1:]
		st, err := s.openSheet(ref)
		if err != nil {
			return false, err
		}
		if st != nil && s.headerOnly {
			// the columns are fixed: the unchanged workbook is done
			st.sr.close()
			s.sheets = nil
			continue
		}
		if st != nil {
			s.cur = st
			return true, nil
		}
	}
}

// closeWorkbook closes the open workbook; done says it was read to its end
// (or passed over), so that its hash is remembered.
func (s *Source) closeWorkbook(done bool) error {
	if s.wb == nil {
		return nil
	}
	if done {
		s.hashes[s.wb.path] = s.hash
		s.digest.Done(s.wb.path, s.wb.sum)
	}
	err := s.wb.close()
	s.wb, s.headerOnly = nil, false
	return err
}

func (s *Source) openFile(path, hash string) error {
	wb, err := openWorkbook(path, hash)
	if err != nil {
		return err
	}
	s.wb = wb
	if len(s.cfg.Sheets) == 0 {
		s.sheets = nil
		for _, ref := range wb.sheets {
			if ref.hidden {
				s.log.Info("excel: leaving out a hidden sheet (name it in source.sheets to read it)", "file", path, "sheet", ref.name)
				continue
			}
			s.sheets = append(s.sheets, ref)
		}
		return nil
	}
	s.sheets = nil
	for _, name := range s.cfg.Sheets {
		ref, ok := wb.sheet(name)
		if !ok {
			var have []string
			for _, r := range wb.sheets {
				have = append(have, fmt.Sprintf("%q", r.name))
			}
			return fmt.Errorf("source.sheets: %s has no sheet %q (it has %s)", path, name, strings.Join(have, ", "))
		}
		s.sheets = append(s.sheets, ref)
	}
	return nil
}

// openSheet starts reading a sheet and reads its header; it returns nil for
// a sheet without a cell.
func (s *Source) openSheet(ref sheetRef) (*sheetState, error) {
	sr, err := s.wb.openSheet(ref, s.cfg.RepairLegacy)
	if err != nil {
		return nil, err
	}
	st := &sheetState{sr: sr, label: s.wb.path + "#" + ref.name, sheet: ref.name}
	if err := s.readHeader(st); err != nil {
		sr.close()
		return nil, err
	}
	if st.header == nil {
		s.log.Info("excel: empty sheet", "file", s.wb.path, "sheet", ref.name)
		sr.close()
		return nil, nil
	}
	if s.columns == nil {
		s.columns, s.first = st.header, st.label
	}
	if err := s.mapColumns(st); err != nil {
		sr.close()
		return nil, err
	}
	return st, nil
}

// readHeader reads the sheet up to its header (header_row, or the automatic
// search in the first 30 rows with a cell) and keeps the rows read past it.
func (s *Source) readHeader(st *sheetState) error {
	var head []row
	for len(head) < maxHeaderSearch+1 {
		r, err := st.sr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", st.label, err)
		}
		if s.cfg.HeaderRow > 0 {
			if r.num < s.cfg.HeaderRow {
				continue
			}
			if r.num > s.cfg.HeaderRow || r.nonEmpty() == 0 {
				return fmt.Errorf("reading %s: source.header_row %d is empty", st.label, s.cfg.HeaderRow)
			}
			head = append(head, r)
			if next, err := st.sr.next(); err == nil {
				head = append(head, next)
			} else if !errors.Is(err, io.EOF) {
				return fmt.Errorf("reading %s: %w", st.label, err)
			}
			break
		}
		if r.nonEmpty() > 0 {
			head = append(head, r)
		}
	}
	if len(head) == 0 {
		if s.cfg.HeaderRow > 0 {
			return fmt.Errorf("reading %s: source.header_row %d is empty", st.label, s.cfg.HeaderRow)
		}
		return nil
	}
	h := 0
	if s.cfg.HeaderRow == 0 {
		search := head[:min(len(head), maxHeaderSearch)]
		if h = findHeader(search); h < 0 {
			return nil
		}
	}
	top, rest := head[h], head[h+1:]
	var sub *row
	if len(rest) > 0 && isSubHeader(top, rest[0]) {
		sub, rest = &rest[0], rest[1:]
	}
	if sub == nil && len(rest) == 0 && top.nonEmpty() == 1 {
		s.log.Info("excel: sheet has a title and no table", "file", s.wb.path, "sheet", st.sheet, "row", top.num)
		return nil
	}
	cells := headerCells(top, sub)
	st.offset = leadingEmpty(cells)
	st.header = columnNames(cells[st.offset:])
	st.top = cleanCells(top, st.offset)
	if sub != nil {
		st.sub = cleanCells(*sub, st.offset)
	}
	st.pending, st.first = rest, true
	at := fmt.Sprintf("row %d", top.num)
	if sub != nil {
		at = fmt.Sprintf("rows %d-%d", top.num, sub.num)
	}
	if st.offset > 0 {
		at += fmt.Sprintf(", from column %s", colName(st.offset))
	}
	s.log.Info("excel: header", "file", s.wb.path, "sheet", st.sheet, "at", at, "columns", len(st.header))
	return nil
}

// mapColumns maps a sheet's columns onto the output columns by name.
func (s *Source) mapColumns(st *sheetState) error {
	index := make(map[string]int, len(s.columns))
	for i, c := range s.columns {
		index[c] = i
	}
	st.mapping = make([]int, len(st.header))
	var extra []string
	for i, h := range st.header {
		j, ok := index[h]
		if !ok {
			extra = append(extra, fmt.Sprintf("%q", h))
		}
		st.mapping[i] = j
	}
	if len(extra) > 0 {
		return fmt.Errorf("reading %s: column %s not in the header of %s, the first sheet, which fixes the columns of source.path",
			st.label, strings.Join(extra, ", "), s.first)
	}
	return nil
}

func (s *Source) closeSheet() {
	if s.cur == nil {
		return
	}
	if s.cur.skipped > 0 {
		s.log.Info("excel: left out rows that are not data (totals, signature block, repeated headers, column numbers)",
			"file", s.wb.path, "sheet", s.cur.sheet, "rows", s.cur.skipped)
	}
	s.cur.sr.close()
	s.cur = nil
}

// Schema returns the schema of every batch.
func (s *Source) Schema() *arrow.Schema { return s.tb.Schema() }

// Skipped returns how many rows were left out as not data: total rows, the
// signature block, repeated header rows and rows of column numbers.
func (s *Source) Skipped() int { return s.skipped }

// Files maps each workbook read to its end, or passed over as unchanged, to
// the SHA-256 of its content (connectors.State.Files).
func (s *Source) Files() map[string]string { return maps.Clone(s.hashes) }

// Next returns the next batch of at most Env.Rows() rows, or io.EOF.
func (s *Source) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.tb == nil {
		return nil, errors.New("excel: Next after Close")
	}
	s.started = true
	for s.tb.Len() < s.rows {
		if s.tb.Len()%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if s.cur == nil {
			ok, err := s.nextSheet()
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			continue
		}
		r, err := s.nextRow()
		if errors.Is(err, io.EOF) {
			s.closeSheet()
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", s.cur.label, err)
		}
		s.appendRow(r)
	}
	if b := s.tb.Flush(); b != nil {
		return b, nil
	}
	return nil, io.EOF
}

func (s *Source) nextRow() (row, error) {
	st := s.cur
	if len(st.pending) > 0 {
		r := st.pending[0]
		st.pending = st.pending[1:]
		return r, nil
	}
	return st.sr.next()
}

// appendRow adds a data row; empty rows are passed over, total rows and the
// signature block are left out and counted. A cell right of the header's last
// column makes the row bad rather than lost.
func (s *Source) appendRow(r row) {
	st := s.cur
	if r.nonEmpty() == 0 {
		return
	}
	first := st.first
	st.first = false
	if s.leaveOut(r, first) {
		st.skipped++
		s.skipped++
		return
	}
	clear(s.vals)
	var outside []string
	for i, c := range r.cells {
		if c == "" {
			continue
		}
		k := i - st.offset
		if k < 0 || k >= len(st.mapping) {
			outside = append(outside, fmt.Sprintf("%s %q", cellName(i, r.num), c))
			continue
		}
		j := st.mapping[k]
		s.strs[j] = c
		s.vals[j] = &s.strs[j]
	}
	var reasons []string
	if len(outside) > 0 {
		reasons = append(reasons, fmt.Sprintf("row %d: %s outside the table (columns %s to %s)", r.num, strings.Join(outside, ", "),
			colName(st.offset), colName(st.offset+len(st.header)-1)))
	}
	reasons = append(reasons, r.problems...)
	if len(reasons) > 0 {
		s.tb.AppendBad(s.vals, st.label, int64(r.num), strings.Join(reasons, "; "))
		return
	}
	s.tb.Append(s.vals, st.label, int64(r.num))
}

// leaveOut tells whether a row is not data: the header repeated (a page
// break of a printed report), the row of column numbers right under the
// header, and with skip_trailer a total row or anything from the signature
// block on.
func (s *Source) leaveOut(r row, first bool) bool {
	st := s.cur
	cells := r.cells[min(st.offset, len(r.cells)):]
	switch {
	case report.IsRepeatedHeader(cells, st.top, cleanName):
		return true
	case st.sub != nil && report.IsRepeatedHeader(cells, st.sub, cleanName):
		return true
	case first && report.IsColumnNumbers(cells):
		return true
	case !s.cfg.SkipTrailer:
		return false
	case st.trailer || isSignature(r):
		st.trailer = true
		return true
	}
	return isTotal(r)
}

var _ connectors.RawDigester = (*Source)(nil)

// DigestRaw implements connectors.RawDigester for a whole reading (no
// incremental state, whose unchanged workbooks are passed over): the
// digest is the configuration (it decides the sheets and the parsing) and
// the list of files, then, as each workbook is read to its end, its path
// and the SHA-256 of the file its parts were read from.
func (s *Source) DigestRaw(h io.Writer) bool {
	if s.started || s.state != nil || s.digest.Started() {
		return false
	}
	s.digest.Start(h, "kho-xlsx-1", *s.cfg, s.files)
	return true
}

// DrainRaw implements connectors.RawDigester: the open workbook (already
// hashed when it was opened) and the files not opened yet are hashed, not
// parsed. Their rows are not counted: it returns -1, and progress hears 0
// rows after each file.
func (s *Source) DrainRaw(ctx context.Context, progress func(int64)) (int64, error) {
	if !s.digest.Started() || s.tb == nil {
		return 0, errors.New("excel: DrainRaw without DigestRaw, or after Close")
	}
	s.started = true
	if s.cur != nil {
		s.cur.sr.close()
		s.cur = nil
	}
	if s.wb != nil {
		s.sheets = nil
		if err := s.closeWorkbook(true); err != nil {
			return 0, err
		}
		if progress != nil {
			progress(0)
		}
	}
	if err := s.digest.Rest(ctx, s.files[s.nextFile:], progress); err != nil {
		return 0, err
	}
	s.nextFile = len(s.files)
	return -1, nil
}

// Close closes the open workbook and frees the batch builder.
func (s *Source) Close() error {
	if s.cur != nil {
		s.cur.sr.close()
		s.cur = nil
	}
	err := s.closeWorkbook(false)
	if s.tb != nil {
		s.tb.Release()
		s.tb = nil
	}
	s.sheets, s.nextFile = nil, len(s.files)
	return err
}
