package dashboard

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sonla-data/kho/server/pages/site"
)

// Every table of the dashboard exports to XLSX: GET /xlsx/{table} with the
// dashboard's filters (monthly, by-agency, by-commune, a panel's mart name,
// freshness) writes the table the page shows, and GET /marts/{name}/xlsx the
// mart's rows. Headers are the page's (Vietnamese unless the reader chose
// English); codes are text (a commune's 03646 keeps its zero), numbers are
// numbers (a rate is its exact ratio, formatted as a percentage), so that a
// reader's own sums in Excel come out as the dashboard's.

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// maxMartRows bounds a mart's export (the dashboard's marts are summaries).
const maxMartRows = 200000

// XLSXURL is the export of one of the page's tables, with its filters.
func (p *dashPage) XLSXURL(table string) string {
	q := url.Values{}
	if p.FromS != "" {
		q.Set("from", p.FromS)
		q.Set("to", p.ToS)
	}
	q.Set("kpi", p.F.KPI)
	if p.F.Agency != "" {
		q.Set("agency", p.F.Agency)
	}
	if p.F.Commune != "" {
		q.Set("commune", p.F.Commune)
	}
	if p.F.Worst {
		q.Set("order", "worst")
	}
	q.Set("lang", string(p.Lang))
	return "/xlsx/" + url.PathEscape(table) + "?" + q.Encode()
}

// xlsxTable serves GET /xlsx/{table}: the dashboard is built as for the
// page, through the serving engine as the reader, and the one table written.
func (h *Handler) xlsxTable(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("table")
	p := h.build(w, r)
	var t *shownTable
	title := ""
	for _, b := range []*block{p.Monthly, p.ByAgency, p.ByCommune} {
		if b != nil && b.ID == id {
			t, title = &b.Table, b.Title
		}
	}
	panels := p.Sectors
	if p.Index != nil {
		panels = append(panels, *p.Index)
	}
	for _, mp := range panels {
		if mp.Mart.Name == id && mp.Table != nil {
			t, title = mp.Table, mp.Label
		}
	}
	if id == "freshness" {
		t, title = freshTable(p), p.T("fresh_title")
	}
	if t == nil {
		if len(p.Errors) > 0 {
			http.Error(w, strings.Join(p.Errors, "\n"), http.StatusInternalServerError)
			return
		}
		http.NotFound(w, r)
		return
	}
	name := id
	if p.FromS != "" {
		name += "-" + p.FromS + "-" + p.ToS
	}
	serveXLSX(w, name, func(out io.Writer) error { return writeTable(out, title, t) })
}

// freshTable is the freshness table as the page shows it.
func freshTable(p *dashPage) *shownTable {
	t := &shownTable{Cols: []string{p.T("pipeline"), p.T("dataset"), p.T("status"), p.T("last_run"), p.T("last_update"), p.T("rows"), p.T("schedule"), p.T("error")}}
	for _, f := range p.Fresh {
		sched := p.Schedule(f.Schedule)
		t.Rows = append(t.Rows, []tcell{{Text: f.Pipeline}, {Text: f.Dataset}, {Text: p.T("status_" + f.Status)},
			{Text: p.DateTime(f.Started)}, {Text: p.DateTime(f.Modified)}, {Text: p.Int(f.Rows), Value: strconv.FormatInt(f.Rows, 10)},
			{Text: sched.Words}, {Text: f.Error}})
	}
	return t
}

func serveXLSX(w http.ResponseWriter, name string, write func(io.Writer) error) {
	h := w.Header()
	h.Set("Content-Type", xlsxType)
	h.Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	h.Set("Cache-Control", "private, no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	if err := write(w); err != nil {
		panic(http.ErrAbortHandler) // the status is sent: cut the body
	}
}

// sheetName is a worksheet's name: at most 31 characters, none of []:*?/\.
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return strings.TrimSpace(s)
}

// book is a workbook of one sheet being written.
type book struct {
	f                   *excelize.File
	sheet               string
	text, num, pct, day int // styles
}

