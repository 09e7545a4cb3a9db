package excel

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// A workbook case is built with excelize by the test rather than committed as
// a binary: xlsxCases maps a testdata/<case> folder to its builder.
var xlsxCases = map[string]func(t *testing.T, f *excelize.File){
	"title_rows":      buildTitleRows,
	"two_header_rows": buildTwoHeaderRows,
	"trailer_rows":    buildTrailerRows,
	"date_cells":      buildDateCells,
	"legacy_fonts":    buildLegacyFonts,
	"repair_legacy":   buildMojibake,
	"multi_sheet":     buildMultiSheet,
	"sheet_mismatch":  buildSheetMismatch,
	"outside_table":   buildOutsideTable,
	"header_row":      buildTitleRows,
	"empty_sheet":     func(t *testing.T, f *excelize.File) {},
	"trailer_kept":    buildTrailerRows,
}

// writeCase writes the case's workbook as input.xlsx in dir (legacy_xls
// writes the start of an OLE2 file instead).
func writeCase(t *testing.T, name, dir string) {
	t.Helper()
	if name == "legacy_xls" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "input.xlsx"), []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), 0o644))
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	build, ok := xlsxCases[name]
	require.True(t, ok, "no builder for case %s", name)
	build(t, f)
	require.NoError(t, f.SaveAs(filepath.Join(dir, "input.xlsx")))
}

func set(t *testing.T, f *excelize.File, sheet string, cells map[string]any) {
	t.Helper()
	for c, v := range cells {
		require.NoError(t, f.SetCellValue(sheet, c, v))
	}
}

func setRow(t *testing.T, f *excelize.File, sheet, start string, vals ...any) {
	t.Helper()
	require.NoError(t, f.SetSheetRow(sheet, start, &vals))
}

func style(t *testing.T, f *excelize.File, s *excelize.Style) int {
	t.Helper()
	id, err := f.NewStyle(s)
	require.NoError(t, err)
	return id
}

func buildTitleRows(t *testing.T, f *excelize.File) {
	const sh = "Sheet1"
	require.NoError(t, f.SetSheetName(sh, "Di tích"))
	s := "Di tích"
	set(t, f, s, map[string]any{
		"A1": "UBND TỈNH SƠN LA",
		"A2": "DANH SÁCH DI TÍCH ĐƯỢC XẾP HẠNG",
		"A3": "(Kèm theo Báo cáo số 12/BC-SVHTTDL)",
	})
	require.NoError(t, f.MergeCell(s, "A2", "E2"))
	setRow(t, f, s, "A5", "STT", "Tên di tích", "Mã xã", "Cấp\nxếp hạng", "Năm xếp hạng")
	setRow(t, f, s, "A6", 1, "Nhà tù Sơn La", "04123", "Quốc gia đặc biệt", 2013)
	setRow(t, f, s, "A7", 2, "Tháp Mường Và", "04300", "Quốc gia", 1994)
	setRow(t, f, s, "A9", 3, "Hang Thẩm Tát Tòong", "04126", "Quốc gia", 1998.5)
}

func buildTwoHeaderRows(t *testing.T, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "BÁO CÁO LAO ĐỘNG THÁNG 10/2024")
	setRow(t, f, s, "A3", "STT", "Tên xã", "Số lao động", nil, "Ghi chú")
	setRow(t, f, s, "A4", nil, nil, "Nam", "Nữ")
	require.NoError(t, f.MergeCell(s, "C3", "D3"))
	setRow(t, f, s, "A5", 1, "Xã Chiềng Hặc", 120, 98, "")
	setRow(t, f, s, "A6", 2, "Phường Tô Hiệu", 300, 310, "mới sáp nhập")
}

func buildTrailerRows(t *testing.T, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "STT", "Tên xã", "Số hồ sơ")
	setRow(t, f, s, "A2", 1, "Xã Mường Bú", 10)
	setRow(t, f, s, "A3", nil, "Cộng", 10)
	setRow(t, f, s, "A4", 2, "Xã Chiềng Hặc", 5)
	setRow(t, f, s, "A5", "Tổng cộng", nil, 15)
	setRow(t, f, s, "C7", "Sơn La, ngày 08 tháng 10 năm 2024")
	setRow(t, f, s, "A8", "Người lập biểu", nil, "KT. GIÁM ĐỐC")
	setRow(t, f, s, "C9", "PHÓ GIÁM ĐỐC")
	setRow(t, f, s, "A12", "Nguyễn Văn A", nil, "Lò Thị B")
}

