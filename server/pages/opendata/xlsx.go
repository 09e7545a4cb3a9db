package opendata

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sonla-data/kho/schemas"
)

// writeXLSX streams a dataset as one Excel sheet through excelize's
// StreamWriter (rows go to a temporary file, not to memory): the first row
// the columns' Vietnamese labels, then every row; text and codes as text
// (a commune code 04237 keeps its 0), numbers as numbers (a decimal with
// its places), dates and times as Excel dates in Vietnam's time.
func (c *Catalog) writeXLSX(ctx context.Context, w io.Writer, d *Dataset) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName(d)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("dd/mm/yyyy")})
	if err != nil {
		return err
	}
	timeStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("dd/mm/yyyy hh:mm:ss")})
	if err != nil {
		return err
	}
	decStyles := map[int]int{} // decimal places -> style
	decimalStyle := func(places int) (int, error) {
		if s, ok := decStyles[places]; ok {
			return s, nil
		}
		fmtText := "0"
		if places > 0 {
			fmtText += "." + strings.Repeat("0", places)
		}
		s, err := f.NewStyle(&excelize.Style{CustomNumFmt: &fmtText})
		decStyles[places] = s
		return s, err
	}
	for i, col := range d.Columns {
		width := 12.0
		if n := float64(len([]rune(Header(col, "vi")))) * 1.2; n > width {
			width = min(n, 60)
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(d.Columns))
	for i, col := range d.Columns {
		head[i] = excelize.Cell{StyleID: bold, Value: Header(col, "vi")}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	row := 1
	cells := make([]any, len(d.Columns))
	err = c.each(ctx, d, func(vals []any) error {
		row++
		for i, v := range vals {
			cell, err := xlsxCell(v, &d.Columns[i], dateStyle, timeStyle, decimalStyle)
			if err != nil {
				return fmt.Errorf("row %d, column %s: %w", row-1, d.Columns[i].Name, err)
			}
			cells[i] = cell
		}
		name, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return sw.SetRow(name, cells)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// xlsxCell is one value as an Excel cell.
func xlsxCell(v any, col *schemas.Column, dateStyle, timeStyle int, decimalStyle func(int) (int, error)) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch col.Kind() {
	case schemas.KindDate:
		if s, ok := v.(string); ok {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return nil, err
			}
			return excelize.Cell{StyleID: dateStyle, Value: t}, nil
		}
	case schemas.KindTimestamp:
		if s, ok := v.(string); ok {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, err
			}
			// Excel has no time zones: the wall clock in Vietnam (the
			// value's own +07:00).
			wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
			return excelize.Cell{StyleID: timeStyle, Value: wall}, nil
		}
	}
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		fv, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return s, nil
		}
		places := 0
		if _, frac, ok := strings.Cut(s, "."); ok {
			places = len(frac)
		}
		st, err := decimalStyle(places)
		if err != nil {
			return nil, err
		}
		return excelize.Cell{StyleID: st, Value: fv}, nil
	case string, bool, float64, float32, int64, int32, int:
		return x, nil
	}
	return Text(v), nil
}

func strPtr(s string) *string { return &s }

// sheetName is the dataset's name as an Excel sheet name (at most 31
// characters, none of []:*?/\).
func sheetName(d *Dataset) string {
	s := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, d.ID)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}

// Header is a column's header in a download: its name, or with lang "vi"
// its Vietnamese label (the name when it has none), "en" its English label.
func Header(col schemas.Column, lang string) string {
	switch {
	case lang == "vi" && col.Label != "":
		return col.Label
	case lang == "en" && col.LabelEN != "":
		return col.LabelEN
	}
	return col.Name
}
