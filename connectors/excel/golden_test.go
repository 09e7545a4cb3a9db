package excel

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
)

var update = flag.Bool("update", false, "rewrite the expected.json files of the golden tests")

type golden struct {
	Columns   []string    `json:"columns,omitempty"`
	Rows      []goldenRow `json:"rows"`
	Skipped   int         `json:"skipped"`
	OpenError string      `json:"open_error,omitempty"`
	NextError string      `json:"next_error,omitempty"`
}

type goldenRow struct {
	File   string    `json:"file"`
	Row    int64     `json:"row"`
	Values []*string `json:"values"`
	Error  *string   `json:"error,omitempty"`
}

// TestGolden builds each testdata/<case>/ workbook (see build_test.go), reads
// it with the case's optional config.yaml (path defaults to input.xlsx) and
// compares the rows with expected.json; -update rewrites them.
func TestGolden(t *testing.T) {
	cases, err := os.ReadDir("testdata")
	require.NoError(t, err)
	for _, c := range cases {
		if !c.IsDir() || c.Name() == "fuzz" { // fuzz: the corpus of go test -fuzz
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata", c.Name())
			tmp := t.TempDir()
			writeCase(t, c.Name(), tmp)
			got := readCase(t, dir, tmp)
			js, err := json.MarshalIndent(got, "", "  ")
			require.NoError(t, err)
			js = append(js, '\n')
			want := filepath.Join(dir, "expected.json")
			if *update {
				require.NoError(t, os.WriteFile(want, js, 0o644))
				return
			}
			exp, err := os.ReadFile(want)
			require.NoError(t, err, "run go test -update to create it")
			assert.Equal(t, string(exp), string(js))
		})
	}
}

func readCase(t *testing.T, dir, base string) golden {
	t.Helper()
	cfg := NewConfig()
	cfg.Path = "input.xlsx"
	if b, err := os.ReadFile(filepath.Join(dir, "config.yaml")); err == nil {
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		require.NoError(t, dec.Decode(cfg))
	}
	require.NoError(t, cfg.Validate())
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	abs, err := filepath.Abs(base)
	require.NoError(t, err)
	rel := func(s string) string { return strings.ReplaceAll(s, abs+string(filepath.Separator), "") }
	var logs bytes.Buffer
	env := connectors.Env{BaseDir: base, Alloc: alloc, BatchSize: 2, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	src, err := cfg.Open(t.Context(), env)
	if err != nil {
		return golden{OpenError: rel(err.Error())}
	}
	defer src.Close()
	g := golden{Rows: []goldenRow{}}
	for _, f := range src.Schema().Fields() {
		g.Columns = append(g.Columns, f.Name)
	}
	g.Columns = g.Columns[:len(g.Columns)-3]
	for {
		b, err := src.Next(t.Context())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			g.NextError = rel(err.Error())
			break
		}
		n := len(g.Columns)
		files := b.Column(n).(*array.String)
		rows := b.Column(n + 1).(*array.Int64)
		errs := b.Column(n + 2).(*array.String)
		for i := range int(b.NumRows()) {
			r := goldenRow{Row: rows.Value(i), File: rel(files.Value(i))}
			for c := range n {
				col := b.Column(c).(*array.String)
				if col.IsNull(i) {
					r.Values = append(r.Values, nil)
				} else {
					v := shorten(col.Value(i))
					r.Values = append(r.Values, &v)
				}
			}
			if !errs.IsNull(i) {
				e := errs.Value(i)
				r.Error = &e
			}
			g.Rows = append(g.Rows, r)
		}
		b.Release()
	}
	g.Skipped = src.(*Source).Skipped()
	if g.Skipped > 0 {
		assert.Contains(t, logs.String(), "left out rows that are not data")
	}
	return g
}

// shorten keeps a long value out of expected.json: its start, its length
// and its SHA-256.
func shorten(v string) string {
	if len(v) <= 300 {
		return v
	}
	return fmt.Sprintf("%s… (%d bytes, sha256 %x)", strings.ToValidUTF8(v[:40], ""), len(v), sha256.Sum256([]byte(v)))
}
