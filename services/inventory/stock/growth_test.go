package stock_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// A dish's bucket is read and written on every reservation; what it carries must not grow with
// the sales and restocks it has seen, or a busy dish reaches the store's value limit.
func TestBucketStaysSmallAfterManySales(t *testing.T) {
	mem := stocktest.NewMemory()
	s, _ := newService(t, mem)
	size := func() int {
		bs, _, err := mem.Buckets(ctx, rice, 1)
		require.NoError(t, err)
		raw, err := json.Marshal(bs[0])
		require.NoError(t, err)
		return len(raw)
	}
	restock(t, s, rice, 100, 1)
	var early int
	for i := range 20_000 {
		if i%100 == 99 {
			restock(t, s, rice, 100, 1)
		}
		order := fmt.Sprintf("order-%06d", i)
		_, err := s.Reserve(ctx, order, one(rice, 1))
		require.NoError(t, err)
		require.NoError(t, s.Confirm(ctx, order))
		if i == 1999 { // 20 restocks: as many restock ids as a bucket keeps
			early = size()
		}
	}
	assert.LessOrEqual(t, size(), early+8, "a bucket after 20,000 sales and 200 restocks, against 2,000 and 20")
	assert.Less(t, size(), 2048)
	v := view(t, s, rice)
	assert.EqualValues(t, 20_000, v.Sold)
	audit(t, mem, rice, 1)
}

// Bounding what a bucket remembers of restocks must not make an old restock count twice.
func TestOldRestockRepeatedAfterManyOthersAddsNothing(t *testing.T) {
	s, _ := newService(t, stocktest.NewMemory())
	_, err := s.Restock(ctx, rice, 10, "first", 2)
	require.NoError(t, err)
	for i := range 100 {
		_, err := s.Restock(ctx, rice, 1, fmt.Sprintf("r%d", i), 0)
		require.NoError(t, err)
	}
	v, err := s.Restock(ctx, rice, 10, "first", 2)
	require.NoError(t, err)
	assert.EqualValues(t, 110, v.Restocked)
	var _ stock.View = v
}
