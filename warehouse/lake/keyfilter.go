package lake

import (
	"hash/maphash"

	"github.com/sonla-data/kho/internal/bloom"
)

// keyFilter is a compact summary of the keys of one or more key indexes
// (internal/bloom at 16 bits a key), for the merge's key probe: most rows of
// a large table hold none of a small run's keys, and the filter tells so
// from a few hundred kilobytes where the key index's map would take a cache
// miss. A key it lets pass is then looked up in the index itself.
type keyFilter struct {
	seed maphash.Seed
	f    *bloom.Filter
}

// newKeyFilter summarises the keys of the indexes (nil ones are skipped).
func newKeyFilter(idx ...*KeyIndex) *keyFilter {
	n := 0
	for _, k := range idx {
		n += k.Len()
	}
	f := &keyFilter{seed: maphash.MakeSeed(), f: bloom.New(n, 16)}
	for _, k := range idx {
		if k == nil {
			continue
		}
		for key := range k.m {
			f.f.Add(hashes(maphash.String(f.seed, key)))
		}
	}
	return f
}

// hashes makes the filter's two hashes of one 64-bit hash.
func hashes(h uint64) (uint64, uint64) { return h, bloom.Mix(h) }

// mayHold reports whether key may be one of the keys summarised (false:
// it is none of them).
func (f *keyFilter) mayHold(key []byte) bool {
	return f.f.MayHold(hashes(maphash.Bytes(f.seed, key)))
}
