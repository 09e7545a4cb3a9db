package schemas

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeySetSpills: a set with a bound of 100 fingerprints answers every
// lookup as a map of all of them does, across many run files and their
// merges, and leaves no file behind once closed.
func TestKeySetSpills(t *testing.T) {
	dir := t.TempDir()
	s := newKeySet(100, dir)
	var f fingerprinter
	want := map[fingerprint]bool{}
	// Values are added in a scattered order, each looked up before it is
	// added, as the uniqueness check does; every third value comes back
	// later (a duplicate, possibly from a run file on disk).
	for i := 0; i < 30000; i++ {
		v := fmt.Sprint("HS-", (i*7919)%20000)
		fp := f.of(v)
		require.Equal(t, want[fp], s.has(fp), "value %s (step %d)", v, i)
		if !want[fp] {
			s.add(fp)
			want[fp] = true
		}
	}
	require.NoError(t, s.err)
	assert.Equal(t, int64(len(want)), s.len())
	assert.Less(t, len(s.mem), 100, "the map stays under its bound")
	assert.Greater(t, len(s.runs), 1)
	assert.Less(t, len(s.runs), 20000/100, "run files were merged")
	for i := 0; i < 40000; i++ {
		fp := f.of(fmt.Sprint("HS-", i))
		assert.Equal(t, i < 20000, s.has(fp), "HS-%d", i)
	}
	require.NoError(t, s.err)
	s.close()
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, left, "the run files are removed")
}
