package lake

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	icebergio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
)

// Changes is what a write did to its table.
type Changes struct {
	// Inserted rows had a key the table did not hold; Updated rows
	// replaced a row of the table with other content; Unchanged rows were
	// in the table already, as they are (nothing written); Deleted rows of
	// the table were removed (deletes of the source, not the rows an update
	// replaced).
	Inserted, Updated, Unchanged, Deleted int64
	// FilesAdded counts the data files written, DeleteFilesAdded the
	// position-delete files, FilesRemoved the data files a commit dropped.
	FilesAdded, DeleteFilesAdded, FilesRemoved int
}

// merge is a merge-on-read upsert: the rows of the spool whose key the
// table does not hold are added, those whose key it holds with other
// content are added and the rows they replace are marked in position-delete
// files, those it holds as they are are left alone; rows whose key is in
// w.Deletes, or (w.KeepOnly) not in w.KeepOnly, are deleted. One row delta
// commits it all.
func (l *Lake) merge(ctx context.Context, t *table.Table, sp *Spool, w Write, props iceberg.Properties) (Outcome, error) {
	out := Outcome{Table: t}
	keys := sp.Keys()
	if keys == nil && rowCount(t) == 0 {
		// a first load: nothing to replace (the caller holds the table's lock)
		out.Changes.Inserted = sp.Rows()
		tx := t.NewTransaction()
		if err := appendRecords(ctx, tx, t, sp, props); err != nil {
			return out, fmt.Errorf("writing %s: %w", name(t), err)
		}
		return commitTx(ctx, t, tx, out)
	}
	if keys == nil {
		return out, errors.New("merge: the spool was not started with the key columns")
	}
	if w.Deletes.Spilled() || w.KeepOnly.Spilled() && w.KeepOnly != keys {
		return out, errors.New("merge: only the spool's key index may spill")
	}
	var files, dels []iceberg.DataFile
	if !keys.Spilled() {
		f, d, err := mergeKeys(ctx, t, sp, w, keys, w.KeepOnly, nil, &out.Changes)
		if err != nil {
			return out, err
		}
		files, dels = f, d
	} else {
		// Past its bound the key index is read by groups of hash buckets,
		// one pass each: a pass probes and writes only the rows whose key
		// falls in its group, so each row of the table and of the run is
		// decided once.
		for _, g := range keys.spill.groups(keys.bound) {
			pk, err := keys.pass(g)
			if err != nil {
				return out, err
			}
			keepOnly := w.KeepOnly
			if keepOnly == keys {
				keepOnly = pk
			}
			in := map[int]bool{}
			for _, b := range g {
				in[b] = true
			}
			f, d, err := mergeKeys(ctx, t, sp, w, pk, keepOnly, func(key []byte) bool { return in[keyBucket(key)] }, &out.Changes)
			if err != nil {
				return out, err
			}
			files, dels = append(files, f...), append(dels, d...)
		}
	}
	out.Changes.FilesAdded = len(files)
	out.Changes.DeleteFilesAdded = len(dels)
	if len(files) == 0 && len(dels) == 0 {
		if !w.CommitEmpty {
			return out, nil
		}
		tx := t.NewTransaction()
		if err := tx.Append(ctx, emptyReader(sp.schema), props); err != nil {
			return out, fmt.Errorf("writing %s: %w", name(t), err)
		}
		return commitTx(ctx, t, tx, out)
	}
	tx := t.NewTransaction()
	rd := tx.NewRowDelta(props)
	rd.AddRows(files...)
	rd.AddDeletes(dels...)
	if err := rd.Commit(ctx); err != nil {
		return out, fmt.Errorf("writing %s: %w", name(t), err)
	}
	return commitTx(ctx, t, tx, out)
}

