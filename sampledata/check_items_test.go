package sampledata

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/sonla-data/kho/internal/vnenc"
)

// checkItems reads back every item that names its dataset and counts its
// data rows independently of the generator: SQLite rows, CSV records (TCVN3
// decoded), sheet rows between the header and the "Tổng cộng" row.
func checkItems(t *testing.T, dir string, m *Manifest) {
	seen := 0
	for _, s := range m.Sources {
		for _, it := range s.Items {
			if it.Dataset == "" {
				continue
			}
			seen++
			path := filepath.Join(dir, it.File)
			var rows int
			switch {
			case it.Table != "":
				db := openDB(t, dir, it.File)
				require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+it.Table).Scan(&rows))
			case strings.HasSuffix(it.File, ".csv"):
				raw, err := os.ReadFile(path)
				require.NoError(t, err)
				text := string(bytes.TrimPrefix(raw, []byte("\ufeff")))
				if it.File == HotspotFile {
					text = vnenc.DecodeTCVN3(raw) // the one drop that is not UTF-8
					assert.Contains(t, text, "Loại ô nhiễm", it.File)
				}
				r := csv.NewReader(strings.NewReader(text))
				r.Comma = ','
				if strings.Contains(strings.SplitN(text, "\n", 2)[0], ";") {
					r.Comma = ';'
				}
				recs, err := r.ReadAll()
				require.NoError(t, err, it.File)
				rows = len(recs) - 1
			case strings.HasSuffix(it.File, ".xlsx"):
				f, err := excelize.OpenFile(path)
				require.NoError(t, err)
				all, err := f.GetRows(it.Sheet)
				f.Close()
				require.NoError(t, err)
				for _, r := range all[it.HeaderRows:] {
					if len(r) > 1 && r[1] == "Tổng cộng" {
						break
					}
					if len(r) > 0 {
						rows++
					}
				}
			case strings.HasSuffix(it.File, ".json"):
				continue // the dossier files have their own checks
			default:
				t.Fatalf("%s: unknown kind of file", it.File)
			}
			assert.Equal(t, it.Rows, rows, "%s %s: data rows", it.File, it.Table)
			assert.LessOrEqual(t, it.BadRows(), max(3, it.Rows/10), "%s %s: planted bad rows are few", it.File, it.Table)
		}
	}
	assert.GreaterOrEqual(t, seen, 40, "items that name their dataset")
	// the market names typed in TCVN3 are mojibake in the database
	it, ok := m.Item(SourceIndustry, IndustryFile, "cho")
	require.True(t, ok)
	var moji int
	db := openDB(t, dir, IndustryFile)
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM cho WHERE ten_cho NOT LIKE 'Chợ%' AND xa_phuong <> ?`, UnknownCommuneName).Scan(&moji))
	assert.Equal(t, it.Mojibake, moji)
	assert.Positive(t, moji, fmt.Sprintf("%+v", it))
}
