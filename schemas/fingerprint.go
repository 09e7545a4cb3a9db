package schemas

import (
	"hash"
	"hash/fnv"
)

// fingerprint is the 128-bit FNV-1a hash of a key or unique value. The sets
// of a run's keys hold fingerprints rather than the values: 16 bytes a key
// instead of the text, its string header and its allocation, so that a run
// of tens of millions of rows keeps them in a few hundred megabytes. Two
// different keys share a fingerprint with a probability of about n²/2¹²⁹
// (1e-25 for ten million keys).
type fingerprint [16]byte

// fingerprinter computes fingerprints without allocating.
type fingerprinter struct {
	h        hash.Hash
	buf, sum []byte
}

func (f *fingerprinter) of(s string) fingerprint {
	if f.h == nil {
		f.h = fnv.New128a()
	}
	f.h.Reset()
	f.buf = append(f.buf[:0], s...)
	f.h.Write(f.buf)
	f.sum = f.h.Sum(f.sum[:0])
	var out fingerprint
	copy(out[:], f.sum)
	return out
}
