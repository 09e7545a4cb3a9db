package main

import (
	"math"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunHeapLimit: kho run sets Go's soft memory limit from run.heap_limit
// (the built-in 200MiB, or the project's), so that a long load's heap does
// not grow to twice what it holds; GOMEMLIMIT, which the Go runtime reads
// at start, wins; "" sets none; a size that is not one is refused at its
// place in kho.yaml.
func TestRunHeapLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	dir := filepath.Join(t.TempDir(), "du-an")
	kho(t, "init", dir)
	config := filepath.Join(dir, "kho.yaml")
	run := func() int64 {
		debug.SetMemoryLimit(math.MaxInt64)
		kho(t, "--config", config, "run", "culture_festivals", "--no-marts")
		return debug.SetMemoryLimit(-1)
	}
	assert.EqualValues(t, 200<<20, run(), "the built-in limit")
	t.Setenv("KHO_RUN_HEAP_LIMIT", "1GB")
	assert.EqualValues(t, 1e9, run())
	t.Setenv("KHO_RUN_HEAP_LIMIT", "")
	t.Setenv("GOMEMLIMIT", "300MiB")
	assert.EqualValues(t, math.MaxInt64, run(), "GOMEMLIMIT was the runtime's to apply at start: kho leaves it")
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("KHO_RUN_HEAP_LIMIT", "0")
	assert.EqualValues(t, math.MaxInt64, run(), "0: no limit")

	t.Setenv("KHO_RUN_HEAP_LIMIT", "lots")
	_, err := khoErr(t, "--config", config, "query", "SELECT 1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `KHO_RUN_HEAP_LIMIT: run.heap_limit: "lots" must be a size such as 200MiB`)
}