func buildDateCells(t *testing.T, f *excelize.File) {
	s := "Sheet1"
	dmy := "dd/mm/yyyy"
	builtin := style(t, f, &excelize.Style{NumFmt: 14})
	custom := style(t, f, &excelize.Style{CustomNumFmt: &dmy})
	dt := "yyyy-mm-dd hh:mm"
	withTime := style(t, f, &excelize.Style{CustomNumFmt: &dt})
	hm := style(t, f, &excelize.Style{NumFmt: 20})
	thousands := style(t, f, &excelize.Style{NumFmt: 4})
	pct := style(t, f, &excelize.Style{NumFmt: 10})
	setRow(t, f, s, "A1", "Ngày nộp", "Ngày hẹn trả", "Thời điểm", "Giờ", "Số tiền", "Tỷ lệ", "Số hóa", "Mã")
	setRow(t, f, s, "A2", 45573, 45580, 45573.5, 0.75, 1234567.89, 0.8, true, "014")
	setRow(t, f, s, "A3", 45292, 45300.25, 45292, 0.5, 0, 1, false, "014")
	for _, r := range []string{"2", "3"} {
		require.NoError(t, f.SetCellStyle(s, "A"+r, "A"+r, builtin))
		require.NoError(t, f.SetCellStyle(s, "B"+r, "B"+r, custom))
		require.NoError(t, f.SetCellStyle(s, "C"+r, "C"+r, withTime))
		require.NoError(t, f.SetCellStyle(s, "D"+r, "D"+r, hm))
		require.NoError(t, f.SetCellStyle(s, "E"+r, "E"+r, thousands))
		require.NoError(t, f.SetCellStyle(s, "F"+r, "F"+r, pct))
	}
	require.NoError(t, f.SetCellValue(s, "A4", time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)))
	require.NoError(t, f.SetCellStyle(s, "A4", "A4", builtin))
}

func buildLegacyFonts(t *testing.T, f *excelize.File) {
	s := "Sheet1"
	tcvn := style(t, f, &excelize.Style{Font: &excelize.Font{Family: ".VnTime"}})
	caps := style(t, f, &excelize.Style{Font: &excelize.Font{Family: ".VnTimeH"}})
	vni := style(t, f, &excelize.Style{Font: &excelize.Font{Family: "VNI-Times"}})
	setRow(t, f, s, "A1", "Font", "Tên")
	setRow(t, f, s, "A2", ".VnTime", "Thµnh phè S¬n La")
	setRow(t, f, s, "A3", ".VnTimeH", "Thµnh phè S¬n La")
	setRow(t, f, s, "A4", "VNI-Times", "Thaønh phoá Sôn La")
	setRow(t, f, s, "A5", "Calibri, mojibake kept", "Ph\u00adêng T« HiÖu")
	setRow(t, f, s, "A6", "rich text run", nil)
	require.NoError(t, f.SetCellStyle(s, "B2", "B2", tcvn))
	require.NoError(t, f.SetCellStyle(s, "B3", "B3", caps))
	require.NoError(t, f.SetCellStyle(s, "B4", "B4", vni))
	require.NoError(t, f.SetCellRichText(s, "B6", []excelize.RichTextRun{
		{Text: "Xã "},
		{Text: "ChiÒng HÆc", Font: &excelize.Font{Family: ".VnTime"}},
	}))
}

func buildMojibake(t *testing.T, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "Tên xã", "Ghi chú")
	setRow(t, f, s, "A2", "X· ChiÒng HÆc", "Thaønh phoá Sôn La")
	setRow(t, f, s, "A3", "Xã Mường Bú", "Cà Mau")
}

func buildMultiSheet(t *testing.T, f *excelize.File) {
	setRow(t, f, "Sheet1", "A1", "Mã xã", "Tên xã", "Số di tích")
	setRow(t, f, "Sheet1", "A2", "04123", "Xã Chiềng Hặc", 3)
	_, err := f.NewSheet("Quý 2")
	require.NoError(t, err)
	setRow(t, f, "Quý 2", "A1", "Số di tích", "Mã xã")
	setRow(t, f, "Quý 2", "A2", 5, "04126")
	_, err = f.NewSheet("Ghi chú")
	require.NoError(t, err)
	setRow(t, f, "Ghi chú", "A1", "Sheet of notes, not selected")
}

func buildSheetMismatch(t *testing.T, f *excelize.File) {
	setRow(t, f, "Sheet1", "A1", "Mã xã", "Tên xã")
	setRow(t, f, "Sheet1", "A2", "04123", "Xã Chiềng Hặc")
	_, err := f.NewSheet("Khác")
	require.NoError(t, err)
	setRow(t, f, "Khác", "A1", "Mã xã", "Dân số")
	setRow(t, f, "Khác", "A2", "04126", 1200)
}

func buildOutsideTable(t *testing.T, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "Mã xã", "Tên xã")
	setRow(t, f, s, "A2", "04123", "Xã Chiềng Hặc")
	setRow(t, f, s, "A3", "04126", "Phường Tô Hiệu", nil, "ghi chú lạc")
	setRow(t, f, s, "A4", "04129", "")
}
