package excel

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/sonla-data/kho/connectors"
)

// writeRows saves a workbook of rows, from A1 of Sheet1, at dir/name.
func writeRows(t *testing.T, dir, name string, rows ...[]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, err)
		require.NoError(t, f.SetSheetRow("Sheet1", cell, &r))
	}
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, f.SaveAs(p))
}

// TestEachWorkbookOnce runs a glob three times with the state a commit would
// keep: unchanged workbooks are passed over (their header still fixes the
// columns), a corrected one is read again, and Excel's lock file is left out.
func TestEachWorkbookOnce(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rows ...[]any) { writeRows(t, dir, name, rows...) }
	header := []any{"Mã xã", "Số di tích"}
	write("drops/q1/a.xlsx", header, []any{"04123", 3})
	write("drops/q2/b.xlsx", header, []any{"04126", 5})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "drops/q2/~$b.xlsx"), []byte("lock"), 0o644))
	cfg := NewConfig()
	cfg.Path = "drops/**/*.xlsx"

	run := func(state *connectors.State) (ids []string, cols int, files map[string]string, logs string) {
		alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer alloc.AssertSize(t, 0)
		var buf bytes.Buffer
		src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir, Alloc: alloc, State: state, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
		require.NoError(t, err)
		defer src.Close()
		for {
			b, err := src.Next(t.Context())
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			col := b.Column(0).(*array.String)
			for i := range col.Len() {
				ids = append(ids, col.Value(i))
			}
			b.Release()
		}
		return ids, src.Schema().NumFields(), src.(*Source).Files(), buf.String()
	}

	ids, cols, files, logs := run(nil)
	assert.Equal(t, []string{"04123", "04126"}, ids)
	assert.Equal(t, 5, cols)
	require.Len(t, files, 2)
	assert.Contains(t, logs, "leaving out an office lock file")
	b := filepath.Join(dir, "drops/q2/b.xlsx")
	hashB, err := connectors.HashFile(b)
	require.NoError(t, err)
	assert.Equal(t, hashB, files[b])

	state := &connectors.State{Files: files}
	ids, cols2, files2, logs := run(state)
	assert.Empty(t, ids)
	assert.Equal(t, cols, cols2, "the columns come from the unchanged first workbook's header")
	assert.Equal(t, files, files2)
	assert.Contains(t, logs, "skipping a file loaded before, unchanged")

	write("drops/q2/b.xlsx", header, []any{"04126", 6})
	ids, _, files3, _ := run(state)
	assert.Equal(t, []string{"04126"}, ids)
	assert.NotEqual(t, files[b], files3[b])
}
