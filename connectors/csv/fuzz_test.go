package csv

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sonla-data/kho/connectors"
)

// FuzzCSV feeds any bytes to the connector: it must not panic, every record
// it reads must come out as a row or be counted as skipped, line numbers must
// grow, values must be UTF-8, and every batch must be released.
func FuzzCSV(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/input.*")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b, true)
		}
	}
	f.Add([]byte("a,b\n\"x\n"), false)
	f.Add([]byte("\xff\xfe\x00"), true)
	f.Fuzz(func(t *testing.T, data []byte, header bool) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "in.csv"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer alloc.AssertSize(t, 0)
		cfg := NewConfig()
		cfg.Path, cfg.Header = "in.csv", header
		src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir, Alloc: alloc, BatchSize: 3})
		if err != nil {
			return // a header the csv reader cannot parse fails the source: fine
		}
		defer src.Close()
		s := src.(*Source)
		rows, last := 0, int64(0)
		for {
			b, err := src.Next(t.Context())
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			n := int(b.NumCols())
			lines := b.Column(n - 2).(*array.Int64)
			for i := range int(b.NumRows()) {
				if lines.Value(i) <= last {
					t.Fatalf("line %d after line %d", lines.Value(i), last)
				}
				last = lines.Value(i)
				for c := range n {
					if col, ok := b.Column(c).(*array.String); ok && col.IsValid(i) && !utf8.ValidString(col.Value(i)) {
						t.Fatalf("column %d row %d: invalid UTF-8 %q", c, i, col.Value(i))
					}
				}
			}
			rows += int(b.NumRows())
			b.Release()
		}
		if rows+s.Skipped() != s.records {
			t.Fatalf("%d rows + %d skipped != %d records read", rows, s.Skipped(), s.records)
		}
	})
}
