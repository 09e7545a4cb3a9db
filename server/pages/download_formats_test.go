package pages_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/sonla-data/kho/schemas"
)

// downloadCSV fetches a dataset's CSV (BOM dropped) and parses it.
func downloadCSV(t *testing.T, id, query string) [][]string {
	code, body := fetch(t, env.srv.URL+"/open/datasets/"+id+"/download/csv"+query)
	require.Equal(t, 200, code, string(body))
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	require.NoError(t, err)
	return recs
}

// TestDownloadXLSX: an XLSX download holds every row of the CSV download,
// under the columns' Vietnamese labels, codes as text (leading zeros
// kept), numbers as numbers with their decimals, dates as dates.
func TestDownloadXLSX(t *testing.T) {
	ids := []string{"health-clinics"}
	// A dataset with decimals and dates, from the schemas.
	for _, id := range publishedIDs(t) {
		s, _ := env.wh.Schemas.Get(strings.Replace(id, "-", ".", 1))
		var dec, date bool
		for _, c := range s.Columns {
			dec = dec || (c.Kind() == schemas.KindDecimal && c.PII == "")
			date = date || (c.Kind() == schemas.KindDate && c.PII == "")
		}
		if dec && date {
			ids = append(ids, id)
			break
		}
	}
	require.Len(t, ids, 2, "a published dataset with decimals and dates")
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			s, _ := env.wh.Schemas.Get(strings.Replace(id, "-", ".", 1))
			resp := get(t, "/open/datasets/"+id+"/download/xlsx")
			require.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", resp.Header.Get("Content-Type"))
			assert.Equal(t, `attachment; filename="`+id+`.xlsx"`, resp.Header.Get("Content-Disposition"))
			f, err := excelize.OpenReader(resp.Body)
			require.NoError(t, err, "the download opens as a workbook")
			defer f.Close()
			sheet := f.GetSheetName(0)
			rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			require.NoError(t, err)
			want := downloadCSV(t, id, "")
			require.Len(t, rows, len(want), "a header and every row")

			// Headers: the Vietnamese labels of the CSV's columns.
			cols := make([]schemas.Column, len(want[0]))
			for i, name := range want[0] {
				for _, c := range s.Columns {
					if c.Name == name {
						cols[i] = c
					}
				}
				require.NotEmpty(t, cols[i].Label, name)
			}
			for i, c := range cols {
				assert.Equal(t, c.Label, rows[0][i], "header of %s", c.Name)
			}
			var seen struct{ code, number, decimal, date bool }
			for r := 1; r < len(want); r++ {
				for i, c := range cols {
					csvText := want[r][i]
					var got string
					if i < len(rows[r]) {
						got = rows[r][i]
					}
					cell, _ := excelize.CoordinatesToCellName(i+1, r+1)
					typ, err := f.GetCellType(sheet, cell)
					require.NoError(t, err)
					if csvText == "" {
						assert.Empty(t, got, "%s row %d", c.Name, r)
						continue
					}
					switch c.Kind() {
					case schemas.KindInt, schemas.KindDecimal, schemas.KindFloat:
						assert.Contains(t, []excelize.CellType{excelize.CellTypeNumber, excelize.CellTypeUnset}, typ, "%s row %d is a number", c.Name, r)
						a, err1 := strconv.ParseFloat(csvText, 64)
						b, err2 := strconv.ParseFloat(got, 64)
						require.NoError(t, err1)
						require.NoError(t, err2, "%s row %d: %q", c.Name, r, got)
						assert.InDelta(t, a, b, 1e-9*max(1, a), "%s row %d", c.Name, r)
						seen.number = true
						if _, frac, ok := strings.Cut(csvText, "."); ok && c.Kind() == schemas.KindDecimal {
							style, err := f.GetCellStyle(sheet, cell)
							require.NoError(t, err)
							st, err := f.GetStyle(style)
							require.NoError(t, err)
							require.NotNil(t, st.CustomNumFmt, "%s row %d has a number format", c.Name, r)
							assert.Equal(t, "0."+strings.Repeat("0", len(frac)), *st.CustomNumFmt, "%s shows its %d decimals", c.Name, len(frac))
							seen.decimal = true
						}
					case schemas.KindDate:
						formatted, err := f.GetCellValue(sheet, cell)
						require.NoError(t, err)
						parts := strings.Split(csvText, "-")
						require.Len(t, parts, 3, csvText)
						assert.Equal(t, parts[2]+"/"+parts[1]+"/"+parts[0], formatted, "%s row %d is a date", c.Name, r)
						seen.date = true
					case schemas.KindTimestamp:
						formatted, err := f.GetCellValue(sheet, cell)
						require.NoError(t, err)
						// 2025-07-01T07:00:00+07:00 -> 01/07/2025 07:00:00
						day, clock, _ := strings.Cut(csvText, "T")
						parts := strings.Split(day, "-")
						assert.Equal(t, parts[2]+"/"+parts[1]+"/"+parts[0]+" "+clock[:8], formatted, "%s row %d in Vietnam's time", c.Name, r)
					case schemas.KindString:
						assert.Contains(t, []excelize.CellType{excelize.CellTypeInlineString, excelize.CellTypeSharedString}, typ, "%s row %d is text", c.Name, r)
						assert.Equal(t, csvText, got, "%s row %d", c.Name, r)
						if _, err := strconv.Atoi(csvText); err == nil {
							seen.code = true // a code of digits stays text
						}
					}
				}
			}
			assert.True(t, seen.number, "numbers were checked")
			if id == "health-clinics" {
				assert.True(t, seen.code, "a code of digits was checked")
			} else {
				assert.True(t, seen.decimal && seen.date, "decimals and dates were checked")
			}
		})
	}
}

// TestDownloadCSVHeaders: ?headers=vi names the CSV's columns by their
// Vietnamese labels (en: English), the rows unchanged.
func TestDownloadCSVHeaders(t *testing.T) {
	s, ok := env.wh.Schemas.Get("health.clinics")
	require.True(t, ok)
	plain := downloadCSV(t, "health-clinics", "")
	vi := downloadCSV(t, "health-clinics", "?headers=vi")
	en := downloadCSV(t, "health-clinics", "?headers=en")
	require.Equal(t, len(plain), len(vi))
	assert.Equal(t, plain[1:], vi[1:], "the same rows")
	assert.Equal(t, plain[1:], en[1:], "the same rows")
	for i, name := range plain[0] {
		for _, c := range s.Columns {
			if c.Name == name {
				assert.Equal(t, c.Label, vi[0][i])
				assert.Equal(t, c.LabelEN, en[0][i])
			}
		}
	}
	assert.Contains(t, vi[0], "Số giường bệnh")
	code, _ := fetch(t, env.srv.URL+"/open/datasets/health-clinics/download/csv?headers=fr")
	assert.Equal(t, 400, code)
}
