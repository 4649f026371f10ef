package stock_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// 200 units in 16 buckets (12 or 13 each): orders of 14 are served while 14 units are left, one
// of 4 takes the rest, and only then is anything refused.
func TestBucketedDishServesMultiUnitOrdersWhileUnitsLast(t *testing.T) {
	mem := stocktest.NewMemory()
	s, _ := newService(t, mem)
	restock(t, s, rice, 200, 16)
	for i := range 14 {
		_, err := s.Reserve(ctx, fmt.Sprintf("o%d", i), one(rice, 14))
		require.NoError(t, err, "order %d, %d units left", i, view(t, s, rice).Available)
	}
	_, err := s.Reserve(ctx, "too-many", one(rice, 5))
	var so *stock.SoldOutError
	require.ErrorAs(t, err, &so, "4 units left")
	_, err = s.Reserve(ctx, "rest", one(rice, 4))
	require.NoError(t, err)
	v := view(t, s, rice)
	assert.EqualValues(t, 0, v.Available)
	assert.EqualValues(t, 14, v.Holds["o3"])
	audit(t, mem, rice, 16)

	// and the split holds come back whole, or are sold whole
	require.NoError(t, s.Release(ctx, "o0", nil))
	require.NoError(t, s.Confirm(ctx, "o1"))
	v = view(t, s, rice)
	assert.EqualValues(t, 14, v.Available)
	assert.EqualValues(t, 14, v.Sold)
	assert.NotContains(t, v.Holds, "o0")
	assert.NotContains(t, v.Holds, "o1")
	audit(t, mem, rice, 16)
}

// Many multi-unit orders with duplicates on a bucketed dish, no releases: every order told
// "reserved" holds exactly its quantity, and every refused one asked for more than is left.
func TestConcurrentMultiUnitOrdersAreRefusedOnlyWhenShort(t *testing.T) {
	mem := stocktest.NewMemory()
	s, _ := newService(t, slowRepo{mem})
	restock(t, s, rice, 300, 16)
	var mu sync.Mutex
	reserved, refused := map[string]int64{}, map[string]int64{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 2))
			for i := range 12 {
				order := fmt.Sprintf("o%d", r.IntN(60)) // duplicates across workers
				q := 1 + int64(order[1]%7)*4            // one quantity per order id: 1..25
				_, err := s.Reserve(ctx, order, one(rice, q))
				var so *stock.SoldOutError
				mu.Lock()
				switch {
				case err == nil:
					reserved[order] = q
				case errors.As(err, &so):
					refused[order] = q
				default:
					t.Errorf("%s (%d): %v", order, i, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	v := view(t, s, rice)
	audit(t, mem, rice, 16)
	var held int64
	for order, q := range reserved {
		assert.Equal(t, q, v.Holds[order], order)
		held += q
	}
	assert.Equal(t, held, v.Reserved, "only reserved orders hold stock")
	for order, q := range refused {
		assert.NotContains(t, reserved, order)
		assert.Less(t, v.Available, q, "%s was refused %d units", order, q)
	}
}
