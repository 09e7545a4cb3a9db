package schemas

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/sonla-data/kho/internal/bloom"
)

// DefaultKeyBound is the number of fingerprints a uniqueness set of a run
// (the key, or one unique column) keeps in memory before it spills them to
// disk: about 16 MB of map a set. Runs with fewer distinct values (every
// run of the sample province, every test but the spill's) never touch the
// disk.
const DefaultKeyBound = 1 << 18

// keySet is the set of the fingerprints seen in a run for one uniqueness
// rule. Up to bound fingerprints live in a map; beyond it the map is sorted
// into a run file on disk and emptied, so the memory of the set stays flat
// whatever the number of rows. A run file keeps in memory only a blocked
// Bloom filter (about 10 bits a fingerprint) and the first fingerprint of
// each 4 KiB block. A lookup that the filters of every run file rule out
// (almost every new value) reads nothing; one that a filter lets through
// reads the one block the fingerprint would be in and decides exactly: the
// filter never makes a value a duplicate, only the fingerprint does, as in
// the map (see fingerprint for the odds of two values sharing one).
//
// Run files are merged four at a time when four of about the same size
// pile up, so that a lookup consults few of them. The files are made in dir
// (the system's temporary folder when empty) and removed when they are
// merged or the set is closed.
type keySet struct {
	mem   map[fingerprint]struct{}
	bound int
	dir   string
	runs  []*keyRun
	buf   []byte        // a block read from a run file
	fps   []fingerprint // the map's fingerprints being sorted, kept for the next spill
	err   error         // the first error of the disk, kept for Finish
}

// blockFPs is the number of fingerprints in a block of a run file.
const blockFPs = 256

type keyRun struct {
	f     *os.File
	name  string // to remove when closed, where it could not be removed at once
	n     int64
	first []fingerprint // the first fingerprint of each block
	bloom *bloom.Filter // in front of the file: a fingerprint it lets through is looked up
}

func newKeySet(bound int, dir string) *keySet {
	if bound <= 0 {
		bound = DefaultKeyBound
	}
	return &keySet{mem: map[fingerprint]struct{}{}, bound: bound, dir: dir}
}

// has says whether fp was added before. An error of the disk makes it false
// and is kept in err.
func (s *keySet) has(fp fingerprint) bool {
	if _, ok := s.mem[fp]; ok {
		return true
	}
	if len(s.runs) == 0 {
		return false
	}
	h1, h2 := mix(fp)
	for _, r := range s.runs {
		if r.bloom.MayHold(h1, h2) {
			found, err := r.find(fp, &s.buf)
			if err != nil {
				s.fail(err)
				return false
			}
			if found {
				return true
			}
		}
	}
	return false
}

// add adds fp, which has must have said is not in the set.
func (s *keySet) add(fp fingerprint) {
	s.mem[fp] = struct{}{}
	if len(s.mem) >= s.bound && s.err == nil {
		s.fail(s.spill())
	}
}

func (s *keySet) fail(err error) {
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("the run's set of keys on disk: %w", err)
	}
}

// len is the number of fingerprints in the set.
func (s *keySet) len() int64 {
	n := int64(len(s.mem))
	for _, r := range s.runs {
		n += r.n
	}
	return n
}

