package lake

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sonla-data/kho/internal/bloom"
)

// A key index past its bound spills: instead of its map it keeps the log
// of what was done to it (keys added with their row's hash, keys removed),
// in the order done, in one file per hash bucket of the key. A merge then
// runs in passes, each over a group of buckets whose keys fit the bound:
// it loads the group's log into a map (replaying it: the last add of a key
// wins, a remove takes it out, as the map would have had it), probes only
// the table rows whose key falls in the group, and writes only the run's
// rows of the group. Memory stays at the bound whatever the rows; each pass
// reads the spool and the candidate files' key columns once more.

// DefaultKeyBound is the number of keys a merge's key index holds in
// memory before it spills. A merge keeps ~360 bytes a key of the run at
// its peak (the index, the table rows found holding them, their hashes,
// and the GC's headroom): 1M keys peaked at 616 MB, against 351 MB in
// passes of 262,144 (+31% time; bench dossier CSV, 1M-row merge rerun).
const DefaultKeyBound = 1 << 18

// keyBuckets is the number of hash buckets of a spilled key index: a merge
// of up to keyBuckets times the bound still holds at most the bound a pass.
const keyBuckets = 64

// keyBucket is the bucket of an encoded key.
func keyBucket(key []byte) int { return int(bloom.Mix(mixValue(0x6b68, key)) % keyBuckets) }

// Log records of a spilled index.
const (
	spillAdd    byte = 1
	spillRemove byte = 2
)

// keySpill is the per-bucket log of a spilled key index. Its files are
// removed from the folder as soon as they are made (a crash leaves nothing).
type keySpill struct {
	files  [keyBuckets]*os.File
	bufs   [keyBuckets]*bufio.Writer
	counts [keyBuckets]int64
	rec    []byte
}

func newKeySpill(dir string) (*keySpill, error) {
	s := &keySpill{}
	for i := range s.files {
		f, err := os.CreateTemp(dir, "kho-keys-*.log")
		if err != nil {
			s.close()
			return nil, fmt.Errorf("spilling the merge's keys: %w", err)
		}
		os.Remove(f.Name())
		s.files[i], s.bufs[i] = f, bufio.NewWriterSize(f, 16<<10)
	}
	return s, nil
}

// log appends one record to the key's bucket.
func (s *keySpill) log(op byte, key []byte, hash uint64) error {
	b := keyBucket(key)
	s.rec = append(s.rec[:0], op)
	s.rec = binary.AppendUvarint(s.rec, uint64(len(key)))
	s.rec = append(s.rec, key...)
	if op == spillAdd {
		s.rec = binary.LittleEndian.AppendUint64(s.rec, hash)
	}
	s.counts[b]++
	_, err := s.bufs[b].Write(s.rec)
	return err
}

// records is the number of records logged.
func (s *keySpill) records() int64 {
	var n int64
	for _, c := range s.counts {
		n += c
	}
	return n
}

// groups splits every bucket into groups of at most bound records each (a
// bucket larger than the bound is a group of its own). Buckets without a
// record are in a group too: the table's rows of their keys may be deleted
// (Write.Deletes, Write.KeepOnly).
func (s *keySpill) groups(bound int) [][]int {
	var out [][]int
	var cur []int
	var n int64
	for b, c := range s.counts {
		if len(cur) > 0 && n+c > int64(bound) {
			out = append(out, cur)
			cur, n = nil, 0
		}
		cur = append(cur, b)
		n += c
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// replay reads the logs of buckets into the index p.
func (s *keySpill) replay(buckets []int, p *KeyIndex) error {
	for _, b := range buckets {
		if err := s.bufs[b].Flush(); err != nil {
			return err
		}
		f := s.files[b]
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		r := bufio.NewReaderSize(f, 64<<10)
		var key []byte
		for {
			op, err := r.ReadByte()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			n, err := binary.ReadUvarint(r)
			if err != nil {
				return err
			}
			if uint64(cap(key)) < n {
				key = make([]byte, n)
			}
			key = key[:n]
			if _, err := io.ReadFull(r, key); err != nil {
				return err
			}
			switch op {
			case spillAdd:
				var h [8]byte
				if _, err := io.ReadFull(r, h[:]); err != nil {
					return err
				}
				p.put(key, keyEntry{hash: binary.LittleEndian.Uint64(h[:])})
			case spillRemove:
				delete(p.m, string(key))
			default:
				return fmt.Errorf("the merge's key log is damaged (record %d)", op)
			}
		}
		// later records go at the end
		if _, err := f.Seek(0, io.SeekEnd); err != nil {
			return err
		}
	}
	return nil
}

func (s *keySpill) close() {
	for _, f := range s.files {
		if f != nil {
			f.Close()
		}
	}
}
