package sampledata

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readTree returns every file under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	}))
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	gen := func(seed int64) map[string][]byte {
		dir := t.TempDir()
		_, err := Generate(t.Context(), Options{Out: dir, Scale: 1, Seed: seed})
		require.NoError(t, err)
		return readTree(t, dir)
	}
	a, b, c := gen(7), gen(7), gen(8)
	// 4 SQLite databases, 8+8 labour CSVs, the job seekers' workbook and the
	// vacancies, 2 culture workbooks + 2 tourism CSVs, 12 dossier files, the
	// agencies, the manifest, 8 station exports and the hot spots, 3
	// education files, 4 construction files.
	require.Equal(t, 4+16+2+2+2+12+1+1+9+3+4, len(a), "files written")
	for name, data := range a {
		assert.True(t, bytes.Equal(data, b[name]), "%s differs between two runs with the same seed", name)
		if name == AgencyFile { // the agency list does not depend on the seed
			continue
		}
		assert.False(t, bytes.Equal(data, c[name]), "%s is the same with another seed", name)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
		ok   bool
	}{
		{"fine", Options{Out: "x", Scale: 1}, true},
		{"no out", Options{Scale: 1}, false},
		{"zero scale", Options{Out: "x"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.ok {
				assert.NoError(t, tc.opt.Validate())
				return
			}
			assert.Error(t, tc.opt.Validate())
			_, err := Generate(t.Context(), tc.opt)
			assert.Error(t, err, "Generate refuses invalid options")
		})
	}
}

// TestGenerate reads back every file of a scale-1 province and checks that
// the planted bad rows found equal the manifest and that good rows are valid.
func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	m, err := Generate(t.Context(), Options{Out: dir, Scale: 1, Seed: 42})
	require.NoError(t, err)
	t.Logf("scale 1 generated in %v", time.Since(start))

	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	require.NoError(t, err)
	var onDisk Manifest
	require.NoError(t, json.Unmarshal(b, &onDisk))
	assert.Equal(t, *m, onDisk, "manifest.json is the returned manifest")
	assert.Equal(t, 1, m.Scale)
	assert.EqualValues(t, 42, m.Seed)
	for _, s := range m.Sources {
		for _, it := range s.Items {
			if it.Rows > 1000 {
				share := float64(it.BadRows()) / float64(it.Rows)
				assert.InDelta(t, 0.015, share, 0.008, "bad share of %s %s", it.File, it.Table)
			}
		}
	}

	t.Run("health", func(t *testing.T) { checkHealth(t, dir, m) })
	t.Run("agriculture", func(t *testing.T) { checkAgriculture(t, dir, m) })
	t.Run("labour", func(t *testing.T) { checkLabour(t, dir, m) })
	t.Run("culture", func(t *testing.T) { checkCulture(t, dir, m) })
	t.Run("dossiers", func(t *testing.T) { checkDossiers(t, dir, m) })
	t.Run("every dataset", func(t *testing.T) { checkItems(t, dir, m) })
}
