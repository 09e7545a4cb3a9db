package dvcqg

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
)

var update = flag.Bool("update", false, "rewrite the expected.json files of testdata/")

// golden is the expected outcome of a testdata case.
type golden struct {
	Rows      []json.RawMessage
	Batches   int
	Watermark string
	Files     map[string]string
	Error     string
}

// TestGolden walks testdata/<case>/: the case folder is the base folder,
// config.yaml the optional source block (path defaults to input*.json),
// state.json the optional incremental state, expected.json the rows read (one
// JSON object a line, null columns left out), the watermark, the files' hashes
// and the error that ended the stream.
func TestGolden(t *testing.T) {
	cases, err := os.ReadDir("testdata")
	require.NoError(t, err)
	for _, c := range cases {
		if !c.IsDir() || c.Name() == "fuzz" {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata", c.Name())
			cfg := NewConfig()
			if raw, err := os.ReadFile(filepath.Join(dir, "config.yaml")); err == nil {
				dec := yaml.NewDecoder(bytes.NewReader(raw))
				dec.KnownFields(true)
				require.NoError(t, dec.Decode(cfg))
			}
			if cfg.Path == "" {
				cfg.Path = "input*.json"
			}
			require.NoError(t, cfg.Validate())

			alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer alloc.AssertSize(t, 0)
			env := connectors.Env{BaseDir: dir, Alloc: alloc, BatchSize: 2}
			if st, err := os.ReadFile(filepath.Join(dir, "state.json")); err == nil {
				env.State = &connectors.State{}
				require.NoError(t, json.Unmarshal(st, env.State))
				env.State.Files = absKeys(t, env.State.Files)
			}
			compareGolden(t, filepath.Join(dir, "expected.json"), relative(t, run(t, cfg, env)))
		})
	}
}

// run reads the whole source.
func run(t *testing.T, cfg *Config, env connectors.Env) golden {
	var g golden
	src, err := cfg.Open(t.Context(), env)
	if err != nil {
		g.Error = err.Error()
		return g
	}
	defer func() { require.NoError(t, src.Close()) }()
	for {
		rec, err := src.Next(t.Context())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			g.Error = err.Error()
			// the error is final
			_, again := src.Next(t.Context())
			assert.Error(t, again)
			break
		}
		g.Batches++
		assert.True(t, rec.Schema().Equal(src.Schema()))
		g.Rows = append(g.Rows, rowsOf(rec)...)
		rec.Release()
	}
	g.Watermark = src.(*Source).Watermark()
	g.Files = src.(*Source).Files()
	return g
}

// absKeys makes the relative paths of a state.json absolute, as the source
// resolves them.
func absKeys(t *testing.T, m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		a, err := filepath.Abs(k)
		require.NoError(t, err)
		out[a] = v
	}
	return out
}

// relative turns the absolute paths of an outcome into paths relative to the
// package folder, so that expected.json does not depend on the checkout.
func relative(t *testing.T, g golden) golden {
	wd, err := os.Getwd()
	require.NoError(t, err)
	prefix := wd + string(filepath.Separator)
	for i, r := range g.Rows {
		g.Rows[i] = json.RawMessage(strings.ReplaceAll(string(r), prefix, ""))
	}
	g.Error = strings.ReplaceAll(g.Error, prefix, "")
	if g.Files != nil {
		files := map[string]string{}
		for k, v := range g.Files {
			files[strings.TrimPrefix(k, prefix)] = v
		}
		g.Files = files
	}
	return g
}

// rowsOf renders each row as a JSON object of its non-null columns.
func rowsOf(rec arrow.RecordBatch) []json.RawMessage {
	var out []json.RawMessage
	for r := 0; r < int(rec.NumRows()); r++ {
		var b bytes.Buffer
		b.WriteString("{")
		n := 0
		for c, col := range rec.Columns() {
			if col.IsNull(r) {
				continue
			}
			if n > 0 {
				b.WriteString(", ")
			}
			n++
			b.Write(marshal(rec.ColumnName(c)))
			b.WriteString(": ")
			switch a := col.(type) {
			case *array.String:
				b.Write(marshal(a.Value(r)))
			case *array.Int64:
				b.WriteString(strconv.FormatInt(a.Value(r), 10))
			}
		}
		b.WriteString("}")
		out = append(out, b.Bytes())
	}
	return out
}

// compareGolden compares with, or with -update rewrites, an expected.json.
func compareGolden(t *testing.T, path string, got golden) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("{\n  \"rows\": [")
	for i, r := range got.Rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    ")
		b.Write(r)
	}
	if len(got.Rows) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("],\n  \"batches\": " + strconv.Itoa(got.Batches))
	if got.Watermark != "" {
		b.WriteString(",\n  \"watermark\": ")
		b.Write(marshal(got.Watermark))
	}
	if len(got.Files) > 0 {
		b.WriteString(",\n  \"files\": ")
		b.Write(marshal(got.Files))
	}
	if got.Error != "" {
		b.WriteString(",\n  \"error\": ")
		b.Write(marshal(got.Error))
	}
	b.WriteString("\n}\n")
	var check any
	require.NoError(t, json.Unmarshal(b.Bytes(), &check))
	if *update {
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to write %s", path)
	assert.Equal(t, string(want), b.String())
}

// marshal encodes v as JSON without escaping <, > and &.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}
