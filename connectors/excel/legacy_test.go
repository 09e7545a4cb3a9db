package excel

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/sonla-data/kho/connectors"
)

// TestLegacyFontsEndToEnd writes a workbook whose cells hold the phrases of
// testdata/legacy_charset_examples.csv (a copy of the shared reference facts)
// as TCVN3 and VNI text, the way a sheet typed in .VnTime, .VnTimeH and
// VNI-Times stores them, and checks that every cell comes out as the Unicode
// phrase (in capitals for the capital font .VnTimeH). The same text in a
// Unicode font comes out repaired with repair_legacy: true.
func TestLegacyFontsEndToEnd(t *testing.T) {
	f, err := os.Open("testdata/legacy_charset_examples.csv")
	require.NoError(t, err)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(t, err)
	recs = recs[1:]
	require.NotEmpty(t, recs)

	wb := excelize.NewFile()
	defer wb.Close()
	font := func(family string) int {
		id, err := wb.NewStyle(&excelize.Style{Font: &excelize.Font{Family: family}})
		require.NoError(t, err)
		return id
	}
	tcvn, caps, vni, arial := font(".VnTime"), font(".VnTimeH"), font("VNI-Times"), font("Arial")
	s := "Sheet1"
	header := []any{"Unicode", ".VnTime", ".VnTimeH", "VNI-Times", "Arial (mojibake)"}
	require.NoError(t, wb.SetSheetRow(s, "A1", &header))
	for i, r := range recs {
		row := i + 2
		vals := []any{r[0], r[1], r[1], r[2], r[1]}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		require.NoError(t, wb.SetSheetRow(s, cell, &vals))
		for col, style := range map[int]int{2: tcvn, 3: caps, 4: vni, 5: arial} {
			c, _ := excelize.CoordinatesToCellName(col, row)
			require.NoError(t, wb.SetCellStyle(s, c, c, style))
		}
	}
	dir := t.TempDir()
	require.NoError(t, wb.SaveAs(filepath.Join(dir, "legacy.xlsx")))

	for _, repair := range []bool{false, true} {
		cfg := NewConfig()
		cfg.Path, cfg.RepairLegacy = "legacy.xlsx", repair
		src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir})
		require.NoError(t, err)
		n := 0
		for {
			b, err := src.Next(t.Context())
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			col := func(i int) *array.String { return b.Column(i).(*array.String) }
			for i := range int(b.NumRows()) {
				want := recs[n][0]
				assert.Equal(t, want, col(0).Value(i))
				assert.Equal(t, want, col(1).Value(i), ".VnTime")
				assert.Equal(t, strings.ToUpper(want), col(2).Value(i), ".VnTimeH shows capitals")
				assert.Equal(t, want, col(3).Value(i), "VNI-Times")
				if repair {
					assert.Equal(t, want, col(4).Value(i), "a Unicode font with repair_legacy")
				} else {
					assert.Equal(t, recs[n][1], col(4).Value(i), "a Unicode font is left alone")
				}
				n++
			}
			b.Release()
		}
		require.NoError(t, src.Close())
		assert.Equal(t, len(recs), n)
	}
}
