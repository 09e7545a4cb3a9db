package connectors

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tree writes files (relative path -> content) under a new folder.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
	return dir
}

func TestResolveFiles(t *testing.T) {
	dir := tree(t, map[string]string{
		"drops/a.csv":                     "a",
		"drops/b.CSV":                     "b",
		"drops/~$b.xlsx":                  "lock",
		"drops/b.xlsx":                    "x",
		"drops/2024/10/xa_muong_bu.csv":   "c",
		"drops/2024/11/xa_chieng_hac.csv": "d",
		"drops/2024/11/notes.txt":         "e",
		"other/z.csv":                     "z",
	})
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "drops", "empty"), 0o755))
	abs := func(ps ...string) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, filepath.Join(dir, filepath.FromSlash(p)))
		}
		return out
	}
	tests := []struct {
		name    string
		pattern string
		want    []string
		err     string
	}{
		{"one file", "drops/a.csv", abs("drops/a.csv"), ""},
		{"star", "drops/*.csv", abs("drops/a.csv"), ""},
		{"recursive", "drops/**/*.csv", abs("drops/2024/10/xa_muong_bu.csv", "drops/2024/11/xa_chieng_hac.csv", "drops/a.csv"), ""},
		{"alternatives", "drops/*.{csv,CSV}", abs("drops/a.csv", "drops/b.CSV"), ""},
		{"lock files left out", "drops/*.xlsx", abs("drops/b.xlsx"), ""},
		{"folders never match", "drops/*", abs("drops/a.csv", "drops/b.CSV", "drops/b.xlsx"), ""},
		{"empty drop folder", "drops/empty/*.csv", []string{}, ""},
		{"absolute", filepath.Join(dir, "other", "*.csv"), abs("other/z.csv"), ""},
		{"missing file", "drops/none.csv", nil, "no such file"},
		{"a folder", "drops", nil, "is a folder; give a glob"},
		{"missing folder", "nowhere/**/*.csv", nil, `source.path: the folder of "nowhere/**/*.csv"`},
		{"bad pattern", "drops/[a.csv", nil, `source.path: bad glob pattern "drops/[a.csv"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			got, err := ResolveFiles(dir, tt.pattern, slog.New(slog.NewTextHandler(&logs, nil)))
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			if tt.name == "lock files left out" {
				assert.Contains(t, logs.String(), "~$b.xlsx")
			}
		})
	}
}

func TestCheckGlob(t *testing.T) {
	for p, ok := range map[string]bool{"a.csv": true, "a/**/*.csv": true, "a/{b,c}/*.xlsx": true, "[a": false, "a/{b": false} {
		assert.Equal(t, ok, CheckGlob(p) == nil, p)
	}
}

func TestCheckFile(t *testing.T) {
	dir := tree(t, map[string]string{"a.csv": "ma_xa,ten\n04123,Mường Bú\n"})
	p := filepath.Join(dir, "a.csv")
	hash, unchanged, err := CheckFile(p, nil, nil)
	require.NoError(t, err)
	assert.False(t, unchanged, "no state: first load")
	// sha256 of the content, as `sha256sum a.csv` prints it
	assert.Equal(t, "4c1a20486f9b717ca06c2f94223aac380e7443eda754df64053caf774705c430", hash)

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	_, unchanged, err = CheckFile(p, &State{Files: map[string]string{p: hash}}, log)
	require.NoError(t, err)
	assert.True(t, unchanged)
	assert.Contains(t, logs.String(), "skipping a file loaded before, unchanged")

	require.NoError(t, os.WriteFile(p, []byte("ma_xa,ten\n04123,Mường Bú (sửa)\n"), 0o644))
	again, unchanged, err := CheckFile(p, &State{Files: map[string]string{p: hash}}, log)
	require.NoError(t, err)
	assert.False(t, unchanged, "a corrected file is read again")
	assert.NotEqual(t, hash, again)

	_, _, err = CheckFile(filepath.Join(dir, "gone.csv"), nil, nil)
	assert.ErrorContains(t, err, "gone.csv")
}

func TestColumnNames(t *testing.T) {
	cells := []string{"\ufeffMã xã", " Tên\n xã ", "", "Mã xã", "_kho_row", "c3", "Ghi\u00a0chú"}
	clean := make([]string, len(cells))
	for i, c := range cells {
		clean[i] = CleanName(c)
	}
	assert.Equal(t, []string{"Mã xã", "Tên xã", "c3", "Mã xã_2", "_kho_row_2", "c3_2", "Ghi chú"}, ColumnNames(clean))
	assert.Equal(t, []string{"c1", "c2"}, PositionalNames(2))
}
