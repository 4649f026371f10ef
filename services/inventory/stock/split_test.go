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

// Many multi-unit orders at once on a bucketed dish, duplicated across workers, no releases: every
// order told "reserved" holds exactly its quantity and nothing else is held; and however the
// races scattered what is left over the buckets, one order can then take all of it.
//
// (Whether each refusal under the race was right cannot be judged from outside: units do come
// back mid-run, from a duplicate's extra parts and from a split order that ran dry half-way and
// gave back the parts it had taken.)
func TestConcurrentMultiUnitOrdersHoldExactlyAndStrandNothing(t *testing.T) {
	mem := stocktest.NewMemory()
	s, _ := newService(t, slowRepo{mem})
	restock(t, s, rice, 300, 16)
	var mu sync.Mutex
	reserved := map[string]int64{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 2))
			for i := range 12 {
				o := r.IntN(60) // duplicates across workers
				order, q := fmt.Sprintf("o%d", o), 1+int64(o%7)*4
				_, err := s.Reserve(ctx, order, one(rice, q))
				var so *stock.SoldOutError
				switch {
				case err == nil:
					mu.Lock()
					reserved[order] = q
					mu.Unlock()
				case !errors.As(err, &so):
					t.Errorf("%s (%d): %v", order, i, err)
				}
			}
		})
	}
	wg.Wait()
	v := view(t, s, rice)
	audit(t, mem, rice, 16)
	assert.Equal(t, reserved, v.Holds, "exactly the reserved orders hold, exactly their quantity")

	if v.Available > 0 {
		_, err := s.Reserve(ctx, "the-rest", one(rice, v.Available))
		require.NoError(t, err, "%d units left, scattered over the buckets", v.Available)
	}
	assert.EqualValues(t, 0, view(t, s, rice).Available)
	audit(t, mem, rice, 16)
}
