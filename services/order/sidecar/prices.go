package sidecar

import (
	"context"
	"sync"
	"time"

	"github.com/canteen/canteen/services/order/ordering"
)

// PriceCache keeps each store's menu, as checkout needs it (prices, busy flag, kitchen load), for TTL: a lunch rush of checkouts at
// one store then costs the menu service one call per TTL instead of one hop per checkout. A price
// or sold-out change reaches checkout within the menu's own cache TTL plus this one; inventory
// still refuses what is sold out, whatever the menu said. Concurrent misses for one store share
// one call; a failed call is not kept.
type PriceCache struct {
	Menu ordering.Menu
	TTL  time.Duration

	mu      sync.Mutex
	entries map[string]*priceEntry
}

var _ ordering.Menu = (*PriceCache)(nil)

type priceEntry struct {
	done chan struct{} // closed once the call below returned
	at   time.Time
	menu ordering.StoreMenu
	err  error
}

// StoreMenu answers from the cache while the store's entry is fresh, else from the menu.
func (c *PriceCache) StoreMenu(ctx context.Context, storeID string) (ordering.StoreMenu, error) {
	c.mu.Lock()
	e, ok := c.entries[storeID]
	if !ok || (isDone(e) && (e.err != nil || time.Since(e.at) > c.TTL)) {
		e = &priceEntry{done: make(chan struct{})}
		if c.entries == nil {
			c.entries = map[string]*priceEntry{}
		}
		c.entries[storeID] = e
		c.mu.Unlock()
		// Detached from this caller's cancellation: others may be waiting for the same answer.
		e.menu, e.err = c.Menu.StoreMenu(context.WithoutCancel(ctx), storeID)
		e.at = time.Now()
		close(e.done)
	} else {
		c.mu.Unlock()
	}
	select {
	case <-e.done:
		return e.menu, e.err
	case <-ctx.Done():
		return ordering.StoreMenu{}, ctx.Err()
	}
}

func isDone(e *priceEntry) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}
