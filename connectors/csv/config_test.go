package csv

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
)

func TestRegistered(t *testing.T) {
	spec, ok := connectors.Default.Lookup("csv")
	require.True(t, ok)
	cfg, ok := spec.NewConfig().(*Config)
	require.True(t, ok)
	assert.Equal(t, &Config{Delimiter: "auto", Header: true, Encoding: "auto", SkipTrailer: true}, cfg)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		errs []string
	}{
		{"minimal", "path: a.csv", nil},
		{"all keys", "path: a/*.csv\ndelimiter: tab\nheader: false\nskip_rows: 2\nencoding: tcvn3\nrepair_legacy: true\nskip_trailer: false", nil},
		{"semicolon", "path: a.csv\ndelimiter: ';'", nil},
		{"missing path", "encoding: vni", []string{"source.path: required"}},
		{"recursive glob", "path: drops/**/*.{csv,txt}", nil},
		{"everything wrong", "path: '[a'\ndelimiter: ';;'\nskip_rows: -1\nencoding: latin9", []string{
			"source.path: bad glob pattern", "source.delimiter:", "source.skip_rows: -1 is negative", `source.encoding: "latin9" is not one of`}},
		{"quote delimiter", "path: a.csv\ndelimiter: '\"'", []string{"source.delimiter:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := NewConfig()
			dec := yaml.NewDecoder(bytes.NewReader([]byte(tt.yaml)))
			dec.KnownFields(true)
			require.NoError(t, dec.Decode(cfg))
			err := cfg.Validate()
			if tt.errs == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, e := range tt.errs {
				assert.Contains(t, err.Error(), e)
			}
		})
	}
}

func TestUnknownKey(t *testing.T) {
	dec := yaml.NewDecoder(bytes.NewReader([]byte("path: a.csv\nheaders: true")))
	dec.KnownFields(true)
	assert.ErrorContains(t, dec.Decode(NewConfig()), "headers")
}

func TestNoMatch(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "drops"), 0o755))
	cfg := NewConfig()
	cfg.Path = "drops/*.csv"
	_, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir})
	assert.ErrorContains(t, err, `source.path: no file matches "drops/*.csv"`)
	cfg.Path = "nothing/*.csv"
	_, err = cfg.Open(t.Context(), connectors.Env{BaseDir: dir})
	assert.ErrorContains(t, err, `source.path: the folder of "nothing/*.csv"`)
	cfg.Path = "missing.csv"
	_, err = cfg.Open(t.Context(), connectors.Env{BaseDir: dir})
	assert.ErrorContains(t, err, `missing.csv: no such file`)
}

// TestSample checks that sample.yaml is a whole pipeline whose source block
// decodes strictly into a valid Config.
func TestSample(t *testing.T) {
	b, err := os.ReadFile("sample.yaml")
	require.NoError(t, err)
	var p struct {
		Name   string         `yaml:"name"`
		Source map[string]any `yaml:"source"`
		Target map[string]any `yaml:"target"`
	}
	require.NoError(t, yaml.Unmarshal(b, &p))
	assert.NotEmpty(t, p.Name)
	assert.Equal(t, "csv", p.Source["type"])
	assert.NotEmpty(t, p.Target["dataset"])
	delete(p.Source, "type")
	out, err := yaml.Marshal(p.Source)
	require.NoError(t, err)
	cfg := NewConfig()
	dec := yaml.NewDecoder(bytes.NewReader(out))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(cfg))
	assert.NoError(t, cfg.Validate())
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want rune
	}{
		{"comma", "a,b,c\n1,2,3\n", ','},
		{"semicolon with decimal commas", "a;b;c\n1,5;2,5;3\n4;5,1;6\n", ';'},
		{"tab", "a\tb\n1\t2,3\n", '\t'},
		{"pipe", "a|b|c\n1|2|3\n", '|'},
		{"quoted commas", "a;b\n\"x, y, z\";2\n", ';'},
		{"one column", "ten\nMường Bú\n", ','},
		{"empty", "", ','},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, string(tt.want), string(sniff([]byte(tt.in))))
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, cfg string
		in        []byte
		want      string
		bom       int
	}{
		{"utf-8 bom", EncAuto, []byte("\xef\xbb\xbfa,b"), EncUTF8, 3},
		{"utf-8", EncAuto, []byte("Sơn La"), EncUTF8, 0},
		{"utf-16le bom", EncAuto, []byte("\xff\xfea\x00"), EncUTF16LE, 0},
		{"utf-16be bom", EncAuto, []byte("\xfe\xff\x00a"), EncUTF16BE, 0},
		{"utf-16le no bom", EncAuto, []byte("m\x00a\x00,\x00t\x00"), EncUTF16LE, 0},
		{"configured utf-16 with be bom", EncUTF16, []byte("\xfe\xff\x00a"), EncUTF16BE, 0},
		{"configured vni", EncVNI, []byte("abc"), EncVNI, 0},
		{"configured utf-8 bom", EncUTF8, []byte("\xef\xbb\xbfa"), EncUTF8, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := detect(tt.cfg, tt.in, true)
			assert.Equal(t, tt.want, d.enc)
			assert.Equal(t, tt.bom, d.bom)
		})
	}
	// A sample cut inside a rune is still UTF-8.
	assert.Equal(t, EncUTF8, detect(EncAuto, []byte("Sơn La ố")[:9], false).enc)
}

func TestSkipRowsPastEnd(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.csv"), []byte("title only\n"), 0o644))
	cfg := NewConfig()
	cfg.Path, cfg.SkipRows = "a.csv", 5
	src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir})
	require.NoError(t, err)
	defer src.Close()
	assert.Equal(t, 3, src.Schema().NumFields(), "only the provenance columns")
}
