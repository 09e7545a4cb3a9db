package sqlite

import (
	"bytes"
	"database/sql"
	"encoding/hex"
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
	Schema    []string          `json:"schema"`
	Rows      []json.RawMessage `json:"rows"`
	Batches   int               `json:"batches"`
	Watermark string            `json:"watermark,omitempty"`
	Error     string            `json:"error,omitempty"`
}

// TestGolden walks testdata/<case>/: input.sql builds the database, config.yaml
// is the source block (path defaults to the built database), state.json the
// optional incremental state, expected.json the batches' content.
func TestGolden(t *testing.T) {
	cases, err := os.ReadDir("testdata")
	require.NoError(t, err)
	for _, c := range cases {
		if !c.IsDir() || c.Name() == "fuzz" {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata", c.Name())
			base := t.TempDir()
			buildDB(t, filepath.Join(base, "test.db"), filepath.Join(dir, "input.sql"))

			cfg := NewConfig()
			raw, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
			require.NoError(t, err)
			dec := yaml.NewDecoder(bytes.NewReader(raw))
			dec.KnownFields(true)
			require.NoError(t, dec.Decode(cfg))
			if cfg.Path == "" {
				cfg.Path = "test.db"
			}
			require.NoError(t, cfg.Validate())

			alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer alloc.AssertSize(t, 0)
			env := connectors.Env{BaseDir: base, Alloc: alloc, BatchSize: 2}
			if st, err := os.ReadFile(filepath.Join(dir, "state.json")); err == nil {
				env.State = &connectors.State{}
				require.NoError(t, json.Unmarshal(st, env.State))
			}

			got := run(t, cfg, env)
			got.Error = strings.ReplaceAll(got.Error, base, "$BASE")
			for i, r := range got.Rows {
				got.Rows[i] = bytes.ReplaceAll(r, []byte(base), []byte("$BASE"))
			}
			compareGolden(t, filepath.Join(dir, "expected.json"), got)
		})
	}
}

// buildDB runs a SQL script into a new database file.
func buildDB(t *testing.T, path, script string) {
	t.Helper()
	sqlText, err := os.ReadFile(script)
	require.NoError(t, err)
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.ExecContext(t.Context(), string(sqlText))
	require.NoError(t, err)
}

// run reads the whole source into a golden value.
func run(t *testing.T, cfg *Config, env connectors.Env) golden {
	var g golden
	src, err := cfg.Open(t.Context(), env)
	if err != nil {
		g.Error = err.Error()
		return g
	}
	defer func() { require.NoError(t, src.Close()) }()
	for _, f := range src.Schema().Fields() {
		g.Schema = append(g.Schema, f.Name+": "+f.Type.String())
	}
	for {
		rec, err := src.Next(t.Context())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			g.Error = err.Error()
			break
		}
		g.Batches++
		assert.LessOrEqual(t, int(rec.NumRows()), env.Rows())
		assert.True(t, rec.Schema().Equal(src.Schema()))
		g.Rows = append(g.Rows, rowsOf(t, rec)...)
		rec.Release()
	}
	if w, ok := src.(interface{ Watermark() string }); ok {
		g.Watermark = w.Watermark()
	}
	return g
}

// rowsOf renders each row of a batch as a JSON array (binary as hex).
func rowsOf(t *testing.T, rec arrow.RecordBatch) []json.RawMessage {
	var out []json.RawMessage
	for r := 0; r < int(rec.NumRows()); r++ {
		row := make([]any, rec.NumCols())
		for c, col := range rec.Columns() {
			if col.IsNull(r) {
				continue
			}
			switch a := col.(type) {
			case *array.Int64:
				row[c] = a.Value(r)
			case *array.Float64:
				row[c] = a.Value(r)
			case *array.String:
				row[c] = a.Value(r)
			case *array.Binary:
				row[c] = "x'" + hex.EncodeToString(a.Value(r)) + "'"
			default:
				t.Fatalf("unexpected column type %s", col.DataType())
			}
		}
		out = append(out, marshal(row))
	}
	return out
}

// compareGolden compares with, or with -update rewrites, an expected.json
// written one row a line.
func compareGolden(t *testing.T, path string, got golden) {
	t.Helper()
	b := encodeGolden(t, got)
	if *update {
		require.NoError(t, os.WriteFile(path, b, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to write %s", path)
	assert.Equal(t, string(want), string(b))
}

// encodeGolden writes the golden value as JSON with one schema field and one
// row a line, for readable diffs.
func encodeGolden(t *testing.T, g golden) []byte {
	var b bytes.Buffer
	list := func(key string, items []json.RawMessage) {
		b.WriteString("  " + strconvQuote(key) + ": [")
		for i, it := range items {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n    ")
			b.Write(it)
		}
		if len(items) > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString("]")
	}
	var schema []json.RawMessage
	for _, f := range g.Schema {
		schema = append(schema, json.RawMessage(strconvQuote(f)))
	}
	b.WriteString("{\n")
	list("schema", schema)
	b.WriteString(",\n")
	list("rows", g.Rows)
	b.WriteString(",\n  \"batches\": " + strconv.Itoa(g.Batches))
	if g.Watermark != "" {
		b.WriteString(",\n  \"watermark\": " + strconvQuote(g.Watermark))
	}
	if g.Error != "" {
		b.WriteString(",\n  \"error\": " + strconvQuote(g.Error))
	}
	b.WriteString("\n}\n")
	var check any
	require.NoError(t, json.Unmarshal(b.Bytes(), &check))
	return b.Bytes()
}

// strconvQuote quotes a string as JSON.
func strconvQuote(s string) string {
	return string(marshal(s))
}

// marshal encodes v as JSON without escaping <, > and &.
func marshal(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}
