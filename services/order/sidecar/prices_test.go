package sidecar

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/order/ordering"
)

type countingMenu struct {
	calls atomic.Int64
	fail  atomic.Bool
	price atomic.Int64
}

func (m *countingMenu) StoreMenu(context.Context, string) (ordering.StoreMenu, error) {
	m.calls.Add(1)
	time.Sleep(10 * time.Millisecond) // long enough for concurrent misses to overlap
	if m.fail.Load() {
		return ordering.StoreMenu{}, errors.New("menu unreachable")
	}
	return ordering.StoreMenu{Dishes: map[string]ordering.Dish{"rice": {PriceCents: m.price.Load(), Orderable: true}}}, nil
}

func TestPriceCacheSharesOneCallPerStoreAndTTL(t *testing.T) {
	m := &countingMenu{}
	m.price.Store(1200)
	c := &PriceCache{Menu: m, TTL: time.Hour}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			m, err := c.StoreMenu(context.Background(), "s1")
			assert.NoError(t, err)
			assert.EqualValues(t, 1200, m.Dishes["rice"].PriceCents)
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, m.calls.Load(), "fifty concurrent checkouts, one menu call")
	_, err := c.StoreMenu(context.Background(), "s2")
	require.NoError(t, err)
	assert.EqualValues(t, 2, m.calls.Load(), "each store its own entry")
}

func TestPriceCacheForgetsAfterTTLAndKeepsNoFailure(t *testing.T) {
	m := &countingMenu{}
	m.price.Store(1200)
	c := &PriceCache{Menu: m, TTL: 0} // every entry stale at once: the next call asks again
	m.fail.Store(true)
	_, err := c.StoreMenu(context.Background(), "s1")
	require.Error(t, err)
	m.fail.Store(false)
	m.price.Store(1300)
	d, err := c.StoreMenu(context.Background(), "s1")
	require.NoError(t, err, "a failure is not kept")
	assert.EqualValues(t, 1300, d.Dishes["rice"].PriceCents, "a stale entry is asked again")
}
