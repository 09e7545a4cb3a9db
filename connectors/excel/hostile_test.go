package excel

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/hostile"
)

// hostileWorkbook writes a small valid workbook whose part `part` is
// replaced by what gen writes.
func hostileWorkbook(t *testing.T, path, part string, gen func(w io.Writer)) {
	t.Helper()
	base := filepath.Join(t.TempDir(), "base.xlsx")
	f := excelize.NewFile()
	setRow(t, f, "Sheet1", "A1", "Mã xã", "Tên xã")
	setRow(t, f, "Sheet1", "A2", "04123", "Xã Chiềng Hặc")
	require.NoError(t, f.SaveAs(base))
	require.NoError(t, f.Close())
	zr, err := zip.OpenReader(base)
	require.NoError(t, err)
	defer zr.Close()
	out, err := os.Create(path)
	require.NoError(t, err)
	defer out.Close()
	zw := zip.NewWriter(out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	found := false
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		require.NoError(t, err)
		if f.Name == part {
			gen(w)
			found = true
			continue
		}
		rc, err := f.Open()
		require.NoError(t, err)
		_, err = io.Copy(w, rc)
		require.NoError(t, err)
		rc.Close()
	}
	require.True(t, found, "no part %s in %v", part, zr.File)
	require.NoError(t, zw.Close())
}

func readWorkbook(t *testing.T, path string) error {
	cfg := NewConfig()
	cfg.Path = filepath.Base(path)
	src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: filepath.Dir(path), Alloc: memory.NewGoAllocator(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer src.Close()
	for {
		b, err := src.Next(t.Context())
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		b.Release()
	}
}

// repeat writes s n times.
func repeat(w io.Writer, s string, n int) {
	b := []byte(strings.Repeat(s, max(1, 1<<16/len(s))))
	for written := 0; written < n*len(s); written += len(b) {
		_, _ = w.Write(b)
	}
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Mã xã</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>`
const sheetTail = `</t></is></c></row></sheetData></worksheet>`

// TestHostileWorkbooks feeds workbooks built to take the machine: zip bombs
// of every part the reader opens, a huge cell below the ratio limit, a huge
// tag, deep nesting, a billion laughs. Each is refused within a second of
// CPU, with a bounded heap and a short message naming the part.
func TestHostileWorkbooks(t *testing.T) {
	dir := t.TempDir()
	bomb := func(w io.Writer) { repeat(w, " ", 64<<20) } // 64 MiB of spaces: about 64 KiB compressed
	type tc struct {
		name, part string
		gen        func(io.Writer)
		want       string
	}
	var cases []tc
	for _, part := range []string{"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"} {
		cases = append(cases, tc{"zip bomb " + part, part, bomb, "more than 200 times (a zip bomb)"})
	}
	cases = append(cases,
		tc{"a 500 MB cell", "xl/worksheets/sheet1.xml", func(w io.Writer) {
			io.WriteString(w, sheetHead)
			repeat(w, "x", 500<<20)
			io.WriteString(w, sheetTail)
		}, "a zip bomb"},
		tc{"a 2 MB cell of varied text", "xl/worksheets/sheet1.xml", func(w io.Writer) {
			io.WriteString(w, sheetHead)
			for i := range 2 << 20 / 16 {
				io.WriteString(w, strings.Repeat(string(rune('a'+i%26)), 3)+"Chiềng Hặc ")
			}
			io.WriteString(w, sheetTail)
		}, "a text of more than 1048576 bytes"},
		tc{"a 2 MB shared string", "xl/sharedStrings.xml", func(w io.Writer) {
			io.WriteString(w, `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>`)
			for i := range 2 << 20 / 16 {
				io.WriteString(w, strings.Repeat(string(rune('a'+i%26)), 3)+"Chiềng Hặc ")
			}
			io.WriteString(w, `</t></si></sst>`)
		}, "a text of more than 1048576 bytes"},
		tc{"a 1 MB attribute", "xl/worksheets/sheet1.xml", func(w io.Writer) {
			io.WriteString(w, `<?xml version="1.0"?><worksheet><sheetData><row r="1" x="`)
			for i := range 1 << 20 / 8 {
				io.WriteString(w, string(rune('a'+i%26))+"bcdefgh")
			}
			io.WriteString(w, `"/></sheetData></worksheet>`)
		}, "a tag of more than 65536 bytes"},
		tc{"deep nesting", "xl/worksheets/sheet1.xml", func(w io.Writer) {
			io.WriteString(w, `<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is>`)
			repeat(w, "<r>", 1<<20)
			io.WriteString(w, sheetTail)
		}, "elements nested more than 64 deep"},
		tc{"billion laughs", "xl/worksheets/sheet1.xml", func(w io.Writer) {
			io.WriteString(w, `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">`)
			prev := "lol"
			for i := 1; i <= 9; i++ {
				name := "lol" + string(rune('0'+i))
				io.WriteString(w, `<!ENTITY `+name+` "`+strings.Repeat("&"+prev+";", 10)+`">`)
				prev = name
			}
			io.WriteString(w, `]><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>`)
		}, "invalid character entity &lol9;"},
	)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "hostile"+string(rune('a'+i))+".xlsx")
			hostileWorkbook(t, path, c.part, c.gen)
			fi, err := os.Stat(path)
			require.NoError(t, err)
			var rerr error
			cost := hostile.Measure(func() { rerr = readWorkbook(t, path) })
			t.Logf("%d-byte file refused in %s (CPU %s), peak heap %d MiB: %v", fi.Size(), cost.Wall, cost.CPU, cost.PeakHeap>>20, rerr)
			require.Error(t, rerr)
			assert.Contains(t, rerr.Error(), c.want)
			if strings.HasPrefix(c.part, "xl/worksheets/") {
				assert.Contains(t, rerr.Error(), "Sheet1", "the sheet is named")
			} else {
				assert.Contains(t, rerr.Error(), c.part)
			}
			assert.Contains(t, rerr.Error(), filepath.Base(path))
			assert.Less(t, len(rerr.Error()), 1024)
			assert.Less(t, cost.CPU, time.Second, "CPU time")
			assert.Less(t, cost.Wall, 5*time.Second, "wall time (loose: the machine may be shared)")
			assert.Less(t, cost.PeakHeap, uint64(64<<20), "peak heap %d MiB", cost.PeakHeap>>20)
		})
	}
}