// mergeKeys plans and writes a merge of the spool's rows whose key is in
// keys (all of them, or, with inGroup, those of one pass): the data files
// of the new and changed rows and the position-delete files of the table's
// rows they replace or that are deleted, adding to the counts of ch.
// inGroup (nil: every key) limits the table's rows considered.
func mergeKeys(ctx context.Context, t *table.Table, sp *Spool, w Write, keys, keepOnly *KeyIndex, inGroup func([]byte) bool, ch *Changes) (files, dels []iceberg.DataFile, err error) {
	if w.Version != "" && keys.Len() > 0 {
		if err := keys.screenBy(sp, w.Version); err != nil {
			return nil, nil, fmt.Errorf("merging into %s: %w", name(t), err)
		}
	}
	plan, err := planMerge(ctx, t, sp.alloc, sp.schema, keys, w.Deletes, keepOnly, inGroup)
	if err != nil {
		return nil, nil, err
	}
	ch.Unchanged += keys.count(keyUnchanged)
	ch.Deleted += plan.deleted
	sp.Rewind()
	files, ins, upd, err := writeChanged(ctx, t, sp, keys)
	if err != nil {
		return nil, nil, err
	}
	ch.Inserted += ins
	ch.Updated += upd
	for _, f := range plan.order {
		df, err := writePositionDeletes(ctx, t, sp.alloc, plan.files[f], plan.positions[f])
		if err != nil {
			return nil, nil, err
		}
		dels = append(dels, df)
	}
	return files, dels, nil
}

func commitTx(ctx context.Context, t *table.Table, tx *table.Transaction, out Outcome) (Outcome, error) {
	nt, err := tx.Commit(ctx)
	if err != nil {
		return out, fmt.Errorf("committing %s: %w", name(t), err)
	}
	out.Table, out.Committed = nt, true
	if s := nt.CurrentSnapshot(); s != nil && s.Summary != nil {
		p := s.Summary.Properties
		out.Changes.FilesAdded = int(atoi(p["added-data-files"]))
		out.Changes.DeleteFilesAdded = int(atoi(p["added-delete-files"]))
		out.Changes.FilesRemoved = int(atoi(p["deleted-data-files"]))
	}
	return out, nil
}

func emptyReader(sc *arrow.Schema) array.RecordReader {
	r, _ := array.NewRecordReader(sc, nil)
	return r
}

// mergePlan is the rows of the table a merge deletes, by data file.
type mergePlan struct {
	files     map[string]iceberg.DataFile
	positions map[string][]int64
	order     []string // data files in the order found
	deleted   int64    // rows deleted for w.Deletes or w.KeepOnly
}

func (p *mergePlan) remove(df iceberg.DataFile, pos int64) {
	path := df.FilePath()
	if _, ok := p.files[path]; !ok {
		p.files[path] = df
		p.order = append(p.order, path)
	}
	p.positions[path] = append(p.positions[path], pos)
}

