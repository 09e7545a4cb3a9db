package lake

import (
	"hash/maphash"
	"math/bits"
)

// keyFilter is a compact summary of the keys of one or more key indexes
// (a Bloom filter: 16 bits a key, two of them set by each key's hash), for
// the merge's key probe: most rows of a large table hold none of a small
// run's keys, and the filter tells so from a few hundred kilobytes where
// the key index's map would take a cache miss. A key it lets pass is then
// looked up in the index itself (about 1.4% of the keys it never saw pass).
type keyFilter struct {
	seed maphash.Seed
	bits []uint64
	mask uint64
}

// newKeyFilter summarises the keys of the indexes (nil ones are skipped).
func newKeyFilter(idx ...*KeyIndex) *keyFilter {
	n := 0
	for _, k := range idx {
		n += k.Len()
	}
	size := uint64(1) << bits.Len64(uint64(max(n, 1))*16-1) // bits, a power of two ≥ 16n
	f := &keyFilter{seed: maphash.MakeSeed(), bits: make([]uint64, max(size/64, 1)), mask: size - 1}
	for _, k := range idx {
		if k == nil {
			continue
		}
		for key := range k.m {
			h := maphash.String(f.seed, key)
			f.set(h)
			f.set(h >> 32)
		}
	}
	return f
}

func (f *keyFilter) set(h uint64) {
	i := h & f.mask
	f.bits[i/64] |= 1 << (i % 64)
}

func (f *keyFilter) has(h uint64) bool {
	i := h & f.mask
	return f.bits[i/64]&(1<<(i%64)) != 0
}

// mayHold reports whether key may be one of the keys summarised (false:
// it is none of them).
func (f *keyFilter) mayHold(key []byte) bool {
	h := maphash.Bytes(f.seed, key)
	return f.has(h) && f.has(h>>32)
}
