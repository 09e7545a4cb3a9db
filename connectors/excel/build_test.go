package excel

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// A workbook case is built with excelize by the test rather than committed as
// a binary: xlsxCases maps a testdata/<case> folder to its builder.
var xlsxCases = map[string]func(t testing.TB, f *excelize.File){
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
	"empty_sheet":     func(t testing.TB, f *excelize.File) {},
	"trailer_kept":    buildTrailerRows,

	"hidden_sheet":          buildHiddenSheet,
	"hidden_sheet_named":    buildHiddenSheet,
	"title_only_sheet":      buildTitleOnlySheet,
	"table_at_c":            buildTableAtC,
	"formulas":              buildFormulas,
	"date_1904":             buildDate1904,
	"date_text":             buildDateText,
	"codes_as_numbers":      buildCodesAsNumbers,
	"repeated_header":       buildRepeatedHeader,
	"merged_data_cells":     buildMergedDataCells,
	"empty_columns":         buildEmptyColumns,
	"long_cell":             buildLongCell,
	"broken_sheet_xml":      buildTitleRows,
	"truncated":             buildTitleRows,
	"encrypted":             buildTitleRows,
	"subtotals_by_district": buildSubtotals,
}

// rawCases write an input.xlsx that is not a workbook excelize would write.
var rawCases = map[string]func(t testing.TB, path string){
	"legacy_xls": func(t testing.TB, path string) {
		require.NoError(t, os.WriteFile(path, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), 0o644))
	},
	"not_a_zip": func(t testing.TB, path string) {
		require.NoError(t, os.WriteFile(path, []byte("Mã xã;Tên xã\n04123;Xã Chiềng Hặc\n"), 0o644))
	},
	"zip_not_xlsx": func(t testing.TB, path string) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.Create("bao_cao_thang_10.csv")
		require.NoError(t, err)
		_, err = w.Write([]byte("Mã xã;Tên xã\n"))
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	},
}

// patches change parts of a workbook after excelize wrote it: what excelize
// cannot write (cached formula results) or a damaged file.
var patches = map[string]func(t testing.TB, path string){
	"formulas": func(t testing.TB, path string) {
		patchPart(t, path, "xl/worksheets/sheet1.xml", func(b []byte) []byte {
			b = bytes.Replace(b, []byte("<f>SUM(C2:C3)</f>"), []byte("<f>SUM(C2:C3)</f><v>30</v>"), 1)
			b = bytes.Replace(b, []byte(`<c r="D4" t="str"><f>`), []byte(`<c r="D4" t="str"><f>`), 1)
			b = bytes.Replace(b, []byte(`<f>B2&amp;&#34; - &#34;&amp;A2</f>`), []byte(`<f>B2&amp;&#34; - &#34;&amp;A2</f><v>Xã Chiềng Hặc - 04123</v>`), 1)
			b = bytes.Replace(b, []byte(`<f>C2/0</f>`), []byte(`<f>C2/0</f><v>#DIV/0!</v>`), 1)
			return b
		})
		patchCellType(t, path, "D2", "str")
		patchCellType(t, path, "D3", "e")
	},
	"broken_sheet_xml": func(t testing.TB, path string) {
		patchPart(t, path, "xl/worksheets/sheet1.xml", func(b []byte) []byte {
			i := bytes.Index(b, []byte(`<row r="7"`))
			require.Positive(t, i)
			return append(b[:i:i], []byte(`<row r="7"><c r="A7"><v>2</v></c><c r="B7" t="s"><v>`)...)
		})
	},
	"truncated": func(t testing.TB, path string) {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, b[:len(b)/2], 0o644))
	},
}

// saveOptions are the options a case is saved with.
var saveOptions = map[string]excelize.Options{
	"encrypted": {Password: "SoVHTTDL@2024"},
}

// writeCase writes the case's workbook as input.xlsx in dir.
func writeCase(t testing.TB, name, dir string) {
	t.Helper()
	path := filepath.Join(dir, "input.xlsx")
	if raw, ok := rawCases[name]; ok {
		raw(t, path)
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	build, ok := xlsxCases[name]
	require.True(t, ok, "no builder for case %s", name)
	build(t, f)
	require.NoError(t, f.SaveAs(path, saveOptions[name]))
	if p, ok := patches[name]; ok {
		p(t, path)
	}
}

// patchPart rewrites one part of a zip package.
func patchPart(t testing.TB, path, part string, edit func([]byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
		if f.Name == part {
			b, found = edit(b), true
		}
		w, err := zw.Create(f.Name)
		require.NoError(t, err)
		_, err = w.Write(b)
		require.NoError(t, err)
	}
	zr.Close()
	require.True(t, found, "no part %s", part)
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
}

// patchCellType sets the t attribute of a cell, as Excel writes it for a
// formula whose cached result is text (str) or an error (e).
func patchCellType(t testing.TB, path, cell, typ string) {
	t.Helper()
	patchPart(t, path, "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		re := regexp.MustCompile(`<c r="` + cell + `"( s="\d+")?( t="\w+")?>`)
		require.True(t, re.Match(b), "no cell %s", cell)
		return re.ReplaceAll(b, []byte(`<c r="`+cell+`"$1 t="`+typ+`">`))
	})
}

