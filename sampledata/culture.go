package sampledata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/xuri/excelize/v2"
)

// Culture workbook layout.
const (
	CultureFile  = "culture/di_tich.xlsx"
	CultureSheet = "Di tích"
	// CultureHeaderRows is the number of rows above the first data row: two
	// title rows, an empty row and the header.
	CultureHeaderRows = 4
	// CultureTrailerRows is the number of non-data rows after the table: an
	// empty row, "Tổng cộng", an empty row, the place and date, the signers'
	// titles, two empty rows for signatures, the signers' names.
	CultureTrailerRows = 8
)

// CultureHeader is the header row (row 4) of the workbook.
var CultureHeader = []string{"STT", "Mã di tích", "Tên di tích", "Loại hình", "Cấp xếp hạng",
	"Xã/Phường", "Mã xã", "Năm xếp hạng", "Ngày quyết định"}

var siteKinds = []string{"Lịch sử", "Kiến trúc nghệ thuật", "Khảo cổ", "Danh lam thắng cảnh"}
var siteKindWeights = []float64{50, 15, 10, 25}

var sitePrefixes = map[string][]string{
	"Lịch sử":              {"Di tích lịch sử", "Địa điểm lưu niệm", "Đền thờ", "Hang", "Địa điểm chiến thắng"},
	"Kiến trúc nghệ thuật": {"Chùa", "Tháp", "Đền", "Đình"},
	"Khảo cổ":              {"Di chỉ khảo cổ", "Mái đá", "Hang"},
	"Danh lam thắng cảnh":  {"Thác", "Động", "Hang", "Hồ", "Rừng thông"},
}

var sitePlaces = []string{"Bản Mòng", "Pá Vống", "Tát Ngoẵng", "Nà Sản", "Huổi Hao", "Mường Và",
	"Pha Luông", "Co Muông", "Nà Tấu", "Bó Sinh", "Ta Khoa", "Mường Hung", "Chiềng Khoi", "Ten Ún"}

var rankings = []string{"Cấp tỉnh", "Quốc gia", "Quốc gia đặc biệt"}
var rankingWeights = []float64{75, 23, 2}

func genCulture(ctx context.Context, g *gen) (src Source, err error) {
	r := g.rng("culture")
	pl := newPlanter(g.rng("culture/bad"), 50, BadMissingKey, BadUnknownCommune)
	it := newItem(CultureFile, "", BadMissingKey, BadUnknownCommune)
	it.Dataset = "culture_tourism.heritage_sites"
	it.Sheet, it.HeaderRows, it.TrailerRows = CultureSheet, CultureHeaderRows, CultureTrailerRows

	f := excelize.NewFile()
	defer f.Close()
	fail := func(what string, e error) (Source, error) {
		return Source{}, fmt.Errorf("writing %s: %s: %w", CultureFile, what, e)
	}
	if err = f.SetSheetName("Sheet1", CultureSheet); err != nil {
		return fail("naming sheet", err)
	}
	dateFmt := "dd/mm/yyyy"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return fail("date style", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return fail("title style", err)
	}
	sw, err := f.NewStreamWriter(CultureSheet)
	if err != nil {
		return fail("opening stream", err)
	}
	for col, w := range []float64{6, 12, 45, 22, 18, 26, 10, 12, 16} {
		if err = sw.SetColWidth(col+1, col+1, w); err != nil {
			return fail("column width", err)
		}
	}
	row := 0
	put := func(vals ...any) error {
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, vals)
	}
	skip := func() { row++ }
	if err = put(excelize.Cell{StyleID: bold, Value: "ỦY BAN NHÂN DÂN TỈNH SƠN LA"}); err != nil {
		return fail("title", err)
	}
	if err = put(excelize.Cell{StyleID: bold, Value: "DANH MỤC DI TÍCH ĐÃ ĐƯỢC XẾP HẠNG"}); err != nil {
		return fail("title", err)
	}
	skip()
	header := make([]any, len(CultureHeader))
	for i, h := range CultureHeader {
		header[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err = put(header...); err != nil {
		return fail("header", err)
	}
	today := g.geo.today().communes
	n := 150 * g.opt.Scale
	for i := range n {
		if i%1000 == 0 {
			if err = ctx.Err(); err != nil {
				return Source{}, err
			}
		}
		vals := siteRow(r, today, i)
		switch bad := pl.step(); bad {
		case BadMissingKey:
			vals[1] = ""
			it.Bad[bad]++
		case BadUnknownCommune:
			vals[6] = UnknownCommuneCode
			it.Bad[bad]++
		}
		vals[8] = excelize.Cell{StyleID: dateStyle, Value: vals[8]}
		it.Rows++
		if err = put(vals...); err != nil {
			return fail(fmt.Sprintf("row %d", row+1), err)
		}
	}
	skip()
	trailer := [][]any{
		{"", "Tổng cộng", n},
		nil,
		{"", "", "", "", "", "Sơn La, ngày 15 tháng 12 năm 2025"},
		{"", "Người lập biểu", "", "", "", "GIÁM ĐỐC"},
		nil,
		nil,
		{"", "Lường Thị Hoa", "", "", "", "Cầm Văn Thành"},
	}
	for _, t := range trailer {
		if t == nil {
			skip()
			continue
		}
		if err = put(t...); err != nil {
			return fail("trailer", err)
		}
	}
	for _, m := range [][2]string{{"A1", "I1"}, {"A2", "I2"}} {
		if err = sw.MergeCell(m[0], m[1]); err != nil {
			return fail("merging title", err)
		}
	}
	if err = sw.Flush(); err != nil {
		return fail("flushing", err)
	}
	out, err := os.Create(g.path(CultureFile))
	if err != nil {
		return fail("creating", err)
	}
	if _, err = f.WriteTo(out); err != nil {
		out.Close()
		return fail("saving", err)
	}
	if err = out.Close(); err != nil {
		return fail("closing", err)
	}
	more, err := genCultureMore(ctx, g)
	if err != nil {
		return Source{}, err
	}
	return Source{Items: append([]Item{it}, more...)}, nil
}

// siteRow returns the nine values of a heritage site (the date as time.Time).
func siteRow(r *rand.Rand, today []commune, i int) []any {
	kind := siteKinds[weighted(r, siteKindWeights)]
	c := pick(r, today)
	place := c.Bare
	if chance(r, 0.5) {
		place = pick(r, sitePlaces)
	}
	name := pick(r, sitePrefixes[kind]) + " " + place
	year := between(r, 1990, 2025)
	decided := date(year, time.Month(between(r, 1, 12)), between(r, 1, 28))
	return []any{i + 1, fmt.Sprintf("DT%05d", i+1), name, kind, rankings[weighted(r, rankingWeights)],
		c.Name, c.Code, year, decided}
}
