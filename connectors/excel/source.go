package excel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sonla-data/kho/connectors"
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
}

var _ connectors.Source = (*Source)(nil)

func newSource(ctx context.Context, c *Config, env connectors.Env, files []string) (*Source, error) {
	s := &Source{cfg: c, log: env.Log(), rows: env.Rows(), files: files}
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
			if s.wb != nil {
				s.wb.close()
				s.wb = nil
			}
			if s.nextFile >= len(s.files) {
				return false, nil
			}
			if err := s.openFile(s.files[s.nextFile]); err != nil {
				return false, err
			}
			s.nextFile++
		}
		ref := s.sheets[0]
		s.sheets = s.sheets[1:]
		st, err := s.openSheet(ref)
		if err != nil {
			return false, err
		}
		if st != nil {
			s.cur = st
			return true, nil
		}
	}
}

func (s *Source) openFile(path string) error {
	wb, err := openWorkbook(path)
	if err != nil {
		return err
	}
	s.wb = wb
	if len(s.cfg.Sheets) == 0 {
		s.sheets = append([]sheetRef(nil), wb.sheets...)
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
	st.header = columnNames(headerCells(top, sub))
	st.pending = rest
	at := fmt.Sprintf("row %d", top.num)
	if sub != nil {
		at = fmt.Sprintf("rows %d-%d", top.num, sub.num)
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
		s.log.Info("excel: left out total and signature rows", "file", s.wb.path, "sheet", s.cur.sheet, "rows", s.cur.skipped)
	}
	s.cur.sr.close()
	s.cur = nil
}

// Schema returns the schema of every batch.
func (s *Source) Schema() *arrow.Schema { return s.tb.Schema() }

// Skipped returns how many total rows and signature-block rows were left out.
func (s *Source) Skipped() int { return s.skipped }

// Next returns the next batch of at most Env.Rows() rows, or io.EOF.
func (s *Source) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.tb == nil {
		return nil, errors.New("excel: Next after Close")
	}
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
	if s.cfg.SkipTrailer {
		if st.trailer || isSignature(r) || isTotal(r) {
			st.trailer = st.trailer || isSignature(r)
			st.skipped++
			s.skipped++
			return
		}
	}
	clear(s.vals)
	var outside []string
	for i, c := range r.cells {
		if c == "" {
			continue
		}
		if i >= len(st.mapping) {
			outside = append(outside, fmt.Sprintf("%s %q", cellName(i, r.num), c))
			continue
		}
		j := st.mapping[i]
		s.strs[j] = c
		s.vals[j] = &s.strs[j]
	}
	if len(outside) > 0 {
		reason := fmt.Sprintf("row %d: %s outside the table (the header has %d columns)", r.num, strings.Join(outside, ", "), len(st.header))
		s.tb.AppendBad(s.vals, st.label, int64(r.num), reason)
		return
	}
	s.tb.Append(s.vals, st.label, int64(r.num))
}

// Close closes the open workbook and frees the batch builder.
func (s *Source) Close() error {
	if s.cur != nil {
		s.cur.sr.close()
		s.cur = nil
	}
	var err error
	if s.wb != nil {
		err = s.wb.close()
		s.wb = nil
	}
	if s.tb != nil {
		s.tb.Release()
		s.tb = nil
	}
	s.sheets, s.nextFile = nil, len(s.files)
	return err
}
