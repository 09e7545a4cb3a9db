package sampledata

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sonla-data/kho/schemas/units"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

var reViInt = regexp.MustCompile(`^\d{1,3}(?:\.\d{3})*$`)

func checkLabour(t *testing.T, dir string, m *Manifest) {
	v := newValidity()
	keys := map[string]bool{}
	nfd := 0
	for year := 2024; year <= 2025; year++ {
		for q := 1; q <= 4; q++ {
			name := LabourFile(year, q)
			raw, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			require.True(t, bytes.HasPrefix(raw, []byte("\ufeff")), "%s starts with a BOM", name)
			assert.Equal(t, bytes.Count(raw, []byte("\n")), bytes.Count(raw, []byte("\r\n")), "%s has CRLF line ends", name)
			r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
			recs, err := r.ReadAll()
			require.NoError(t, err)
			require.Equal(t, LabourHeader, recs[0])
			c := newCounter(t)
			for i, rec := range recs[1:] {
				where := fmt.Sprintf("%s line %d", name, i+2)
				var defects []string
				if rec[0] == "" {
					defects = append(defects, BadMissingKey)
				} else {
					assert.False(t, keys[rec[0]], "%s: duplicate %s", where, rec[0])
					keys[rec[0]] = true
				}
				month, err := time.Parse("01/2006", rec[2])
				require.NoError(t, err, where)
				assert.Equal(t, q, (int(month.Month())+2)/3, where)
				if !norm.NFC.IsNormalString(rec[1]) {
					nfd++
				}
				switch codes := matchName(v.set.CommunesAt(month), rec[1]); len(codes) {
				case 0:
					defects = append(defects, BadUnknownCommune)
				case 1:
				default:
					t.Errorf("%s: %q matches %v", where, rec[1], codes)
				}
				for _, num := range rec[3:6] {
					if !reViInt.MatchString(num) {
						defects = append(defects, BadNotANumber)
					}
				}
				sent, err := time.Parse("02/01/2006", rec[6])
				require.NoError(t, err, where)
				assert.Equal(t, month.Format("2006-01"), sent.Format("2006-01"), where)
				c.row(where, defects...)
			}
			it, ok := m.Item(SourceLabour, name, "")
			c.equal(it, ok)
			assert.Equal(t, len(recs)-1, it.Rows)
		}
	}
	assert.Positive(t, nfd, "some names are written in NFD")
}

func checkCulture(t *testing.T, dir string, m *Manifest) {
	v := newValidity()
	it, ok := m.Item(SourceCulture, CultureFile, "")
	require.True(t, ok)
	f, err := excelize.OpenFile(filepath.Join(dir, CultureFile))
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{CultureSheet}, f.GetSheetList())
	rows, err := f.GetRows(CultureSheet)
	require.NoError(t, err)
	assert.Equal(t, "ỦY BAN NHÂN DÂN TỈNH SƠN LA", rows[0][0])
	assert.Equal(t, "DANH MỤC DI TÍCH ĐÃ ĐƯỢC XẾP HẠNG", rows[1][0])
	assert.Empty(t, rows[2])
	require.Equal(t, CultureHeader, rows[3])
	require.Equal(t, it.HeaderRows+it.Rows+it.TrailerRows, len(rows), "header + data + trailer rows")
	trailer := rows[it.HeaderRows+it.Rows:]
	assert.Empty(t, trailer[0])
	assert.Equal(t, []string{"", "Tổng cộng", strconv.Itoa(it.Rows)}, trailer[1])
	assert.Contains(t, strings.Join(trailer[len(trailer)-4], "|"), "Người lập biểu")
	assert.Contains(t, strings.Join(trailer[len(trailer)-4], "|"), "GIÁM ĐỐC")

	c := newCounter(t)
	keys := map[string]bool{}
	special := 0
	for i := range it.Rows {
		row := it.HeaderRows + i + 1
		cell := func(col int) string {
			name, _ := excelize.CoordinatesToCellName(col, row)
			s, err := f.GetCellValue(CultureSheet, name, excelize.Options{RawCellValue: true})
			require.NoError(t, err)
			return s
		}
		where := fmt.Sprintf("row %d", row)
		var defects []string
		if key := cell(2); key == "" {
			defects = append(defects, BadMissingKey)
		} else {
			assert.False(t, keys[key], "%s: duplicate %s", where, key)
			keys[key] = true
		}
		code := cell(7)
		codeCell, _ := excelize.CoordinatesToCellName(7, row)
		typ, err := f.GetCellType(CultureSheet, codeCell)
		require.NoError(t, err)
		assert.NotEqual(t, excelize.CellTypeNumber, typ, "%s: Mã xã is text", where)
		assert.Len(t, code, 5, where)
		if !v.validAt(code, units.Reform) {
			defects = append(defects, BadUnknownCommune)
		} else {
			assert.Equal(t, matchName(v.set.CommunesAt(units.Reform), cell(6)), []string{code}, where)
		}
		serial, err := strconv.ParseFloat(cell(9), 64)
		require.NoError(t, err, "%s: Ngày quyết định is a number", where)
		decided, err := excelize.ExcelDateToTime(serial, false)
		require.NoError(t, err)
		assert.True(t, decided.Year() >= 1990 && decided.Year() <= 2025, where)
		assert.Equal(t, strconv.Itoa(decided.Year()), cell(8), where)
		assert.Contains(t, siteKinds, cell(4))
		assert.Contains(t, rankings, cell(5))
		if cell(5) == "Quốc gia đặc biệt" {
			special++
		}
		c.row(where, defects...)
	}
	c.equal(it, true)
	assert.Less(t, special, it.Rows/10, "few special national sites")
}
