// Package bloom is the blocked Bloom filter that the run's uniqueness spill
// (schemas) and the merge's key probe (warehouse/lake) put in front of
// their exact lookups: a value sets 7 bits of one 512-bit block (a cache
// line), the block chosen by one 64-bit hash of the value and the bits by
// 9-bit slices of a second. It never says no to a value it was given; at
// 10 bits a value it lets through about 1.5% of the others, at 16 about 0.1%.
package bloom

import "math/bits"

const perValue = 7 // bits set by a value, in its block

// Filter is a blocked Bloom filter of a fixed size.
type Filter struct {
	words []uint64 // 8 words (512 bits) a block
}

// New makes a filter for about n values at bitsPerValue bits each (one
// block at least).
func New(n, bitsPerValue int) *Filter {
	blocks := max((n*bitsPerValue+511)/512, 1)
	return &Filter{words: make([]uint64, blocks*8)}
}

// Add puts the value of hashes h1, h2 in the filter.
func (f *Filter) Add(h1, h2 uint64) {
	blk := f.block(h1)
	for i := range perValue {
		bit := (h2 >> (9 * i)) & 511
		blk[bit>>6] |= 1 << (bit & 63)
	}
}

// MayHold reports whether the value of hashes h1, h2 may have been added
// (false: it was not).
func (f *Filter) MayHold(h1, h2 uint64) bool {
	blk := f.block(h1)
	for i := range perValue {
		bit := (h2 >> (9 * i)) & 511
		if blk[bit>>6]&(1<<(bit&63)) == 0 {
			return false
		}
	}
	return true
}

// Bytes is the filter's size in memory.
func (f *Filter) Bytes() int { return len(f.words) * 8 }

func (f *Filter) block(h1 uint64) []uint64 {
	hi, _ := bits.Mul64(h1, uint64(len(f.words)/8))
	return f.words[hi*8 : hi*8+8 : hi*8+8]
}

// Mix is splitmix64's finaliser: a bijection that spreads weak hashes
// (FNV's low bits, one 64-bit hash split in two) over all 64 bits.
func Mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
