package excel

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/sonla-data/kho/connectors"
)

// digestOf reads cfg's workbooks once with DigestRaw, through Next (as a
// load does) or DrainRaw (as an unchanged rerun does).
func digestOf(t *testing.T, dir string, cfg *Config, drain bool) string {
	t.Helper()
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer checked.AssertSize(t, 0)
	src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir, Alloc: checked})
	require.NoError(t, err)
	defer src.Close()
	h := sha256.New()
	require.True(t, src.(connectors.RawDigester).DigestRaw(h), "a whole reading digests itself")
	if drain {
		rows, err := src.(connectors.RawDigester).DrainRaw(t.Context(), nil)
		require.NoError(t, err)
		assert.EqualValues(t, -1, rows)
	} else {
		for {
			rec, err := src.Next(t.Context())
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			rec.Release()
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestRawDigest: an unchanged XLSX rerun knows its input unchanged from the
// workbooks' bytes, without reading their sheets. Read and hashed agree
// (the first workbook, and a workbook without a cell, were read before the
// digest was asked for); a cell, a renamed or added workbook and the sheets
// chosen each change it; an incremental reading does not digest itself.
func TestRawDigest(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rows ...[]any) {
		f := excelize.NewFile()
		defer f.Close()
		for i, r := range rows {
			cell, err := excelize.CoordinatesToCellName(1, i+1)
			require.NoError(t, err)
			require.NoError(t, f.SetSheetRow("Sheet1", cell, &r))
		}
		require.NoError(t, f.SaveAs(filepath.Join(dir, name)))
	}
	header := []any{"Mã xã", "Số di tích"}
	write("a.xlsx") // no cell
	write("b.xlsx", header, []any{"04123", 3})
	write("c.xlsx", header, []any{"04126", 5})
	cfg := NewConfig()
	cfg.Path = "*.xlsx"

	base := digestOf(t, dir, cfg, false)
	assert.Equal(t, base, digestOf(t, dir, cfg, true), "read and hashed agree")
	seen := map[string]string{base: "the workbooks as loaded"}
	check := func(what string, c *Config) {
		t.Helper()
		got := digestOf(t, dir, c, true)
		assert.Equal(t, got, digestOf(t, dir, c, false), "%s: read and hashed agree", what)
		if prev, dup := seen[got]; dup {
			t.Errorf("%s: the digest is the one of %s", what, prev)
		}
		seen[got] = what
	}
	write("c.xlsx", header, []any{"04126", 6})
	check("a cell", cfg)
	require.NoError(t, os.Rename(filepath.Join(dir, "c.xlsx"), filepath.Join(dir, "d.xlsx")))
	check("a workbook renamed", cfg)
	write("e.xlsx", header, []any{"04129", 1})
	check("a workbook added", cfg)
	sheet := *cfg
	sheet.Sheets = []string{"Sheet1"}
	check("the sheets named", &sheet)

	src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir, Alloc: memory.NewGoAllocator(), State: &connectors.State{Files: map[string]string{}}})
	require.NoError(t, err)
	defer src.Close()
	assert.False(t, src.(connectors.RawDigester).DigestRaw(sha256.New()), "an incremental reading passes workbooks over")
}
