package excel

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sonla-data/kho/connectors"
)

// FuzzExcel feeds any bytes to the connector as an .xlsx: no panic, values
// in UTF-8, row numbers that grow within a sheet, and every batch released.
// The seeds are the workbooks of the golden cases.
func FuzzExcel(f *testing.F) {
	names := make([]string, 0, len(xlsxCases)+len(rawCases))
	for n := range xlsxCases {
		names = append(names, n)
	}
	for n := range rawCases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		dir := f.TempDir()
		writeCase(f, n, dir)
		b, err := os.ReadFile(filepath.Join(dir, "input.xlsx"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "in.xlsx"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer alloc.AssertSize(t, 0)
		cfg := NewConfig()
		cfg.Path = "in.xlsx"
		src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir, Alloc: alloc, BatchSize: 3})
		if err != nil {
			return // refused with an error: fine
		}
		defer src.Close()
		last := map[string]int64{}
		for {
			b, err := src.Next(t.Context())
			if errors.Is(err, io.EOF) || err != nil {
				break
			}
			n := int(b.NumCols())
			files := b.Column(n - 3).(*array.String)
			rows := b.Column(n - 2).(*array.Int64)
			for i := range int(b.NumRows()) {
				if rows.Value(i) <= last[files.Value(i)] {
					t.Fatalf("row %d after row %d in %s", rows.Value(i), last[files.Value(i)], files.Value(i))
				}
				last[files.Value(i)] = rows.Value(i)
				for c := range n {
					if col, ok := b.Column(c).(*array.String); ok && col.IsValid(i) && !utf8.ValidString(col.Value(i)) {
						t.Fatalf("column %d row %d: invalid UTF-8 %q", c, i, col.Value(i))
					}
				}
			}
			b.Release()
		}
	})
}
