package csv

import (
	stdcsv "encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"github.com/sonla-data/kho/connectors"
)

// legacyExamples reads testdata/legacy_charset_examples.csv (a copy of the
// shared reference facts): each phrase in Unicode, and as TCVN3 and VNI bytes
// look when read as Windows-1252.
func legacyExamples(t *testing.T) (phrases []string, tcvn3, vni [][]byte) {
	t.Helper()
	f, err := os.Open("testdata/legacy_charset_examples.csv")
	require.NoError(t, err)
	defer f.Close()
	recs, err := stdcsv.NewReader(f).ReadAll()
	require.NoError(t, err)
	enc := charmap.Windows1252.NewEncoder()
	for _, r := range recs[1:] {
		tb, err := enc.Bytes([]byte(r[1]))
		require.NoError(t, err, "TCVN3 bytes of %q", r[0])
		vb, err := enc.Bytes([]byte(r[2]))
		require.NoError(t, err, "VNI bytes of %q", r[0])
		phrases, tcvn3, vni = append(phrases, r[0]), append(tcvn3, tb), append(vni, vb)
	}
	require.NotEmpty(t, phrases)
	return phrases, tcvn3, vni
}

// TestLegacyFilesEndToEnd writes whole CSV files in TCVN3 and in VNI, as the
// old office software saved them, and checks that every phrase of the
// reference examples comes out as its Unicode text, with the encoding
// detected and with it configured.
func TestLegacyFilesEndToEnd(t *testing.T) {
	phrases, tcvn3, vni := legacyExamples(t)
	for _, tt := range []struct {
		name, encoding string
		lines          [][]byte
	}{
		{"tcvn3 detected", "auto", tcvn3},
		{"tcvn3 configured", "tcvn3", tcvn3},
		{"vni detected", "auto", vni},
		{"vni configured", "vni", vni},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			data := []byte("stt;ten\r\n")
			for i, l := range tt.lines {
				data = append(data, []byte(string(rune('1'+i))+";")...)
				data = append(append(data, l...), "\r\n"...)
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, "legacy.csv"), data, 0o644))
			cfg := NewConfig()
			cfg.Path, cfg.Encoding = "legacy.csv", tt.encoding
			src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir})
			require.NoError(t, err)
			defer src.Close()
			var got []string
			for {
				b, err := src.Next(t.Context())
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				col := b.Column(1).(*array.String)
				for i := range col.Len() {
					got = append(got, col.Value(i))
				}
				b.Release()
			}
			assert.Equal(t, phrases, got)
		})
	}
}
