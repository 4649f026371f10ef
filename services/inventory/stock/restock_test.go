package stock_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

func TestRestockValidation(t *testing.T) {
	cases := []struct {
		name      string
		it        stock.Item
		qty       int64
		restockID string
		buckets   int
		field     string
	}{
		{"zero quantity", rice, 0, "r1", 0, "quantity"},
		{"over a million", rice, stock.MaxRestock + 1, "r1", 0, "quantity"},
		{"no restock id", rice, 1, "", 0, "restock_id"},
		{"too many buckets", rice, 1, "r1", stock.MaxBuckets + 1, "buckets"},
		{"negative buckets", rice, 1, "r1", -1, "buckets"},
		{"bad period", stock.Item{StoreID: "s", DishID: "d", Period: "2026-11-25"}, 1, "r1", 0, "item.period"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newService(t, stocktest.NewMemory())
			_, err := s.Restock(ctx, tc.it, tc.qty, tc.restockID, tc.buckets)
			var inv *stock.InvalidError
			require.ErrorAs(t, err, &inv)
			assert.Equal(t, tc.field, inv.Field)
			_, err = s.View(ctx, tc.it)
			assert.ErrorIs(t, err, stock.ErrNotFound, "nothing was stocked")
		})
	}
}

func TestRestockIsIdempotentAndSpreadsOverBuckets(t *testing.T) {
	repo := stocktest.NewMemory()
	s, ev := newService(t, repo)
	for range 3 {
		_, err := s.Restock(ctx, rice, 10, "morning", 4)
		require.NoError(t, err)
	}
	v := view(t, s, rice)
	assert.EqualValues(t, 10, v.Restocked)
	assert.EqualValues(t, 10, v.Available)
	assert.Equal(t, 4, v.Buckets)
	bs, _, err := repo.Buckets(ctx, rice, 4)
	require.NoError(t, err)
	for i, want := range []int64{3, 3, 2, 2} {
		assert.Equal(t, want, bs[i].Available, "bucket %d", i)
	}
	_, err = s.Restock(ctx, rice, 5, "noon", 16) // the bucket count is fixed by the first restock
	require.NoError(t, err)
	assert.Equal(t, 4, view(t, s, rice).Buckets)
	assert.EqualValues(t, 15, view(t, s, rice).Available)
	assert.Equal(t, []string{event.StockReplenished}, ev.Types())
}

// Two replicas restock a new dish at once asking for different bucket counts: one count wins and
// every unit of both restocks is counted in it.
func TestConcurrentFirstRestocksAgreeOnTheBucketCount(t *testing.T) {
	for range 20 {
		repo := stocktest.NewMemory()
		var wg sync.WaitGroup
		for i, n := range []int{4, 16} {
			wg.Go(func() {
				s, _ := newService(t, repo)
				_, err := s.Restock(ctx, rice, 100, fmt.Sprintf("r%d", i), n)
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		s, _ := newService(t, repo)
		v := view(t, s, rice)
		assert.EqualValues(t, 200, v.Available)
		assert.Contains(t, []int{4, 16}, v.Buckets)
		audit(t, repo, rice, 64) // no units in buckets beyond the count
		bs, _, err := repo.Buckets(ctx, rice, 64)
		require.NoError(t, err)
		for i := v.Buckets; i < 64; i++ {
			assert.Zero(t, bs[i].Restocked, "bucket %d is outside the count %d", i, v.Buckets)
		}
	}
}
