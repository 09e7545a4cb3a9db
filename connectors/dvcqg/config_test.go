package dvcqg

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(c *Config)
		want []string // substrings of the error; none when valid
	}{
		{name: "defaults with a path", cfg: func(c *Config) { c.Path = "dossiers/*.json" }},
		{name: "progress incremental", cfg: func(c *Config) {
			c.Path, c.Record, c.Incremental = "a.json", RecordProgress, &Incremental{Column: "ThoiDiemXuLy"}
		}},
		{name: "documents by dossier date", cfg: func(c *Config) {
			c.Path, c.Record, c.Incremental = "a.json", RecordDocuments, &Incremental{Column: "NgayNopHoSo"}
		}},
		{name: "endpoint", cfg: func(c *Config) { c.URL, c.Token = "https://lgsp.sonla.gov.vn/dvcqg/DongBoHoSoMC", "t" }},
		{name: "recursive glob", cfg: func(c *Config) { c.Path = "drops/**/*.json" }},
		{name: "path and url", cfg: func(c *Config) { c.Path, c.URL, c.Token = "a.json", "https://x/y", "t" },
			want: []string{"source.url: give source.path or source.url, not both"}},
		{name: "endpoint without token", cfg: func(c *Config) { c.URL = "https://lgsp.sonla.gov.vn/x" },
			want: []string{"source.token: required with source.url"}},
		{name: "endpoint everything wrong", cfg: func(c *Config) {
			c.URL, c.Token, c.PageSize, c.Timeout, c.Lag, c.Start = "ftp://x/y", "t", 0, 0, -time.Second, "08/10/2024"
			c.Retry = Retry{Attempts: 0, Wait: time.Minute, MaxWait: time.Second}
			c.Incremental = &Incremental{Column: "NgayTiepNhan"}
		}, want: []string{`source.url: "ftp://x/y" is not an http:// or https:// URL`, "source.page_size: 0 is not between",
			"source.timeout:", "source.lag: -1s is negative", `source.start: "08/10/2024" is neither`, "source.retry.attempts: 0",
			"source.retry: wait 1m0s and max_wait 1s", "source.incremental: not used with source.url"}},
		{name: "credentials in the url", cfg: func(c *Config) { c.URL, c.Token = "https://u:p@x/y", "t" },
			want: []string{"put no user or password in the URL"}},
		{name: "nothing", cfg: func(c *Config) { c.Record = "" }, want: []string{"source.path: give", "source.record: \"\" is not one of"}},
		{name: "bad glob", cfg: func(c *Config) { c.Path = "[a.json" }, want: []string{"source.path: bad glob pattern \"[a.json\""}},
		{name: "unknown record", cfg: func(c *Config) { c.Path, c.Record = "a.json", "hoso" }, want: []string{"source.record: \"hoso\""}},
		{name: "not a date field", cfg: func(c *Config) {
			c.Path, c.Incremental = "a.json", &Incremental{Column: "MaHoSo"}
		}, want: []string{"source.incremental.column: \"MaHoSo\" is not a date field of dossiers records"}},
		{name: "dossier date for progress", cfg: func(c *Config) {
			c.Path, c.Record, c.Incremental = "a.json", RecordProgress, &Incremental{Column: "NgayTiepNhan"}
		}, want: []string{"use one of ThoiDiemXuLy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConfig()
			tt.cfg(c)
			err := c.Validate()
			if len(tt.want) == 0 {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestRegistered(t *testing.T) {
	spec, ok := connectors.Default.Lookup("dvcqg")
	require.True(t, ok)
	c, ok := spec.NewConfig().(*Config)
	require.True(t, ok)
	assert.Equal(t, RecordDossiers, c.Record)
}

func TestOpenPaths(t *testing.T) {
	base := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(base, "drop"), 0o755))
	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{name: "empty drop folder", path: "drop/*.json"},
		{name: "missing folder", path: "nowhere/*.json", wantErr: "source.path:"},
		{name: "missing file", path: "drop/a.json", wantErr: "no such file"},
		{name: "a folder", path: "drop", wantErr: "is a folder; give a glob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConfig()
			c.Path = tt.path
			src, err := c.Open(t.Context(), connectors.Env{BaseDir: base})
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			defer src.Close()
			_, err = src.Next(t.Context())
			assert.ErrorIs(t, err, io.EOF)
		})
	}
}

func TestAgencyCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"000.00.06.H56-231027-0361", "000.00.06.H56"},
		{"H56.22-250702-12", "H56.22"},
		{"A-B-250702-0001", "A-B"},
		{"000.00.06.H56-2310-0361", ""},
		{"000.00.06.H56-231027-03a1", ""},
		{"231027-0361", ""},
		{"-231027-0361", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := agencyCode(&tt.in)
			if tt.want == "" {
				assert.Nil(t, got)
			} else {
				require.NotNil(t, got)
				assert.Equal(t, tt.want, *got)
			}
		})
	}
}

func TestWatermark(t *testing.T) {
	for _, w := range []string{"2025-07-02T09:00:00+07:00", "20250702090000", "2025-07-02T02:00:00Z"} {
		got, err := parseWatermark(w)
		require.NoError(t, err, w)
		assert.True(t, got.Equal(time.Date(2025, 7, 2, 9, 0, 0, 0, ict)), w)
	}
	_, err := parseWatermark("02/07/2025")
	assert.Error(t, err)

	// nothing newer: the stored watermark stays, written as RFC 3339
	c := NewConfig()
	c.Path, c.Incremental = "testdata/incremental/input.json", &Incremental{Column: "NgayTiepNhan"}
	src, err := c.Open(t.Context(), connectors.Env{State: &connectors.State{Watermark: "20300101000000"}})
	require.NoError(t, err)
	defer src.Close()
	rec, err := src.Next(t.Context())
	require.NoError(t, err) // the dossiers without a readable date are kept
	assert.EqualValues(t, 2, rec.NumRows())
	rec.Release()
	assert.Equal(t, "2030-01-01T00:00:00+07:00", src.(*Source).Watermark())
}

// TestDecodeEndpoint decodes an endpoint source block the way the pipeline
// loader does (unknown keys refused): durations are Go durations.
func TestDecodeEndpoint(t *testing.T) {
	block := "url: https://lgsp.sonla.gov.vn/dvcqg/DongBoHoSoMC\ntoken: abc\npage_size: 500\ntimeout: 30s\nlag: 1h\nstart: \"20240101000000\"\nretry: {attempts: 3, wait: 2s, max_wait: 1m}\n"
	c := NewConfig()
	dec := yaml.NewDecoder(strings.NewReader(block))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(c))
	require.NoError(t, c.Validate())
	assert.Equal(t, 500, c.PageSize)
	assert.Equal(t, 30*time.Second, c.Timeout)
	assert.Equal(t, time.Hour, c.Lag)
	assert.Equal(t, Retry{Attempts: 3, Wait: 2 * time.Second, MaxWait: time.Minute}, c.Retry)
	assert.Equal(t, "abc", c.Token.Value())
	out, err := yaml.Marshal(c)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "abc", "a dumped config hides the token")
}
