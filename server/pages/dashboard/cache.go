package dashboard

import (
	"context"
	"reflect"

	"github.com/sonla-data/kho/server/pages/site"
)

// The dashboard's panels are drawn from the marts (0.1–0.9 s of server
// time) and kept in the serving engine's page cache (engine/memo.go), under
// the result cache's bound (serve.cache_bytes). A kept drawing's key is:
//
//   - the engine's scope of the reader: the serving version (a served
//     table at another snapshot, added or dropped makes a new one and drops
//     every drawing), the reader's profile (role, agency, grants, PII or
//     masked) and the token when the reader would see keyed pseudonyms;
//   - the language;
//   - the filters as the request wrote them (period, agency, commune,
//     indicator, order).
//
// The freshness table (run history, the lake's commit times) is read anew
// on every request. Panels that met an error are not kept. A reader shown
// kept panels has every statement they were drawn from written to the
// audit log as its own (site.Querier.Replay).

// kept is a drawing: the page without its view and freshness, and the
// statements it was drawn from.
type kept struct {
	page *dashPage
	ran  []site.Ran
}

// key is the filters as the request wrote them.
func (f Filters) key() string {
	m := func(t interface{ IsZero() bool }, s string) string {
		if t.IsZero() {
			return ""
		}
		return s
	}
	worst := "best"
	if f.Worst {
		worst = "worst"
	}
	return m(f.From, f.From.Format("2006-01")) + "\x00" + m(f.To, f.To.Format("2006-01")) + "\x00" + f.Agency + "\x00" +
		f.Commune + "\x00" + f.KPI + "\x00" + worst
}

// cachedPanels returns the panels of f for the request's reader: kept ones,
// else drawn now (and kept when nothing failed).
func (h *Handler) cachedPanels(ctx context.Context, v *site.View, f Filters) *dashPage {
	q := h.deps.Query
	scope, ok := q.PageScope(ctx)
	if !ok {
		return h.panels(ctx, v, f)
	}
	key := scope.Key + "dashboard\x00" + string(v.Lang) + "\x00" + f.key()
	if m, ok := q.Memo(key); ok {
		k := m.(*kept)
		p := *k.page // the kept page is shared: only read
		p.View = v
		q.Replay(ctx, k.ran)
		return &p
	}
	rctx, rec := site.Recording(ctx)
	p := h.panels(rctx, v, f)
	if len(p.Errors) > 0 || rec.Failed() {
		return p
	}
	page := *p
	page.View = nil
	k := &kept{page: &page, ran: rec.Ran()}
	q.KeepMemo(scope, key, k, memSize(reflect.ValueOf(k), map[uintptr]bool{}))
	return p
}

// memSize estimates the memory a value holds: its strings, slices, maps
// and what its pointers reach (each once).
func memSize(v reflect.Value, seen map[uintptr]bool) int64 {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return 8
		}
		seen[v.Pointer()] = true
		return 8 + memSize(v.Elem(), seen)
	case reflect.Interface:
		if v.IsNil() {
			return 16
		}
		return 16 + memSize(v.Elem(), seen)
	case reflect.String:
		return 16 + int64(v.Len())
	case reflect.Slice:
		n := int64(24)
		if v.IsNil() {
			return n
		}
		for i := range v.Len() {
			n += memSize(v.Index(i), seen)
		}
		return n + int64(v.Cap()-v.Len())*int64(v.Type().Elem().Size())
	case reflect.Array:
		n := int64(0)
		for i := range v.Len() {
			n += memSize(v.Index(i), seen)
		}
		return n
	case reflect.Map:
		n := int64(48)
		it := v.MapRange()
		for it.Next() {
			n += 16 + memSize(it.Key(), seen) + memSize(it.Value(), seen)
		}
		return n
	case reflect.Struct:
		n := int64(0)
		for i := range v.NumField() {
			n += memSize(v.Field(i), seen)
		}
		return n
	}
	return int64(v.Type().Size())
}
