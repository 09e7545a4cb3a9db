package sampledata

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/internal/vnenc"
)

// rowWriter takes the rows of one table, file or sheet.
type rowWriter interface {
	add(ctx context.Context, vals ...any) error
	close(err error) error
}

// csvFile writes one CSV drop. enc is "utf-8" (with a BOM, as Excel saves),
// or "tcvn3" for a file typed in the legacy ABC encoding.
type csvFile struct {
	name string
	f    *os.File
	bw   *bufio.Writer
	w    *csv.Writer
	enc  string
	rows int
}

func newCSVFile(g *gen, name, enc string, delim rune, header []string) (*csvFile, error) {
	if err := os.MkdirAll(filepath.Dir(g.path(name)), 0o755); err != nil {
		return nil, fmt.Errorf("creating the folder of %s: %w", name, err)
	}
	f, err := os.Create(g.path(name))
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", name, err)
	}
	c := &csvFile{name: name, f: f, bw: bufio.NewWriterSize(f, 1<<16), enc: enc}
	if enc == "utf-8" {
		c.bw.WriteString("\ufeff")
	}
	c.w = csv.NewWriter(c.bw)
	c.w.Comma = delim
	c.w.UseCRLF = true
	if err := c.write(header); err != nil {
		f.Close()
		return nil, err
	}
	return c, nil
}

func (c *csvFile) write(rec []string) error {
	if c.enc == "tcvn3" {
		enc := make([]string, len(rec)) // rec may be a shared header
		for i, s := range rec {
			b, err := encodeTCVN3(s)
			if err != nil {
				return fmt.Errorf("writing %s: %w", c.name, err)
			}
			enc[i] = string(b)
		}
		rec = enc
	}
	if err := c.w.Write(rec); err != nil {
		return fmt.Errorf("writing %s row %d: %w", c.name, c.rows+1, err)
	}
	return nil
}

func (c *csvFile) add(_ context.Context, vals ...any) error {
	rec := make([]string, len(vals))
	for i, v := range vals {
		rec[i] = cellText(v)
	}
	c.rows++
	return c.write(rec)
}

func (c *csvFile) close(err error) error {
	c.w.Flush()
	if err == nil {
		err = c.w.Error()
	}
	if ferr := c.bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", c.name, err)
	}
	return nil
}

// cellText writes a value as text: nil as empty.
func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
	default:
		return fmt.Sprint(v)
	}
}

// tcvn3Byte maps a letter to its TCVN3 byte: built by decoding every byte
// with the project's decoder, so the two agree.
var tcvn3Byte = func() map[rune]byte {
	m := map[rune]byte{}
	for b := 0x80; b <= 0xFF; b++ {
		r := []rune(vnenc.DecodeTCVN3([]byte{byte(b)}))[0]
		if _, ok := m[r]; !ok && r != unicode.ReplacementChar {
			m[r] = byte(b)
		}
	}
	return m
}()

// encodeTCVN3 writes s in TCVN3. Capitals with a tone mark have no code in
// the ordinary TCVN3 fonts: an error tells the generator to avoid them.
func encodeTCVN3(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for _, r := range norm.NFC.String(s) {
		if r < 0x80 {
			out = append(out, byte(r))
			continue
		}
		b, ok := tcvn3Byte[r]
		if !ok {
			return nil, fmt.Errorf("%q has no TCVN3 code (in %q)", r, s)
		}
		out = append(out, b)
	}
	return out, nil
}

// tcvn3OK reports whether s can be written in TCVN3.
func tcvn3OK(s string) bool { _, err := encodeTCVN3(s); return err == nil }

// mojibake is s typed in TCVN3 and read back as Windows-1252: the text a
// legacy spreadsheet pasted into a Unicode database shows ("Chî" for "Chợ").
// ok is false when s cannot be written in TCVN3.
func mojibake(s string) (string, bool) {
	b, err := encodeTCVN3(s)
	if err != nil {
		return s, false
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return s, false
	}
	m := string(out)
	// the repair must give the text back, or the value is no test of it
	if fixed, enc, _ := vnenc.RepairString(m); enc == "" || fixed != norm.NFC.String(s) {
		return s, false
	}
	return m, true
}

