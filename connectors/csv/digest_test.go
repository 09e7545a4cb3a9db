package csv

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/digesttest"
)

// TestRawDigest: an unchanged CSV rerun knows its input unchanged from the
// files' bytes, without parsing them. The digest a load takes while it
// parses (the first file was opened, and its header read, before the
// digest was asked for) equals the one a rerun takes by hashing; it changes
// with a byte of any file, a file added or renamed, and a setting that
// parses the same bytes differently; an incremental reading, which passes
// over files loaded before, does not digest itself.
func TestRawDigest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	var big strings.Builder
	big.WriteString("ma;ten;so\n")
	for i := range 5000 {
		fmt.Fprintf(&big, "HS%05d;Hồ sơ số %d;%d\n", i, i, i%97) // past the 64 KiB read ahead
	}
	write("a.csv", big.String())
	write("b.csv", "ma;ten;so\nX1;\"hai\r\ndòng\";1\n")
	write("c.csv", "")
	cfg := NewConfig()
	cfg.Path = "*.csv"

	base := digesttest.Files(t, dir, cfg, false)
	assert.Equal(t, base, digesttest.Files(t, dir, cfg, true), "parsed and hashed agree")
	seen := digesttest.Distinct{base: "the files as loaded"}
	check := func(what string, c *Config) {
		t.Helper()
		got := digesttest.Files(t, dir, c, true)
		assert.Equal(t, got, digesttest.Files(t, dir, c, false), "%s: parsed and hashed agree", what)
		seen.Add(t, what, got)
	}
	write("b.csv", "ma;ten;so\nX1;\"hai\ndòng\";1\n")
	check("CRLF to LF in a quoted field", cfg)
	write("c.csv", "ma;ten;so\n")
	check("a header in the empty file", cfg)
	require.NoError(t, os.Rename(filepath.Join(dir, "c.csv"), filepath.Join(dir, "d.csv")))
	check("a file renamed", cfg)
	write("e.csv", "ma;ten;so\nE1;e;2\n")
	check("a file added", cfg)
	semi := *cfg
	semi.Delimiter = ";"
	check("the delimiter configured (same bytes, same rows: still a setting)", &semi)
	noHeader := *cfg
	noHeader.Header = false
	check("no header", &noHeader)

	src, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir, Alloc: memory.NewGoAllocator(), State: &connectors.State{Files: map[string]string{}}})
	require.NoError(t, err)
	defer src.Close()
	assert.False(t, src.(connectors.RawDigester).DigestRaw(sha256.New()), "an incremental reading passes files over")
}
