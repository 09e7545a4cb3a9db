package schemas

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFingerprint(t *testing.T) {
	var f fingerprinter
	a := f.of("000.01.02.H41-240315-00000123")
	assert.Equal(t, a, f.of("000.01.02.H41-240315-00000123"))
	assert.NotEqual(t, a, f.of("000.01.02.H41-240315-00000124"))
	seen := map[fingerprint]bool{}
	for i := 0; i < 100000; i++ {
		seen[f.of(fmt.Sprint("R", i))] = true
	}
	assert.Len(t, seen, 100000)
}
