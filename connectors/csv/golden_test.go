package csv

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
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

// golden is the expected outcome of one testdata case.
type golden struct {
	Columns   []string    `json:"columns,omitempty"`
	Rows      []goldenRow `json:"rows"`
	Skipped   int         `json:"skipped"`
	OpenError string      `json:"open_error,omitempty"`
	NextError string      `json:"next_error,omitempty"`
}

type goldenRow struct {
	File   string    `json:"file"`
	Line   int64     `json:"line"`
	Values []*string `json:"values"`
	Error  *string   `json:"error,omitempty"`
}

// TestGolden reads every testdata/<case>/ with its optional config.yaml (the
// source block without type; path defaults to "input.*") and compares the
// rows with expected.json. Run with -update to rewrite the expected files.
func TestGolden(t *testing.T) {
	cases, err := os.ReadDir("testdata")
	require.NoError(t, err)
	for _, c := range cases {
		if !c.IsDir() || c.Name() == "fuzz" { // fuzz: the corpus of go test -fuzz
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata", c.Name())
			got := readCase(t, dir)
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

func readCase(t *testing.T, dir string) golden {
	t.Helper()
	cfg := NewConfig()
	cfg.Path = "input.*"
	if b, err := os.ReadFile(filepath.Join(dir, "config.yaml")); err == nil {
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		require.NoError(t, dec.Decode(cfg))
	}
	require.NoError(t, cfg.Validate())
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	abs, err := filepath.Abs(dir)
	require.NoError(t, err)
	src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir, Alloc: alloc, BatchSize: 2})
	if err != nil {
		return golden{OpenError: strings.ReplaceAll(err.Error(), abs+string(filepath.Separator), "")}
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
			g.NextError = strings.ReplaceAll(err.Error(), abs+string(filepath.Separator), "")
			break
		}
		n := len(g.Columns)
		files := b.Column(n).(*array.String)
		rows := b.Column(n + 1).(*array.Int64)
		errs := b.Column(n + 2).(*array.String)
		for i := range int(b.NumRows()) {
			r := goldenRow{Line: rows.Value(i)}
			r.File, err = filepath.Rel(abs, files.Value(i))
			require.NoError(t, err)
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
