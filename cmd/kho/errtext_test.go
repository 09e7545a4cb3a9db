package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBoundErrText(t *testing.T) {
	assert.Equal(t, "short\nlines", boundErrText("short\nlines"))
	long := boundErrText("reading x.csv: line 1: " + strings.Repeat("ệ", 50<<20/3))
	assert.Less(t, len(long), maxErrLine+64)
	assert.Contains(t, long, "bytes more)")
	many := boundErrText(strings.Repeat(strings.Repeat("a", 1000)+"\n", 1000))
	assert.LessOrEqual(t, len(many), maxErrText+64)
	assert.Contains(t, many, "more lines)")
}
