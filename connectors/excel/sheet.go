package excel

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/internal/vnenc"
)

// row is one row of a sheet: its 1-based number and its cell texts by
// 0-based column ("" for an empty cell).
type row struct {
	num   int
	cells []string
	// problems are cells that could not be read as they should (a formula
	// without its cached value): the row is bad, with these reasons.
	problems []string
}

// nonEmpty counts the cells with text.
func (r row) nonEmpty() int {
	n := 0
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

// sheetReader streams the rows of one worksheet part.
type sheetReader struct {
	wb     *workbook
	rc     io.ReadCloser
	dec    *xml.Decoder
	repair bool
	last   int // number of the last row read
	done   bool
}

func (wb *workbook) openSheet(s sheetRef, repair bool) (*sheetReader, error) {
	rc, err := wb.part(s.part)
	if err != nil {
		return nil, fmt.Errorf("reading %s sheet %q: %w", wb.path, s.name, err)
	}
	return &sheetReader{wb: wb, rc: rc, dec: xml.NewDecoder(rc), repair: repair}, nil
}

func (sr *sheetReader) close() error { return sr.rc.Close() }

// xmlCell is a <c> element.
type xmlCell struct {
	R  string  `xml:"r,attr"`
	S  int     `xml:"s,attr"`
	T  string  `xml:"t,attr"`
	V  string  `xml:"v"`
	IS xmlRich `xml:"is"`
	F  *struct {
		Text string `xml:",chardata"`
	} `xml:"f"`
}

// next returns the next row, or io.EOF after the last one.
func (sr *sheetReader) next() (row, error) {
	if sr.done {
		return row{}, io.EOF
	}
	for {
		tok, err := sr.dec.Token()
		if errors.Is(err, io.EOF) {
			sr.done = true
			return row{}, io.EOF
		}
		if err != nil {
			return row{}, err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local == "row" {
				return sr.readRow(el)
			}
		case xml.EndElement:
			if el.Name.Local == "sheetData" {
				sr.done = true
				return row{}, io.EOF
			}
		}
	}
}

func (sr *sheetReader) readRow(start xml.StartElement) (row, error) {
	r := row{num: sr.last + 1}
	for _, a := range start.Attr {
		if a.Name.Local == "r" {
			if n, err := strconv.Atoi(a.Value); err == nil && n > 0 {
				r.num = n
			}
		}
	}
	sr.last = r.num
	col := -1
	for {
		tok, err := sr.dec.Token()
		if err != nil {
			return r, fmt.Errorf("row %d: %w", r.num, err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local != "c" {
				if err := sr.dec.Skip(); err != nil {
					return r, fmt.Errorf("row %d: %w", r.num, err)
				}
				continue
			}
			var c xmlCell
			if err := sr.dec.DecodeElement(&c, &el); err != nil {
				at := cellName(col+1, r.num)
				for _, a := range el.Attr {
					if a.Name.Local == "r" {
						at = a.Value
					}
				}
				return r, fmt.Errorf("row %d cell %s: %w (a damaged file: save it again from Excel or LibreOffice)", r.num, at, err)
			}
			col++
			if c.R != "" {
				if cn, _, err := excelize.CellNameToCoordinates(c.R); err == nil {
					col = cn - 1
				}
			}
			if col >= excelize.MaxColumns {
				return r, fmt.Errorf("row %d: cell %s beyond the last column", r.num, c.R)
			}
			v, err := sr.value(c)
			if err != nil {
				return r, fmt.Errorf("cell %s: %w", cellName(col, r.num), err)
			}
			if c.F != nil && c.V == "" && c.T != "inlineStr" {
				f := strings.TrimSpace(c.F.Text)
				if f == "" {
					f = "a shared formula"
				} else {
					f = fmt.Sprintf("formula %q", "="+f)
				}
				r.problems = append(r.problems, fmt.Sprintf("cell %s: %s without its computed value (the file was written by a program that does not compute formulas; open and save it in Excel or LibreOffice)",
					cellName(col, r.num), f))
			}
			if v == "" {
				continue
			}
			for len(r.cells) <= col {
				r.cells = append(r.cells, "")
			}
			r.cells[col] = v
		case xml.EndElement:
			if el.Name.Local == "row" {
				return r, nil
			}
		}
	}
}

// value turns a cell into text: shared and inline strings decoded from a
// legacy font where the style says so, numbers as stored, date-formatted
// numbers as ISO dates, booleans as TRUE/FALSE, errors as their code.
func (sr *sheetReader) value(c xmlCell) (string, error) {
	xf := sr.wb.styles.xf(c.S)
	switch c.T {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(c.V))
		if err != nil || i < 0 || i >= len(sr.wb.sst) {
			return "", fmt.Errorf("shared string %q out of range", c.V)
		}
		return sr.text(sr.wb.sst[i], xf.legacy), nil
	case "inlineStr":
		return sr.text(c.IS.item(), xf.legacy), nil
	case "str":
		return sr.text(sstItem{runs: []textRun{{text: c.V}}}, xf.legacy), nil
	case "b":
		switch strings.TrimSpace(c.V) {
		case "1":
			return "TRUE", nil
		case "0":
			return "FALSE", nil
		}
		return c.V, nil
	case "e", "d":
		return strings.TrimSpace(c.V), nil
	}
	v := strings.TrimSpace(c.V)
	if v != "" && xf.pad > 0 && !xf.date {
		return padZeros(v, xf.pad), nil
	}
	if v == "" || !xf.date {
		return v, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f > 2958465 {
		return v, nil // not a serial date: keep what is there
	}
	return formatDate(f, sr.wb.date1904), nil
}

// padZeros gives a whole number shown with a format of zeros ("00000") its
// leading zeros back: 4123 -> "04123". Other values are kept as stored.
func padZeros(v string, width int) string {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(v, 64); ferr == nil && f >= 0 && f == math.Trunc(f) && f < 1e15 {
			n = uint64(f)
		} else {
			return v
		}
	}
	return fmt.Sprintf("%0*d", width, n)
}

// formatDate renders a serial date: YYYY-MM-DD, with HH:MM:SS when it has a
// time of day, and only HH:MM:SS for a time without a date.
func formatDate(f float64, date1904 bool) string {
	t, err := excelize.ExcelDateToTime(f, date1904)
	if err != nil {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	t = t.Round(time.Second)
	switch {
	case f < 1:
		return t.Format("15:04:05")
	case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04:05")
}

// text joins the runs of a string, decoding each run typed in a legacy font
// (its own font, or the cell's), then NFC; with repair_legacy, mojibake in the
// result is repaired too.
func (sr *sheetReader) text(it sstItem, cellLegacy string) string {
	var b strings.Builder
	for _, r := range it.runs {
		enc := cellLegacy
		if r.font != "" {
			enc = vnenc.FontEncoding(r.font)
		}
		if enc != "" {
			b.WriteString(vnenc.DecodeString(r.text, enc))
		} else {
			b.WriteString(r.text)
		}
	}
	s := norm.NFC.String(b.String())
	if sr.repair {
		s, _, _ = vnenc.RepairString(s)
	}
	return s
}

func cellName(col, row int) string {
	n, err := excelize.CoordinatesToCellName(col+1, row)
	if err != nil {
		return fmt.Sprintf("R%dC%d", row, col+1)
	}
	return n
}
