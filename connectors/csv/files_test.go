package csv

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

	"github.com/sonla-data/kho/connectors"
)

// TestEachFileOnce runs a glob three times with the state a commit would
// keep: unchanged files are passed over, a corrected file is read again.
func TestEachFileOnce(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("drops/2024/a.csv", "ma_xa,ten_xa\n04123,Xã Chiềng Hặc\n")
	write("drops/2025/b.csv", "ma_xa,ten_xa\n04126,Phường Tô Hiệu\n")
	cfg := NewConfig()
	cfg.Path = "drops/**/*.csv"

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

	ids, cols, files, _ := run(nil)
	assert.Equal(t, []string{"04123", "04126"}, ids)
	require.Len(t, files, 2)
	a, b := filepath.Join(dir, "drops/2024/a.csv"), filepath.Join(dir, "drops/2025/b.csv")
	hashA, err := connectors.HashFile(a)
	require.NoError(t, err)
	assert.Equal(t, hashA, files[a])

	state := &connectors.State{Files: files}
	ids, cols2, files2, logs := run(state)
	assert.Empty(t, ids, "nothing changed: nothing read")
	assert.Equal(t, cols, cols2, "the columns still come from the first file's header")
	assert.Equal(t, files, files2, "unchanged files stay in the state")
	assert.Contains(t, logs, "skipping a file loaded before, unchanged")

	write("drops/2025/b.csv", "ma_xa,ten_xa\n04126,Phường Tô Hiệu (đã sửa)\n")
	ids, _, files3, _ := run(state)
	assert.Equal(t, []string{"04126"}, ids, "only the corrected file is read again")
	assert.NotEqual(t, files[b], files3[b])
	assert.Equal(t, files[a], files3[a])
}
