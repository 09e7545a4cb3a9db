package csv

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/hostile"
)

// readAll reads every row of the file at path with cfg, returning the
// values of the columns and the error that stopped the reading.
func readAll(t *testing.T, path string, cfg *Config) ([][]string, error) {
	t.Helper()
	cfg.Path = filepath.Base(path)
	src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: filepath.Dir(path), Alloc: memory.NewGoAllocator(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var rows [][]string
	for {
		b, err := src.Next(t.Context())
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		for r := range int(b.NumRows()) {
			var row []string
			for c := range int(b.NumCols()) {
				if strings.HasPrefix(b.ColumnName(c), "_kho") {
					continue
				}
				if s, ok := b.Column(c).(*array.String); ok {
					row = append(row, s.Value(r))
				}
			}
			rows = append(rows, row)
		}
		b.Release()
	}
}

// TestHostileCSV feeds files built to take the machine: each is refused
// within a second, with its line and the limit, in a message of a few
// hundred bytes, having allocated a bounded amount of memory (measured).
func TestHostileCSV(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name    string
		content func(w io.Writer)
		want    string
	}{
		{"one 50 MB line", func(w io.Writer) {
			io.WriteString(w, "ma,ten\n1,ok\n")
			chunk := strings.Repeat("x", 1<<20)
			for range 50 {
				io.WriteString(w, chunk)
			}
			io.WriteString(w, "\n")
		}, "the record starting on line 3 is longer than 16777216 bytes"},
		{"one 50 MB quoted field of short lines", func(w io.Writer) {
			io.WriteString(w, "ma,ten\n1,\"")
			line := strings.Repeat("y", 99) + "\n"
			for range 500000 {
				io.WriteString(w, line)
			}
			io.WriteString(w, "\"\n")
		}, "the record starting on line 2 is longer than 16777216 bytes"},
		{"a million fields", func(w io.Writer) {
			io.WriteString(w, "ma,ten\n")
			io.WriteString(w, strings.Repeat(",", 1<<20))
			io.WriteString(w, "\n")
		}, "the record starting on line 2 has more than 16384 fields"},
		{"a header of a million fields", func(w io.Writer) {
			io.WriteString(w, strings.Repeat("c,", 1<<20))
			io.WriteString(w, "\n")
		}, "the record starting on line 1 has more than 16384 fields"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".csv")
			f, err := os.Create(path)
			require.NoError(t, err)
			w := bufio.NewWriter(f)
			tc.content(w)
			require.NoError(t, w.Flush())
			require.NoError(t, f.Close())
			cost := hostile.Measure(func() { _, err = readAll(t, path, NewConfig()) })
			t.Logf("refused in %s (CPU %s), peak heap %d MiB: %v", cost.Wall, cost.CPU, cost.PeakHeap>>20, err)
			require.Error(t, err)
			var le *LimitError
			assert.ErrorAs(t, err, &le)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), filepath.Base(path))
			assert.Less(t, len(err.Error()), 1024)
			assert.Less(t, cost.CPU, time.Second, "CPU time")
			assert.Less(t, cost.Wall, 5*time.Second, "wall time (loose: the machine may be shared)")
			assert.Less(t, cost.PeakHeap, uint64(96<<20), "peak heap %d MiB", cost.PeakHeap>>20)
		})
	}
}

// TestRecordLimitConfigurable: a record under the configured limit is read
// whole; the same file with a lower limit is refused.
func TestRecordLimitConfigurable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "notes.csv")
	long := strings.Repeat("ghi chú ", 1000)
	require.NoError(t, os.WriteFile(path, []byte("ma,ghi_chu\n1,\""+long+"\"\n2,ngắn\n"), 0o644))
	rows, err := readAll(t, path, NewConfig())
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, long, rows[0][1])
	cfg := NewConfig()
	cfg.MaxRecordBytes = 1000
	_, err = readAll(t, path, cfg)
	assert.ErrorContains(t, err, "the record starting on line 2 is longer than 1000 bytes")
}

// TestCRLFInQuotedFieldKept: a CR LF inside a quoted field is kept as CR LF
// (encoding/csv alone makes it LF; csv-spectrum's quotes_and_newlines and the
// README promise values kept as they are), while CR LF line ends still end
// records, and a lone CR in a quoted field stays too.
func TestCRLFInQuotedFieldKept(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crlf.csv")
	content := "a,b\r\n1,\"x\r\ny\"\r\n2,\"p\rq\"\r\n3,\"\"\"\r\n\"\"\"\r\n4,z\r\n"
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	rows, err := readAll(t, path, NewConfig())
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"1", "x\r\ny"}, {"2", "p\rq"}, {"3", "\"\r\n\""}, {"4", "z"}}, rows)
	// Split across reads: the same bytes through a one-byte reader.
	var out bytes.Buffer
	rr := newRecordReader(oneByte{strings.NewReader(content)}, ',', 0, "x", 0)
	_, err = io.Copy(&out, rr)
	require.NoError(t, err)
	assert.Equal(t, "a,b\r\n1,\"x\r\r\ny\"\r\n2,\"p\rq\"\r\n3,\"\"\"\r\r\n\"\"\"\r\n4,z\r\n", out.String())
}

type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}
