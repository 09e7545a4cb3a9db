package lake

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sonla-data/kho/internal/bloom"
)

// KeyIndex is the set of a run's keys (one or several columns of any type a
// dataset allows), each with the hash of the newest row holding it. A merge
// reads it to find the table's rows it replaces and the rows it leaves
// alone; a spool fills it as rows are written, and so can any other writer
// of the run's rows.
//
// It holds every key in memory (about 60 bytes a key beside the key's own
// bytes) up to its bound (Bound), and spills beyond it (keyspill.go).
type KeyIndex struct {
	cols []string
	// m gives each key's entry in ents: a merge's probe keeps an entry's
	// index (4 bytes) for each table row it finds, and its workers read the
	// map while the row's decisions are written to ents.
	m    map[string]int32
	ents []keyEntry
	buf  []byte
	one  []byte
	// min and max of each key column, for pruning the table's files.
	lo, hi []keyBound
	// screen is a column whose value, when a table row's differs from the
	// run's row of the same key, proves the row changed without its other
	// columns being read (see Write.Version); "" when none.
	screen string
	// bound is the number of keys kept in m (0: no bound), dir the folder
	// of the spill; spill, once past the bound, the log that replaces m.
	bound int
	dir   string
	spill *keySpill
}

// Bound makes the index spill to files in dir (the system's temporary
// folder when empty) once it holds more than n keys (0: never). Call it
// before the first Add.
func (k *KeyIndex) Bound(dir string, n int) { k.dir, k.bound = dir, n }

// Spilled reports whether the index went past its bound: its keys are then
// read by group of buckets (pass), not looked up.
func (k *KeyIndex) Spilled() bool { return k != nil && k.spill != nil }

// Close removes the spill's files (nothing when the index did not spill).
func (k *KeyIndex) Close() {
	if k != nil && k.spill != nil {
		k.spill.close()
		k.spill = nil
	}
}

// spillOut starts the spill with the keys of the map.
func (k *KeyIndex) spillOut() error {
	sp, err := newKeySpill(k.dir)
	if err != nil {
		return err
	}
	for key, i := range k.m {
		if err := sp.log(spillAdd, []byte(key), k.ents[i].hash); err != nil {
			sp.close()
			return fmt.Errorf("spilling the merge's keys: %w", err)
		}
	}
	k.spill, k.m, k.ents = sp, map[string]int32{}, nil
	return nil
}

// pass is the index of the keys of a group of buckets of a spilled index:
// its log replayed into a map, with the whole index's bounds.
func (k *KeyIndex) pass(buckets []int) (*KeyIndex, error) {
	p := &KeyIndex{cols: k.cols, m: map[string]int32{}, lo: k.lo, hi: k.hi}
	if err := k.spill.replay(buckets, p); err != nil {
		return nil, fmt.Errorf("reading the merge's spilled keys: %w", err)
	}
	return p, nil
}

// keyEntry is 16 bytes: the newest row's content hash, the hash of its
// screen column, and the key's state.
type keyEntry struct {
	hash   uint64
	screen uint32
	state  uint8
}

// States of a key during a merge.
const (
	keyNew       uint8 = iota // not (yet) found in the table
	keyMatched                // found in the table, content differs: replaced
	keyUnchanged              // found in the table with the same content: left alone
	keyWritten                // its row was written
)

// keyBound is the smallest or largest value of a key column, for the
// kinds whose files can be pruned by their statistics (whole numbers, texts,
// dates, timestamps); kind 0 is unset, tagOther a column of another kind.
type keyBound struct {
	kind byte
	n    int64
	s    string
}

// NewKeyIndex starts an empty index of the key columns cols.
func NewKeyIndex(cols []string) *KeyIndex {
	return &KeyIndex{cols: cols, m: map[string]int32{}, lo: make([]keyBound, len(cols)), hi: make([]keyBound, len(cols))}
}

// Columns are the key's columns.
func (k *KeyIndex) Columns() []string { return k.cols }

// Len is the number of distinct keys.
func (k *KeyIndex) Len() int {
	if k == nil {
		return 0
	}
	if k.spill != nil {
		return int(k.spill.records()) // an upper bound
	}
	return len(k.m)
}

// keyColumns finds the key columns of a batch.
func (k *KeyIndex) keyColumns(b arrow.RecordBatch) ([]arrow.Array, error) {
	cols := make([]arrow.Array, len(k.cols))
	for j, c := range k.cols {
		idx := b.Schema().FieldIndices(c)
		if len(idx) == 0 {
			return nil, fmt.Errorf("no key column %q", c)
		}
		cols[j] = b.Column(idx[0])
	}
	return cols, nil
}

// key is the encoding of row i's key.
func (k *KeyIndex) key(cols []arrow.Array, i int) []byte {
	k.buf = k.buf[:0]
	for _, a := range cols {
		k.buf = appendValue(k.buf, a, i)
	}
	return k.buf
}