// spill writes the map's fingerprints, sorted, as a new run file and
// empties the map (which keeps its buckets for the next ones).
func (s *keySet) spill() error {
	fps := s.fps[:0]
	for fp := range s.mem {
		fps = append(fps, fp)
	}
	slices.SortFunc(fps, func(a, b fingerprint) int { return bytes.Compare(a[:], b[:]) })
	r, err := s.writeRun(int64(len(fps)), func(yield func(fingerprint) error) error {
		for _, fp := range fps {
			if err := yield(fp); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	clear(s.mem)
	s.fps = fps[:0]
	s.runs = append(s.runs, r)
	// Merge the last four run files while they are of about one size.
	for len(s.runs) >= 4 {
		last := s.runs[len(s.runs)-4:]
		if last[0].n >= 2*last[3].n {
			break
		}
		m, err := s.merge(last)
		if err != nil {
			return err
		}
		for _, r := range last {
			r.close()
		}
		s.runs = append(s.runs[:len(s.runs)-4], m)
	}
	return nil
}

// writeRun writes n sorted fingerprints given by each to a new run file.
func (s *keySet) writeRun(n int64, each func(yield func(fingerprint) error) error) (*keyRun, error) {
	f, err := os.CreateTemp(s.dir, "kho-keys-*")
	if err != nil {
		return nil, err
	}
	// The file is reached through f only: removed now where the system
	// allows it (a crash leaves nothing behind), else when closed.
	removed := os.Remove(f.Name()) == nil
	r := &keyRun{f: f}
	r.bloom = bloom.New(int(n), 10)
	w := bufio.NewWriterSize(f, 64<<10)
	err = each(func(fp fingerprint) error {
		if r.n%blockFPs == 0 {
			r.first = append(r.first, fp)
		}
		r.n++
		r.bloom.Add(mix(fp))
		_, err := w.Write(fp[:])
		return err
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		f.Close()
		if !removed {
			os.Remove(f.Name())
		}
		return nil, err
	}
	if !removed {
		r.name = f.Name()
	}
	return r, nil
}

// merge merges sorted run files into one.
func (s *keySet) merge(runs []*keyRun) (*keyRun, error) {
	type cursor struct {
		rd  *bufio.Reader
		fp  fingerprint
		end bool
	}
	var n int64
	cs := make([]*cursor, len(runs))
	next := func(c *cursor) error {
		if _, err := io.ReadFull(c.rd, c.fp[:]); err == io.EOF {
			c.end = true
		} else if err != nil {
			return err
		}
		return nil
	}
	for i, r := range runs {
		n += r.n
		cs[i] = &cursor{rd: bufio.NewReaderSize(io.NewSectionReader(r.f, 0, r.n*16), 64<<10)}
		if err := next(cs[i]); err != nil {
			return nil, err
		}
	}
	return s.writeRun(n, func(yield func(fingerprint) error) error {
		for {
			var min *cursor
			for _, c := range cs {
				if !c.end && (min == nil || bytes.Compare(c.fp[:], min.fp[:]) < 0) {
					min = c
				}
			}
			if min == nil {
				return nil
			}
			if err := yield(min.fp); err != nil {
				return err
			}
			if err := next(min); err != nil {
				return err
			}
		}
	})
}

// close closes the set's run files.
func (s *keySet) close() {
	for _, r := range s.runs {
		r.close()
	}
	s.runs, s.mem, s.fps = nil, nil, nil
}

func (r *keyRun) close() {
	r.f.Close()
	if r.name != "" {
		os.Remove(r.name)
	}
}

// find says whether fp is in the run file: one read of the block it would
// be in.
func (r *keyRun) find(fp fingerprint, buf *[]byte) (bool, error) {
	// the last block whose first fingerprint is <= fp
	b, _ := slices.BinarySearchFunc(r.first, fp, func(x, t fingerprint) int {
		if c := bytes.Compare(x[:], t[:]); c != 0 {
			return c
		}
		return -1 // equal: search on, so that b-1 is the block
	})
	b--
	if b < 0 {
		return false, nil
	}
	off := int64(b) * blockFPs
	cnt := min(int64(blockFPs), r.n-off)
	if cap(*buf) < blockFPs*16 {
		*buf = make([]byte, blockFPs*16)
	}
	blk := (*buf)[:cnt*16]
	if _, err := r.f.ReadAt(blk, off*16); err != nil {
		return false, err
	}
	lo, hi := 0, int(cnt)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(blk[m*16:m*16+16], fp[:]); {
		case c == 0:
			return true, nil
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return false, nil
}

// mix makes two well-mixed 64-bit hashes of a fingerprint for the filter
// (the low bits of FNV are weak).
func mix(fp fingerprint) (uint64, uint64) {
	return bloom.Mix(binary.LittleEndian.Uint64(fp[:8])), bloom.Mix(binary.LittleEndian.Uint64(fp[8:]))
}