// xlsxFile writes one sheet of a workbook: title rows, an empty row, the
// header, the rows, then an empty row and a signature block.
type xlsxFile struct {
	name, sheet string
	path        string
	f           *excelize.File
	sw          *excelize.StreamWriter
	row         int
	dateStyle   int
	header      []string
	rows        int
}

func newXLSXFile(g *gen, name, sheet string, titles, header []string) (*xlsxFile, error) {
	if err := os.MkdirAll(filepath.Dir(g.path(name)), 0o755); err != nil {
		return nil, fmt.Errorf("creating the folder of %s: %w", name, err)
	}
	x := &xlsxFile{name: name, path: g.path(name), sheet: sheet, f: excelize.NewFile(), header: header}
	fail := func(what string, err error) (*xlsxFile, error) {
		x.f.Close()
		return nil, fmt.Errorf("writing %s: %s: %w", name, what, err)
	}
	if err := x.f.SetSheetName("Sheet1", sheet); err != nil {
		return fail("naming the sheet", err)
	}
	dateFmt := "dd/mm/yyyy"
	var err error
	if x.dateStyle, err = x.f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return fail("date style", err)
	}
	bold, err := x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fail("title style", err)
	}
	if x.sw, err = x.f.NewStreamWriter(sheet); err != nil {
		return fail("opening the stream", err)
	}
	for _, t := range titles {
		if err := x.put(excelize.Cell{StyleID: bold, Value: t}); err != nil {
			return fail("title", err)
		}
	}
	x.row++ // an empty row under the titles
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := x.put(cells...); err != nil {
		return fail("header", err)
	}
	return x, nil
}

// dateCell is a date written as an Excel date.
type dateCell struct{ time.Time }

func (x *xlsxFile) put(vals ...any) error {
	x.row++
	cell, _ := excelize.CoordinatesToCellName(1, x.row)
	return x.sw.SetRow(cell, vals)
}

func (x *xlsxFile) add(_ context.Context, vals ...any) error {
	cells := make([]any, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case dateCell:
			cells[i] = excelize.Cell{StyleID: x.dateStyle, Value: v.Time}
		case nil:
			cells[i] = nil
		default:
			cells[i] = v
		}
	}
	x.rows++
	if err := x.put(cells...); err != nil {
		return fmt.Errorf("writing %s row %d: %w", x.name, x.row, err)
	}
	return nil
}

func (x *xlsxFile) close(err error) error {
	defer x.f.Close()
	if err != nil {
		return err
	}
	x.row++
	for _, t := range [][]any{{"", "Tổng cộng", x.rows}, nil, {"", "Người lập biểu", "", "", "THỦ TRƯỞNG ĐƠN VỊ"}} {
		if t == nil {
			x.row++
			continue
		}
		if err := x.put(t...); err != nil {
			return fmt.Errorf("writing %s trailer: %w", x.name, err)
		}
	}
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", x.name, err)
	}
	out, err := os.Create(x.path)
	if err != nil {
		return fmt.Errorf("creating %s: %w", x.name, err)
	}
	if _, err := x.f.WriteTo(out); err != nil {
		out.Close()
		return fmt.Errorf("saving %s: %w", x.name, err)
	}
	return out.Close()
}

// table is one generated table, file or sheet with its manifest item.
type table struct {
	it Item
	w  rowWriter
}

// row writes one row; bad is its planted defect ("" for a good row).
func (t *table) row(ctx context.Context, bad string, vals ...any) error {
	if bad != "" {
		t.it.Bad[bad]++
	}
	t.it.Rows++
	return t.w.add(ctx, vals...)
}

// sqliteTable prepares an insert into a table of db.
func sqliteTable(db *sql.DB, file, name, dataset string, cols int, kinds ...string) *table {
	it := newItem(file, name, kinds...)
	it.Dataset = dataset
	q := "INSERT INTO " + name + " VALUES (" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return &table{it: it, w: newInserter(db, q)}
}