func set(t testing.TB, f *excelize.File, sheet string, cells map[string]any) {
	t.Helper()
	for c, v := range cells {
		require.NoError(t, f.SetCellValue(sheet, c, v))
	}
}

func setRow(t testing.TB, f *excelize.File, sheet, start string, vals ...any) {
	t.Helper()
	require.NoError(t, f.SetSheetRow(sheet, start, &vals))
}

func style(t testing.TB, f *excelize.File, s *excelize.Style) int {
	t.Helper()
	id, err := f.NewStyle(s)
	require.NoError(t, err)
	return id
}

func buildTitleRows(t testing.TB, f *excelize.File) {
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

func buildTwoHeaderRows(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "BÁO CÁO LAO ĐỘNG THÁNG 10/2024")
	setRow(t, f, s, "A3", "STT", "Tên xã", "Số lao động", nil, "Ghi chú")
	setRow(t, f, s, "A4", nil, nil, "Nam", "Nữ")
	require.NoError(t, f.MergeCell(s, "C3", "D3"))
	setRow(t, f, s, "A5", 1, "Xã Chiềng Hặc", 120, 98, "")
	setRow(t, f, s, "A6", 2, "Phường Tô Hiệu", 300, 310, "mới sáp nhập")
}

func buildTrailerRows(t testing.TB, f *excelize.File) {
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

func buildDateCells(t testing.TB, f *excelize.File) {
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

func buildLegacyFonts(t testing.TB, f *excelize.File) {
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

func buildMojibake(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "Tên xã", "Ghi chú")
	setRow(t, f, s, "A2", "X· ChiÒng HÆc", "Thaønh phoá Sôn La")
	setRow(t, f, s, "A3", "Xã Mường Bú", "Cà Mau")
}

func buildMultiSheet(t testing.TB, f *excelize.File) {
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

func buildSheetMismatch(t testing.TB, f *excelize.File) {
	setRow(t, f, "Sheet1", "A1", "Mã xã", "Tên xã")
	setRow(t, f, "Sheet1", "A2", "04123", "Xã Chiềng Hặc")
	_, err := f.NewSheet("Khác")
	require.NoError(t, err)
	setRow(t, f, "Khác", "A1", "Mã xã", "Dân số")
	setRow(t, f, "Khác", "A2", "04126", 1200)
}

func buildOutsideTable(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "Mã xã", "Tên xã")
	setRow(t, f, s, "A2", "04123", "Xã Chiềng Hặc")
	setRow(t, f, s, "A3", "04126", "Phường Tô Hiệu", nil, "ghi chú lạc")
	setRow(t, f, s, "A4", "04129", "")
}

func buildHiddenSheet(t testing.TB, f *excelize.File) {
	setRow(t, f, "Sheet1", "A1", "Mã xã", "Tên xã")
	setRow(t, f, "Sheet1", "A2", "04123", "Xã Chiềng Hặc")
	_, err := f.NewSheet("Danh mục")
	require.NoError(t, err)
	setRow(t, f, "Danh mục", "A1", "Mã xã", "Tên xã", "Huyện cũ")
	setRow(t, f, "Danh mục", "A2", "04126", "Phường Tô Hiệu", "Thành phố Sơn La")
	require.NoError(t, f.SetSheetVisible("Danh mục", false))
}

func buildTitleOnlySheet(t testing.TB, f *excelize.File) {
	require.NoError(t, f.SetSheetName("Sheet1", "Bìa"))
	setRow(t, f, "Bìa", "A3", "BÁO CÁO KẾT QUẢ SỐ HÓA HỒ SƠ NĂM 2024")
	require.NoError(t, f.MergeCell("Bìa", "A3", "H3"))
	_, err := f.NewSheet("Số liệu")
	require.NoError(t, err)
	setRow(t, f, "Số liệu", "A1", "Mã xã", "Số hồ sơ")
	setRow(t, f, "Số liệu", "A2", "04123", 15)
}

func buildTableAtC(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "SỞ Y TẾ TỈNH SƠN LA")
	setRow(t, f, s, "C3", "Mã xã", "Tên xã", "Số lượt khám")
	setRow(t, f, s, "C4", "04123", "Xã Chiềng Hặc", 120)
	setRow(t, f, s, "C5", "04126", "Phường Tô Hiệu", 310)
	setRow(t, f, s, "A6", "ghi chú lề")
	setRow(t, f, s, "C6", "04129", "Xã Mường Bú", 95)
}

func buildFormulas(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "Mã xã", "Tên xã", "Số hồ sơ", "Nhãn")
	setRow(t, f, s, "A2", "04123", "Xã Chiềng Hặc", 10)
	setRow(t, f, s, "A3", "04126", "Phường Tô Hiệu", 20)
	setRow(t, f, s, "A4", "04129", "Xã Mường Bú")
	require.NoError(t, f.SetCellFormula(s, "C4", "SUM(C2:C3)"))          // cached 30 (patched in)
	require.NoError(t, f.SetCellFormula(s, "D2", `B2&" - "&A2`))         // cached text (patched in)
	require.NoError(t, f.SetCellFormula(s, "D3", "C2/0"))                // cached #DIV/0! (patched in)
	require.NoError(t, f.SetCellFormula(s, "D4", "VLOOKUP(A4,E:F,2,0)")) // no cached value
}