// planMerge finds the table's rows that the run replaces or deletes. Only
// the files whose statistics and partition cannot exclude the run's keys
// are read (all of them with keepOnly), their key columns (and the column
// keys.screen, when set) first, by several files at a time; the other
// columns of a file are read only for the row groups holding a row of one
// of the run's keys whose screen column has the run's value, to tell a
// changed row from an unchanged one. The keys' states are updated:
// keyMatched (replaced) or keyUnchanged.
func planMerge(ctx context.Context, t *table.Table, alloc memory.Allocator, content *arrow.Schema, keys, deletes, keepOnly *KeyIndex, inGroup func([]byte) bool) (*mergePlan, error) {
	plan := &mergePlan{files: map[string]iceberg.DataFile{}, positions: map[string][]int64{}}
	if t.CurrentSnapshot() == nil || (keys.Len() == 0 && deletes.Len() == 0 && keepOnly == nil) {
		return plan, nil
	}
	sc := t.Schema()
	keyIDs := make([]int, len(keys.cols), len(keys.cols)+1)
	for j, c := range keys.cols {
		f, ok := sc.FindFieldByName(c)
		if !ok {
			return nil, fmt.Errorf("table %s has no key column %q", name(t), c)
		}
		keyIDs[j] = f.ID
	}
	screened := false
	if keys.screen != "" {
		if f, ok := sc.FindFieldByName(keys.screen); ok {
			keyIDs = append(keyIDs, f.ID)
			screened = true
		}
	}
	contentIDs := make([]int, content.NumFields())
	for j, f := range content.Fields() {
		contentIDs[j] = -1
		if tf, ok := sc.FindFieldByName(f.Name); ok {
			contentIDs[j] = tf.ID
		}
	}
	var opts []table.ScanOption
	if keepOnly == nil {
		filter := iceberg.BooleanExpression(iceberg.AlwaysFalse{})
		for _, k := range []*KeyIndex{keys, deletes} {
			if k.Len() > 0 {
				filter = iceberg.NewOr(filter, k.filter(sc))
			}
		}
		opts = append(opts, table.WithRowFilter(filter))
	}
	tasks, err := t.Scan(opts...).PlanFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("planning the merge into %s: %w", name(t), err)
	}
	fs, err := t.FS(ctx)
	if err != nil {
		return nil, err
	}
	probe := keyProbe{fs: fs, alloc: alloc, keys: keys, deletes: deletes, keepOnly: keepOnly, keyIDs: keyIDs, contentIDs: contentIDs,
		nkey: len(keys.cols), screened: screened, cache: map[string]map[string][]int64{}, inGroup: inGroup}
	if keepOnly == nil {
		probe.filter = newKeyFilter(keys, deletes)
	}
	// What each file holds is decided here, one file at a time in the
	// order of tasks, as the probe's workers hand their files over: a
	// file's hits are dropped once decided, so the rows found are held for
	// the files in flight only. Only this goroutine writes a key's state;
	// the workers read the keys' other fields.
	err = probe.run(ctx, tasks, func(i int, ff fileFound) error {
		task := tasks[i]
		for _, pos := range ff.deleted {
			plan.remove(task.File, pos)
			plan.deleted++
		}
		for _, h := range ff.hits {
			e := &keys.ents[h.idx]
			rh, same := ff.hashes[h.pos]
			switch {
			case e.state == keyNew && same && rh == e.hash:
				e.state = keyUnchanged
			case e.state == keyNew:
				e.state = keyMatched
				plan.remove(task.File, h.pos)
			default: // a second row of the key in the table: only one stays
				if e.state == keyUnchanged {
					plan.deleted++
				}
				plan.remove(task.File, h.pos)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// keyProbe reads the key columns of a merge's candidate files.
type keyProbe struct {
	fs                      icebergio.IO
	alloc                   memory.Allocator
	keys, deletes, keepOnly *KeyIndex
	keyIDs                  []int // the key columns' field ids, then the screen column's
	contentIDs              []int // the field ids of the run's columns (-1: not in the table)
	nkey                    int
	screened                bool
	mu                      sync.Mutex // guards cache
	hashing                 sync.Mutex // one rowHashes at a time
	cache                   map[string]map[string][]int64
	// filter summarises keys and deletes (nil with keepOnly, which needs
	// every row's key looked up)
	filter *keyFilter
	// inGroup, when set, says which keys this pass of a spilled merge
	// decides: the rows of other keys are left to their pass.
	inGroup func([]byte) bool
}

// keyHit is a live row of a table's file holding one of the run's keys
// (16 bytes: the key is its entry's index in the key index).
type keyHit struct {
	pos    int64
	idx    int32
	screen uint32 // hash of the row's screen column
}

// fileFound is what the probe found in one file: the rows holding a key of
// the run, and those deleted (deletes, keepOnly), by position; and the
// content hashes of the hits whose whole content decides (their screen
// column holds the run's value, or there is none).
type fileFound struct {
	hits    []keyHit
	deleted []int64
	hashes  map[int64]uint64
}

// run probes the files of tasks, several at a time (one per CPU, at most
// 4), and hands what it found in each to apply, in the order of tasks, on
// the calling goroutine.
func (p *keyProbe) run(ctx context.Context, tasks []table.FileScanTask, apply func(i int, ff fileFound) error) error {
	workers := min(runtime.GOMAXPROCS(0), 4, len(tasks))
	if workers == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		i   int
		ff  fileFound
		err error
	}
	results := make(chan result, workers)
	var (
		wg   sync.WaitGroup
		next atomic.Int64
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(tasks) || ctx.Err() != nil {
					return
				}
				ff, err := p.file(ctx, tasks[i])
				select {
				case results <- result{i, ff, err}:
				case <-ctx.Done():
					return
				}
				if err != nil {
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	var first error
	pending := map[int]fileFound{}
	done := 0
	for r := range results {
		if first != nil {
			continue
		}
		if r.err != nil {
			first = r.err
			cancel()
			continue
		}
		pending[r.i] = r.ff
		for {
			ff, ok := pending[done]
			if !ok {
				break
			}
			delete(pending, done)
			if err := apply(done, ff); err != nil {
				first = err
				cancel()
				break
			}
			done++
		}
	}
	if first != nil {
		return first
	}
	if done < len(tasks) {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fmt.Errorf("the merge's probe read %d of %d files", done, len(tasks))
	}
	return nil
}

// file probes one file. It reads the key index without changing it.
func (p *keyProbe) file(ctx context.Context, task table.FileScanTask) (fileFound, error) {
	var ff fileFound
	gone, err := deletedPositionsShared(ctx, p.fs, p.alloc, task, p.cache, &p.mu)
	if err != nil {
		return ff, err
	}
	// the deleted positions, ascending, walked along with the rows
	dead := make([]int64, 0, len(gone))
	for pos := range gone {
		dead = append(dead, pos)
	}
	slices.Sort(dead)
	d := 0
	var buf []byte
	err = fileColumns(ctx, p.fs, p.alloc, task.File.FilePath(), p.keyIDs, func(cols []arrow.Array, first int64, n int) error {
		kcols := cols[:p.nkey]
		for i := 0; i < n; i++ {
			pos := first + int64(i)
			for d < len(dead) && dead[d] < pos {
				d++
			}
			if d < len(dead) && dead[d] == pos {
				continue
			}
			buf = buf[:0]
			for _, a := range kcols {
				buf = appendValue(buf, a, i)
			}
			if p.inGroup != nil && !p.inGroup(buf) {
				continue // another pass's
			}
			if p.filter != nil && !p.filter.mayHold(buf) {
				continue // none of the run's keys, nor a key to delete
			}
			if j, ok := p.keys.find(buf); ok {
				h := keyHit{pos: pos, idx: j}
				if p.screened {
					buf = appendValue(buf[:0], cols[p.nkey], i)
					h.screen = screenHash(buf)
				}
				ff.hits = append(ff.hits, h)
				continue
			}
			_, del := p.deletes.lookupOK(buf)
			if p.keepOnly != nil {
				if _, keep := p.keepOnly.lookup(buf); !keep {
					del = true
				}
			}
			if del {
				ff.deleted = append(ff.deleted, pos)
			}
		}
		return nil
	})
	if err != nil || len(ff.hits) == 0 {
		return ff, err
	}
	// the rows whose whole content decides: their screen column holds the
	// run's value (or there is none); positions ascend with the hits
	var whole []int64
	for _, h := range ff.hits {
		if !p.screened || p.keys.ents[h.idx].screen == h.screen {
			whole = append(whole, h.pos)
		}
	}
	// one file's content at a time: decoding whole rows is the probe's
	// largest transient memory (several at once took ~120 MB more at 1M
	// keys for no time saved in passes)
	p.hashing.Lock()
	defer p.hashing.Unlock()
	ff.hashes, err = rowHashes(ctx, p.fs, p.alloc, task.File.FilePath(), p.contentIDs, whole)
	return ff, err
}

// rowHashes is the content hash (as the spool computes it) of the rows at
// positions (ascending) of a data file, reading only the row groups that
// hold them.
func rowHashes(ctx context.Context, fs icebergio.IO, alloc memory.Allocator, path string, ids []int, positions []int64) (map[int64]uint64, error) {
	if len(positions) == 0 {
		return nil, nil
	}
	out := make(map[int64]uint64, len(positions))
	want := func(first, end int64) bool {
		i, _ := slices.BinarySearch(positions, first)
		return i < len(positions) && positions[i] < end
	}
	var buf []byte
	err := fileColumnsOf(ctx, fs, alloc, path, ids, want, func(cols []arrow.Array, first int64, n int) error {
		i, _ := slices.BinarySearch(positions, first)
		for ; i < len(positions) && positions[i] < first+int64(n); i++ {
			var h uint64
			h, buf = hashRow(cols, int(positions[i]-first), buf)
			out[positions[i]] = h
		}
		return nil
	})
	return out, err
}

// lookupOK is lookup on a possibly nil index.
func (k *KeyIndex) lookupOK(key []byte) (keyEntry, bool) {
	if k == nil {
		return keyEntry{}, false
	}
	return k.lookup(key)
}

// filter is an Iceberg expression that every row holding one of the keys
// matches: the range of each key column whose kind file statistics can
// prune (it over-selects files, never rows).
func (k *KeyIndex) filter(sc *iceberg.Schema) iceberg.BooleanExpression {
	var out iceberg.BooleanExpression = iceberg.AlwaysTrue{}
	for j, c := range k.cols {
		f, ok := sc.FindFieldByName(c)
		if !ok {
			continue
		}
		lo, hi := k.lo[j], k.hi[j]
		if lo.kind == 0 || lo.kind == tagOther || hi.kind != lo.kind {
			continue
		}
		ref := iceberg.Reference(c)
		var ge, le iceberg.BooleanExpression
		switch {
		case lo.kind == tagText:
			ge, le = iceberg.GreaterThanEqual(ref, lo.s), iceberg.LessThanEqual(ref, hi.s)
		case lo.kind == tagDate:
			ge, le = iceberg.GreaterThanEqual(ref, iceberg.Date(lo.n)), iceberg.LessThanEqual(ref, iceberg.Date(hi.n))
		case lo.kind == tagTime:
			ge, le = iceberg.GreaterThanEqual(ref, iceberg.Timestamp(lo.n)), iceberg.LessThanEqual(ref, iceberg.Timestamp(hi.n))
		case lo.kind == tagInt:
			switch f.Type.(type) {
			case iceberg.Int32Type:
				ge, le = iceberg.GreaterThanEqual(ref, int32(lo.n)), iceberg.LessThanEqual(ref, int32(hi.n))
			case iceberg.Int64Type:
				ge, le = iceberg.GreaterThanEqual(ref, lo.n), iceberg.LessThanEqual(ref, hi.n)
			default:
				continue
			}
		default:
			continue
		}
		out = iceberg.NewAnd(out, iceberg.NewAnd(ge, le))
	}
	return out
}

// writeChanged writes the spool's rows that a merge adds: the newest row of
// each key that is new or changed (once, however many times the run read
// it). It returns the data files and the rows inserted and updated.
func writeChanged(ctx context.Context, t *table.Table, sp *Spool, keys *KeyIndex) ([]iceberg.DataFile, int64, int64, error) {
	var ins, upd int64
	var ferr error
	batches := func(yield func(arrow.RecordBatch, error) bool) {
		for sp.Next() {
			b := sp.RecordBatch()
			keep, err := keys.take(b, sp.hashBatch(b), &ins, &upd)
			if err != nil {
				yield(nil, err)
				return
			}
			var out arrow.RecordBatch
			switch {
			case keep == nil:
				b.Retain()
				out = b
			default:
				ctx := compute.WithAllocator(ctx, sp.alloc)
				out, err = compute.FilterRecordBatch(ctx, b, keep, compute.DefaultFilterOptions())
				keep.Release()
				if err != nil {
					yield(nil, err)
					return
				}
			}
			if out.NumRows() == 0 {
				out.Release()
				continue
			}
			if !yield(out, nil) {
				return
			}
		}
		if err := sp.Err(); err != nil {
			yield(nil, err)
		}
	}
	files, err := writeSpool(ctx, t, sp, batches)
	if err != nil {
		return nil, 0, 0, err
	}
	return files, ins, upd, ferr
}

// take decides which rows of a batch a merge writes: a mask (nil: every
// row), counting the rows inserted and updated.
func (k *KeyIndex) take(b arrow.RecordBatch, hashes []uint64, ins, upd *int64) (*array.Boolean, error) {
	cols, err := k.keyColumns(b)
	if err != nil {
		return nil, err
	}
	n := int(b.NumRows())
	mask := make([]bool, n)
	all := true
	for i := 0; i < n; i++ {
		j, ok := k.find(k.key(cols, i))
		if ok {
			e := &k.ents[j]
			if e.hash == hashes[i] && (e.state == keyNew || e.state == keyMatched) {
				mask[i] = true
				if e.state == keyNew {
					*ins++
				} else {
					*upd++
				}
				e.state = keyWritten
				continue
			}
		}
		all = false
	}
	if all {
		return nil, nil
	}
	bb := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer bb.Release()
	bb.AppendValues(mask, nil)
	return bb.NewBooleanArray(), nil
}
