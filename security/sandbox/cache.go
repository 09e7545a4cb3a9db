package sandbox

import (
	"container/list"
	"sync"
)

// treeCache keeps the parsed trees of the latest statements, least recently
// used out first.
type treeCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *cacheEntry, most recent first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	key  string
	tree *tree
}

func newTreeCache(max int) *treeCache {
	return &treeCache{max: max, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *treeCache) get(key string) (*tree, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).tree, true
}

func (c *treeCache) put(key string, t *tree) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		e.Value.(*cacheEntry).tree = t
		c.order.MoveToFront(e)
		return
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, tree: t})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*cacheEntry).key)
	}
}
