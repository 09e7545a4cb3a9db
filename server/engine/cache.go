package engine

import (
	"container/list"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sonla-data/kho/security/sandbox"
)

// The result cache keeps the rows of the latest answers (mart requests, the
// dashboard's panels, repeated queries) so that a statement asked again on
// the same snapshots is answered from memory. An entry's key holds
// everything its rows depend on:
//
//   - the text the sandbox checked, exactly, and the arguments;
//   - the reader's profile (role, agency, grants, PII or masked), and the
//     token when a masked table read shows keyed pseudonyms (each token sees
//     its own): a masked answer is never handed to a PII reader, nor one
//     token's pseudonyms to another;
//   - the snapshot id of every table read: a table at a new snapshot is a
//     new key, so an answer on the previous snapshot is never served after
//     the refresh that shows the new one (Refresh also drops those entries);
//   - the row limit.
//
// Every statement still passes the sandbox with the caller's policy and is
// audited, hit or miss. Statements that read no table (the catalog's), that
// call a function whose result changes between calls (now(), random(), a
// sample…) or whose result is unbounded (downloads) are not cached, nor is a
// result larger than an eighth of the bound. Entries are evicted least
// recently used first beyond the bound (Options.CacheBytes).
type resultCache struct {
	max int64

	mu      sync.Mutex
	bytes   int64
	lru     *list.List // of *cacheEntry, most recent first
	entries map[string]*list.Element

	hits, misses, evictions, stores int64
	bodies                          int64 // hits sent as a kept body
	// the page cache's (memos): counted apart, held under the same bound
	memoHits, memoMisses, memoStores int64
	memoEntries                      int
	memoBytes                        int64
}

// cacheEntry is one answer: its columns and rows as the driver gave them.
type cacheEntry struct {
	key       string
	tables    []string
	cols      []ResultColumn
	rows      [][]any
	truncated bool
	size      int64
	// memo is a page's value (Engine.KeepMemo) instead of an answer.
	memo any
	// encoded are the answer's bodies as the API sent them, by format
	// (Result.KeepEncoded), counted in size.
	encoded map[string][]byte
}

// CacheStats are the result cache's counters since the engine started.
type CacheStats struct {
	Hits, Misses, Evictions, Stores int64
	// Bodies are the hits sent as the body kept beside the answer
	// (Result.Encoded) instead of encoded again.
	Bodies          int64
	Entries         int
	Bytes, MaxBytes int64
	// Page is the page cache's share (memos: the dashboard's panels),
	// also counted in Evictions, Entries and Bytes.
	Page PageCacheStats
}

// PageCacheStats are the page cache's counters.
type PageCacheStats struct {
	Hits, Misses, Stores int64
	Entries              int
	Bytes                int64
}

func newResultCache(max int64) *resultCache {
	return &resultCache{max: max, lru: list.New(), entries: map[string]*list.Element{}}
}

// entryOverhead is what an entry costs besides its values: the key, the
// list element, the map slot.
const entryOverhead = 256

// get returns the entry of key (nil on a miss), counting it.
func (c *resultCache) get(key string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		c.misses++
		return nil
	}
	c.hits++
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry)
}

// memo returns the memo of key, counting it.
func (c *resultCache) memo(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok || el.Value.(*cacheEntry).memo == nil {
		c.memoMisses++
		return nil, false
	}
	c.memoHits++
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry).memo, true
}

// limit is the largest entry kept: an eighth of the bound.
func (c *resultCache) limit() int64 { return c.max / 8 }

// put stores e, evicting the least recently used entries beyond the bound.
func (c *resultCache) put(e *cacheEntry) {
	e.size += int64(len(e.key)) + entryOverhead
	if e.size > c.limit() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok {
		c.remove(el)
	}
	c.entries[e.key] = c.lru.PushFront(e)
	c.bytes += e.size
	if e.memo != nil {
		c.memoStores++
		c.memoEntries++
		c.memoBytes += e.size
	} else {
		c.stores++
	}
	for c.bytes > c.max {
		c.remove(c.lru.Back())
		c.evictions++
	}
}

func (c *resultCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.bytes -= e.size
	if e.memo != nil {
		c.memoEntries--
		c.memoBytes -= e.size
	}
}

// encoding returns e's answer encoded in format, if kept.
func (c *resultCache) encoding(e *cacheEntry, format string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := e.encoded[format]
	if ok {
		c.bodies++
	}
	return b, ok
}

// encode keeps body as e's answer encoded in format, while e is held and
// stays within the entry limit, evicting beyond the bound.
func (c *resultCache) encode(e *cacheEntry, format string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[e.key]
	if !ok || el.Value.(*cacheEntry) != e || e.encoded[format] != nil {
		return
	}
	n := int64(len(body)) + 64
	if e.size+n > c.limit() {
		return
	}
	if e.encoded == nil {
		e.encoded = map[string][]byte{}
	}
	e.encoded[format] = body
	e.size += n
	c.bytes += n
	c.lru.MoveToFront(el)
	for c.bytes > c.max {
		c.remove(c.lru.Back())
		c.evictions++
	}
}