func buildDate1904(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	yes := true
	require.NoError(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	dmy := "dd/mm/yyyy"
	date := style(t, f, &excelize.Style{CustomNumFmt: &dmy})
	setRow(t, f, "Sheet1", "A1", "Mã hồ sơ", "Ngày nhận")
	// 44111 in the 1904 system is 2024-10-08 (1462 days less than in the 1900 system)
	setRow(t, f, s, "A2", "H56-1", 44111)
	setRow(t, f, s, "A3", "H56-2", 44111.5)
	require.NoError(t, f.SetCellStyle(s, "B2", "B3", date))
}

func buildDateText(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "Mã hồ sơ", "Ngày nhận", "Ghi chú")
	setRow(t, f, s, "A2", "H56-1", "ngày 08 tháng 10 năm 2024", "chữ")
	setRow(t, f, s, "A3", "H56-2", "08/10/2024", "dd/mm/yyyy typed as text")
	setRow(t, f, s, "A4", "H56-3", "Sơn La, ngày 01 tháng 7 năm 2025", "with a place")
}

func buildCodesAsNumbers(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	zeros := "00000"
	padded := style(t, f, &excelize.Style{CustomNumFmt: &zeros})
	setRow(t, f, s, "A1", "Mã xã (số)", "Mã xã (định dạng 00000)", "Mã xã (chữ)", "CCCD")
	setRow(t, f, s, "A2", 4123, 4123, "04123", 14090012345)
	setRow(t, f, s, "A3", 3646, 3646, "03646", 1.4090012345e+11)
	require.NoError(t, f.SetCellStyle(s, "B2", "B3", padded))
}

func buildRepeatedHeader(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "DANH SÁCH HỘ NGHÈO")
	setRow(t, f, s, "A3", "STT", "Họ và tên chủ hộ", "Mã xã", "Số nhân khẩu")
	setRow(t, f, s, "A4", "(1)", "(2)", "(3)", "(4)")
	setRow(t, f, s, "A5", 1, "Lò Văn Tùng", "04123", 5)
	setRow(t, f, s, "A6", 2, "Quàng Thị Mai", "04123", 3)
	setRow(t, f, s, "A7", "STT", "Họ và tên chủ hộ", "Mã xã", "Số nhân khẩu")
	setRow(t, f, s, "A8", 3, "Cầm Văn Ơn", "04126", 4)
}

func buildMergedDataCells(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "Tên xã", "Thôn, bản", "Số hộ")
	setRow(t, f, s, "A2", "Xã Chiềng Hặc", "Bản Áng", 120)
	setRow(t, f, s, "A3", nil, "Bản Nà Hạ", 95)
	require.NoError(t, f.MergeCell(s, "A2", "A3"))
}

func buildEmptyColumns(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "Mã xã", nil, "Tên xã", nil, "Ghi chú")
	setRow(t, f, s, "A2", "04123", nil, "Xã Chiềng Hặc")
	setRow(t, f, s, "A3", "04126", "lạc", "Phường Tô Hiệu", nil, "mới")
}

func buildLongCell(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "Mã", "Nội dung")
	setRow(t, f, s, "A2", "1", strings.Repeat("Số hóa hồ sơ ", 32767/len("Số hóa hồ sơ ")))
}

func buildSubtotals(t testing.TB, f *excelize.File) {
	s := "Sheet1"
	setRow(t, f, s, "A1", "STT", "Tên xã", "Số hồ sơ")
	setRow(t, f, s, "A2", "I", "Huyện Mường La")
	setRow(t, f, s, "A3", 1, "Xã Mường Bú", 10)
	setRow(t, f, s, "A4", nil, "Cộng huyện Mường La", 10)
	setRow(t, f, s, "A5", 2, "Phường Tô Hiệu", 5)
	setRow(t, f, s, "A6", nil, "Tổng cộng toàn tỉnh", 15)
}