// Add puts the keys of a batch's rows, with their rows' hashes (nil: no
// content compared), into the index; a key seen before takes the newer
// row.
func (k *KeyIndex) Add(b arrow.RecordBatch, hashes []uint64) error {
	cols, err := k.keyColumns(b)
	if err != nil {
		return err
	}
	for i := 0; i < int(b.NumRows()); i++ {
		var h uint64
		if hashes != nil {
			h = hashes[i]
		}
		if k.spill != nil {
			if err := k.spill.log(spillAdd, k.key(cols, i), h); err != nil {
				return fmt.Errorf("spilling the merge's keys: %w", err)
			}
		} else {
			k.put(k.key(cols, i), keyEntry{hash: h})
			if k.bound > 0 && len(k.m) > k.bound {
				if err := k.spillOut(); err != nil {
					return err
				}
			}
		}
		for j, a := range cols {
			if a.IsNull(i) {
				continue
			}
			k.one = appendValue(k.one[:0], a, i)
			bound(&k.lo[j], k.one, -1)
			bound(&k.hi[j], k.one, 1)
		}
	}
	return nil
}

// bound keeps in b the smaller (dir -1) or larger (dir 1) value of an
// encoded value.
func bound(b *keyBound, enc []byte, dir int) {
	if b.kind == tagOther {
		return
	}
	var v keyBound
	switch enc[0] {
	case tagInt, tagTime:
		v = keyBound{kind: enc[0], n: int64(binary.BigEndian.Uint64(enc[1:]))}
	case tagDate:
		v = keyBound{kind: enc[0], n: int64(int32(binary.BigEndian.Uint32(enc[1:])))}
	case tagText:
		_, w := binary.Uvarint(enc[1:])
		t := enc[1+w:]
		switch {
		case b.kind == tagText:
			// compared without a copy (the compiler's string(t) in a
			// comparison); copied only when it is the new bound
			if dir > 0 && string(t) > b.s || dir < 0 && string(t) < b.s {
				b.s = string(t)
			}
			return
		case b.kind != 0:
			b.kind = tagOther
			return
		}
		v = keyBound{kind: enc[0], s: string(t)}
	default:
		b.kind = tagOther
		return
	}
	if b.kind == 0 {
		*b = v
		return
	}
	if b.kind != v.kind {
		b.kind = tagOther
		return
	}
	c := cmpOrd(v.n, b.n)
	if v.kind == tagText {
		c = cmpOrd(v.s, b.s)
	}
	if c*dir > 0 {
		*b = v
	}
}

// screenBy sets the screen column from the rows of the spool (read once
// more): each key takes the value of its newest row, as Add does. It does
// nothing when the spool has no such column.
func (k *KeyIndex) screenBy(sp *Spool, col string) error {
	idx := sp.schema.FieldIndices(col)
	if col == "" || len(idx) == 0 {
		return nil
	}
	sp.Rewind()
	defer sp.Rewind()
	for sp.Next() {
		b := sp.RecordBatch()
		cols, err := k.keyColumns(b)
		if err != nil {
			return err
		}
		a := b.Column(idx[0])
		for i := 0; i < int(b.NumRows()); i++ {
			key := k.key(cols, i)
			j, ok := k.m[string(key)]
			if !ok {
				continue
			}
			k.one = appendValue(k.one[:0], a, i)
			k.ents[j].screen = screenHash(k.one)
		}
	}
	if err := sp.Err(); err != nil {
		return err
	}
	k.screen = col
	return nil
}

// screenHash is a 32-bit hash of an encoded value: two rows whose hashes
// differ hold different values.
func screenHash(enc []byte) uint32 {
	x := bloom.Mix(mixValue(0, enc))
	return uint32(x ^ x>>32)
}

// HasRow reports whether the key of row r of b (a batch holding the
// index's key columns, of any Arrow types the lake reads back) is in the
// index. A spilled index cannot say.
func (k *KeyIndex) HasRow(b arrow.RecordBatch, r int) (bool, error) {
	if k.spill != nil {
		return false, errors.New("the key index spilled: its keys are read by pass")
	}
	cols, err := k.keyColumns(b)
	if err != nil {
		return false, err
	}
	_, ok := k.m[string(k.key(cols, r))]
	return ok, nil
}

// lookup finds a key.
func (k *KeyIndex) lookup(key []byte) (keyEntry, bool) {
	j, ok := k.m[string(key)]
	if !ok {
		return keyEntry{}, false
	}
	return k.ents[j], true
}

// find is the index of a key's entry in ents.
func (k *KeyIndex) find(key []byte) (int32, bool) {
	j, ok := k.m[string(key)]
	return j, ok
}

// put sets a key's entry, adding the key when new.
func (k *KeyIndex) put(key []byte, e keyEntry) {
	if j, ok := k.m[string(key)]; ok {
		k.ents[j] = e
		return
	}
	k.m[string(key)] = int32(len(k.ents))
	k.ents = append(k.ents, e)
}

// count is the number of keys in a state.
func (k *KeyIndex) count(state uint8) int64 {
	var n int64
	for _, j := range k.m {
		if k.ents[j].state == state {
			n++
		}
	}
	return n
}

// KeyText is a key for a person to read: its values joined by "|".
func KeyText(b arrow.RecordBatch, cols []string, row int) string {
	s := ""
	for j, c := range cols {
		if j > 0 {
			s += "|"
		}
		idx := b.Schema().FieldIndices(c)
		if len(idx) == 0 || b.Column(idx[0]).IsNull(row) {
			s += "∅"
			continue
		}
		s += b.Column(idx[0]).ValueStr(row)
	}
	return s
}

func cmpOrd[T int64 | string](x, y T) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