// forgetMemos drops every memo (the served snapshots changed).
func (c *resultCache) forgetMemos() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		if el.Value.(*cacheEntry).memo != nil {
			c.remove(el)
		}
		el = next
	}
}

// forget drops the entries that read one of tables (at a snapshot no longer
// served).
func (c *resultCache) forget(tables map[string]bool) {
	if len(tables) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		for _, t := range el.Value.(*cacheEntry).tables {
			if tables[t] {
				c.remove(el)
				break
			}
		}
		el = next
	}
}

func (c *resultCache) stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.hits, Misses: c.misses, Evictions: c.evictions, Stores: c.stores, Bodies: c.bodies,
		Entries: len(c.entries), Bytes: c.bytes, MaxBytes: c.max,
		Page: PageCacheStats{Hits: c.memoHits, Misses: c.memoMisses, Stores: c.memoStores, Entries: c.memoEntries, Bytes: c.memoBytes}}
}

// CacheStats reports the result cache's counters (all zero when it is off).
func (e *Engine) CacheStats() CacheStats {
	if e.cache == nil {
		return CacheStats{}
	}
	return e.cache.stats()
}

// volatile finds calls whose result changes from one run to the next:
// answers that call them are not cached.
var volatile = regexp.MustCompile(`(?i)\b(random|rand|now|current_timestamp|current_date|current_time|localtime|localtimestamp|get_current_time|get_current_timestamp|transaction_timestamp|statement_timestamp|today|gen_random_uuid|uuid|uuidv4|uuidv7|nextval|currval|setseed|sample|tablesample|reservoir_quantile|approx_quantile|approx_count_distinct|current_setting|getvariable|getenv)\b`)

// cacheKey is the key of q's answer, checked as st, or "" when it is not
// cached; tables are the tables read.
func (e *Engine) cacheKey(q *Query, st *sandbox.Statement, maxRows int64) (key string, tables []string) {
	if e.cache == nil || q.Unbounded || st.Catalog() || volatile.MatchString(st.SQL) {
		return "", nil
	}
	var b strings.Builder
	b.WriteString(q.Principal.Profile())
	b.WriteByte(0)
	keyed := false
	e.mu.RLock()
	for _, t := range st.Tables {
		name := strings.ToLower(t.Schema + "." + t.Name)
		o, ok := e.objects[name]
		if !ok {
			e.mu.RUnlock()
			return "", nil
		}
		if d := e.describes[name]; d != nil && d.keyed() {
			keyed = true
		}
		tables = append(tables, name)
		b.WriteString(name)
		b.WriteByte('@')
		b.WriteString(strconv.FormatInt(o.SnapshotID, 10))
		b.WriteByte(0)
	}
	e.mu.RUnlock()
	if keyed && !q.Principal.PII {
		// each token sees its own pseudonyms
		b.WriteString("token=" + strconv.Quote(q.Principal.TokenID))
	}
	b.WriteByte(0)
	b.WriteString(strconv.FormatInt(maxRows, 10))
	b.WriteByte(0)
	for _, a := range q.Args {
		k, ok := argKey(a)
		if !ok {
			return "", nil
		}
		b.WriteString(k)
		b.WriteByte(0)
	}
	b.WriteByte(0)
	b.WriteString(st.SQL)
	return b.String(), tables
}

// argKey writes an argument with its type; false for a type whose text
// might not tell two values apart.
func argKey(a any) (string, bool) {
	switch x := a.(type) {
	case nil:
		return "nil", true
	case string:
		return "s" + strconv.Quote(x), true
	case []byte:
		return "b" + strconv.Quote(string(x)), true
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, bool:
		return fmt.Sprintf("%T:%v", x, x), true
	case time.Time:
		return "t" + x.Format(time.RFC3339Nano) + x.Location().String(), true
	}
	return "", false
}

// valueSize estimates the memory a value held by an entry takes.
func valueSize(v any) int64 {
	const iface = 16
	switch x := v.(type) {
	case string:
		return iface + 16 + int64(len(x))
	case []byte:
		return iface + 24 + int64(len(x))
	case []any:
		n := int64(iface + 24)
		for _, y := range x {
			n += valueSize(y)
		}
		return n
	case map[string]any:
		n := int64(iface + 48)
		for k, y := range x {
			n += 16 + int64(len(k)) + valueSize(y)
		}
		return n
	case *big.Int:
		return iface + 32 + int64(len(x.Bits()))*8
	case time.Time:
		return iface + 24
	}
	return iface + 32
}

// recorder collects the rows of a result being read for the cache, until
// they exceed the cache's entry limit.
type recorder struct {
	e    *cacheEntry
	max  int64
	over bool
}

func (r *recorder) row(vals []any) {
	if r.over {
		return
	}
	row := make([]any, len(vals))
	size := int64(24 + 16*len(vals))
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			v = append([]byte(nil), b...)
		}
		row[i] = v
		size += valueSize(v)
	}
	r.e.size += size
	if r.e.size > r.max {
		r.over, r.e.rows = true, nil
		return
	}
	r.e.rows = append(r.e.rows, row)
}
