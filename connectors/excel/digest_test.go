package excel

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/digesttest"
)

// TestRawDigest: an unchanged XLSX rerun knows its input unchanged from the
// workbooks' bytes, without reading their sheets. Read and hashed agree
// (the first workbook, and a workbook without a cell, were read before the
// digest was asked for); a cell, a renamed or added workbook and the sheets
// chosen each change it; an incremental reading does not digest itself.
func TestRawDigest(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rows ...[]any) { writeRows(t, dir, name, rows...) }
	header := []any{"Mã xã", "Số di tích"}
	write("a.xlsx") // no cell
	write("b.xlsx", header, []any{"04123", 3})
	write("c.xlsx", header, []any{"04126", 5})
	cfg := NewConfig()
	cfg.Path = "*.xlsx"

	base := digesttest.Files(t, dir, cfg, false)
	assert.Equal(t, base, digesttest.Files(t, dir, cfg, true), "read and hashed agree")
	seen := digesttest.Distinct{base: "the workbooks as loaded"}
	check := func(what string, c *Config) {
		t.Helper()
		got := digesttest.Files(t, dir, c, true)
		assert.Equal(t, got, digesttest.Files(t, dir, c, false), "%s: read and hashed agree", what)
		seen.Add(t, what, got)
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