func newBook(title string) (*book, error) {
	f := excelize.NewFile()
	b := &book{f: f, sheet: sheetName(title)}
	if b.sheet == "" {
		b.sheet = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", b.sheet); err != nil {
		return nil, err
	}
	f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "Kho dữ liệu tỉnh Sơn La"})
	var err error
	text := "@"
	num := "#,##0.######"
	pct := "0.0%"
	day := "dd/mm/yyyy"
	if b.text, err = f.NewStyle(&excelize.Style{CustomNumFmt: &text}); err != nil {
		return nil, err
	}
	if b.num, err = f.NewStyle(&excelize.Style{CustomNumFmt: &num}); err != nil {
		return nil, err
	}
	if b.pct, err = f.NewStyle(&excelize.Style{CustomNumFmt: &pct}); err != nil {
		return nil, err
	}
	if b.day, err = f.NewStyle(&excelize.Style{CustomNumFmt: &day}); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *book) header(cols []string) error {
	bold, err := b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, c := range cols {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := b.f.SetCellStr(b.sheet, ref, c); err != nil {
			return err
		}
		if err := b.f.SetCellStyle(b.sheet, ref, ref, bold); err != nil {
			return err
		}
	}
	return b.f.SetPanes(b.sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// set writes one cell: text as text, a number as a number with its style.
func (b *book) set(col, row int, v any, style int) error {
	ref, _ := excelize.CoordinatesToCellName(col, row)
	var err error
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		err = b.f.SetCellStr(b.sheet, ref, x)
	default:
		err = b.f.SetCellValue(b.sheet, ref, x)
	}
	if err != nil {
		return err
	}
	if style != 0 {
		return b.f.SetCellStyle(b.sheet, ref, ref, style)
	}
	return nil
}

// cellValue is a table cell's value for a workbook: a figure's exact value
// as a number (a ratio "n/d" divided, a percentage when the page shows one),
// else its text.
func (b *book) cellValue(c tcell) (any, int) {
	if c.Value != "" {
		if n, d, ok := strings.Cut(c.Value, "/"); ok {
			x, err1 := strconv.ParseFloat(n, 64)
			y, err2 := strconv.ParseFloat(d, 64)
			if err1 == nil && err2 == nil && y != 0 {
				if strings.HasSuffix(c.Text, "%") {
					return x / y, b.pct
				}
				return x / y, b.num
			}
		} else if x, err := strconv.ParseFloat(c.Value, 64); err == nil && !math.IsInf(x, 0) {
			if strings.HasSuffix(c.Text, "%") {
				return x, b.pct
			}
			return x, b.num
		}
	}
	if c.Text == "–" || c.Text == "" {
		return nil, 0
	}
	return c.Text, 0
}

// writeTable writes a page's table: its codes (as text) beside the names,
// then its columns.
func writeTable(w io.Writer, title string, t *shownTable) error {
	b, err := newBook(title)
	if err != nil {
		return err
	}
	defer b.f.Close()
	cols := t.Cols
	withCodes := len(t.Codes) == len(t.Rows) && t.CodeCol != ""
	if withCodes {
		cols = append([]string{t.CodeCol}, cols...)
	}
	if err := b.header(cols); err != nil {
		return err
	}
	for i, row := range t.Rows {
		col := 1
		if withCodes {
			if err := b.set(col, i+2, t.Codes[i], b.text); err != nil {
				return err
			}
			col++
		}
		for _, c := range row {
			v, style := b.cellValue(c)
			if err := b.set(col, i+2, v, style); err != nil {
				return fmt.Errorf("writing row %d: %w", i+1, err)
			}
			col++
		}
	}
	_, err = b.f.WriteTo(w)
	return err
}

// martXLSX serves GET /marts/{name}/xlsx: the mart's rows through the
// serving engine as the reader, typed (text, numbers, dates), under its
// columns' labels.
func (h *Handler) martXLSX(w http.ResponseWriter, r *http.Request) {
	m, ok := h.deps.Mart(r.PathValue("name"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	v := site.NewView(w, r, h.deps.Clock())
	t, err := h.martRows(r.Context(), m.Name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	serveXLSX(w, m.Name, func(out io.Writer) error {
		b, err := newBook(v.Pick(m.Label, m.LabelEN))
		if err != nil {
			return err
		}
		defer b.f.Close()
		var cols []string
		for _, c := range t.Cols {
			if l := labelOf(v, m, c); l != "" {
				cols = append(cols, l)
			} else {
				cols = append(cols, c)
			}
		}
		if err := b.header(cols); err != nil {
			return err
		}
		for i, row := range t.Rows {
			for j, c := range row {
				val, style := b.typed(c, t.Types[j])
				if err := b.set(j+1, i+2, val, style); err != nil {
					return fmt.Errorf("writing row %d column %s: %w", i+1, t.Cols[j], err)
				}
			}
		}
		_, err = b.f.WriteTo(out)
		return err
	})
}

func (h *Handler) martRows(ctx context.Context, name string) (*table, error) {
	return readAll(ctx, h.deps.Query, maxMartRows, "SELECT * FROM marts."+quoteIdent(name))
}

// typed is a mart's value for a workbook: text as text, numbers as numbers,
// dates as dates.
func (b *book) typed(v any, typ string) (any, int) {
	switch x := v.(type) {
	case nil:
		return nil, 0
	case string:
		return x, b.text
	case bool:
		return x, 0
	case time.Time:
		return x, b.day
	}
	if f := num(v); !math.IsNaN(f) {
		return f, b.num
	}
	return fmt.Sprint(v), 0
}
