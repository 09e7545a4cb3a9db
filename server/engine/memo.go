package engine

import (
	"strconv"
	"time"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/security/mask"
)

// Memos are values drawn from answers (the dashboard's panels) that a page
// keeps in the result cache, under the same bound (Options.CacheBytes) and
// least-recently-used order as the answers. A memo's key starts with a
// Scope: the serving version (any served table at another snapshot, added
// or dropped is a new version, and the refresh that makes it drops every
// memo) and the reader's profile (role, agency, grants, PII or masked), with
// the token when the reader would see keyed pseudonyms. So a memo is never
// handed to a reader who may see less, nor one token's pseudonyms to
// another, nor shown after the snapshots it was drawn from are replaced.

// Scope is the part of a memo's key that the engine decides for a reader.
type Scope struct {
	Key     string
	version int64
}

// PageScope is p's memo scope; false when the cache is off.
func (e *Engine) PageScope(p auth.Principal) (Scope, bool) {
	if e.cache == nil {
		return Scope{}, false
	}
	e.mu.RLock()
	v := e.version
	keyed := false
	if !p.PII {
		for name, o := range e.objects {
			if d := e.describes[name]; d != nil && d.keyed() && p.CanRead(o.Object) && (o.Kind != auth.Mart || keyedColumn(o)) {
				keyed = true
				break
			}
		}
	}
	e.mu.RUnlock()
	k := "memo\x00v" + strconv.FormatInt(v, 10) + "\x00" + p.Profile()
	if keyed {
		k += "\x00token=" + strconv.Quote(p.TokenID)
	}
	return Scope{Key: k + "\x00", version: v}, true
}

// Memo returns the value kept under key (which starts with a Scope's Key),
// counting a hit or a miss of the page cache.
func (e *Engine) Memo(key string) (any, bool) {
	if e.cache == nil {
		return nil, false
	}
	return e.cache.memo(key)
}

// KeepMemo keeps v, of about size bytes, under key (which starts with s's
// Key). Nothing is kept when the served snapshots changed since s was
// taken (v may mix both), nor a value over an eighth of the bound.
func (e *Engine) KeepMemo(s Scope, key string, v any, size int64) {
	if e.cache == nil {
		return
	}
	// Under the read lock: a refresh that bumps the version after this
	// drops the memo when it drops the others.
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.version == s.version {
		e.cache.put(&cacheEntry{key: key, memo: v, size: size})
	}
}

// Replayed audits, and reports to the metrics, a statement whose answer a
// page showed from a memo instead of running it: the same entry as a run
// has (who, from where, the SQL, the rows), with the reason page_cache and
// the time the replay took.
func (e *Engine) Replayed(q Query, rows int64, truncated bool) {
	at := time.Now()
	if e.deps.Audit != nil {
		e.deps.Audit.Record(audit.Entry{At: at, Kind: audit.KindQuery, Source: q.Source, Action: q.Action,
			TokenID: q.Principal.TokenID, Name: q.Principal.Name, Role: string(q.Principal.Role), Remote: q.Remote,
			Object: q.Object, SQL: q.SQL, Rows: rows, Truncated: truncated, Outcome: audit.OK,
			Reason: "page_cache: shown from the page drawn on the same snapshots"})
	}
	if e.deps.Observe != nil {
		e.deps.Observe(Event{Principal: q.Principal, Source: q.Source, Action: q.Action, Outcome: audit.OK, Rows: rows})
	}
}

// keyedColumn reports whether a mart shows a column as a keyed pseudonym (a
// mart is described keyed when what it reads has such a column, whether or
// not the mart selects it).
func keyedColumn(o *Object) bool {
	for _, c := range o.Columns {
		if mask.Identifier(c.PII) {
			return true
		}
	}
	return false
}
