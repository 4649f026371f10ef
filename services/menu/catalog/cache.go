package catalog

import (
	"context"
	"sync"
	"time"
)

// cache keeps recently read menus in memory: at the lunch rush thousands of customers read the same
// few menus, and a memory hit costs no sidecar call. It stays correct this way:
//   - a write through this replica forgets the store's entry at once, so staff read their own edits;
//   - other replicas' entries expire after ttl, so a menu is never staler than ttl anywhere;
//   - concurrent misses on one store share a single load instead of stampeding the store.
//
// Prices are never taken from this cache at checkout: the order service reads them from the menu
// API, which is bounded by the same ttl, and sold-out state is enforced by inventory, not the menu.
type cache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]*entry
}

type entry struct {
	ready   chan struct{} // closed when menu/err are set
	menu    Menu
	err     error
	expires time.Time
}

func newCache(ttl time.Duration) *cache { return &cache{ttl: ttl, m: map[string]*entry{}} }

func (c *cache) get(ctx context.Context, key string, load func(context.Context) (Menu, error)) (Menu, error) {
	c.mu.Lock()
	e, ok := c.m[key]
	if ok && e.ready != nil {
		select {
		case <-e.ready:
			if time.Now().After(e.expires) || e.err != nil {
				ok = false
			}
		default: // a load is in flight: wait for it below
		}
	}
	if !ok {
		e = &entry{ready: make(chan struct{})}
		c.m[key] = e
		c.mu.Unlock()
		e.menu, e.err = load(context.WithoutCancel(ctx))
		e.expires = time.Now().Add(c.ttl)
		close(e.ready)
		if e.err != nil {
			c.forgetEntry(key, e) // errors are not cached
		}
		return e.menu, e.err
	}
	c.mu.Unlock()
	select {
	case <-e.ready:
		return e.menu, e.err
	case <-ctx.Done():
		return Menu{}, ctx.Err()
	}
}

func (c *cache) forget(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

func (c *cache) forgetEntry(key string, e *entry) {
	c.mu.Lock()
	if c.m[key] == e {
		delete(c.m, key)
	}
	c.mu.Unlock()
}
