package stock_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// slowStore makes every bucket read and write take a while, as on a loaded store, so that holds
// that read the same bucket at once collide on its ETag.
type slowStore struct{ stock.Repository }

func (s slowStore) Buckets(ctx context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	time.Sleep(2 * time.Millisecond)
	return s.Repository.Buckets(ctx, it, n)
}

func (s slowStore) PutBucket(ctx context.Context, it stock.Item, i int, b stock.Bucket, t stock.Token) error {
	time.Sleep(3 * time.Millisecond)
	return s.Repository.PutBucket(ctx, it, i, b, t)
}

func (s slowStore) PutBuckets(ctx context.Context, puts []stock.BucketPut, r *stock.Reservation) error {
	time.Sleep(3 * time.Millisecond)
	return s.Repository.PutBuckets(ctx, puts, r)
}

// A flash sale in one replica: 1,000 buyers at once for 400 units in 4 buckets. Every buyer is
// told reserved or sold out, none "too much contention", and exactly 400 are held.
func TestAFlashSaleInOneReplicaRunsOutOfUnitsNotOfRetries(t *testing.T) {
	repo := slowStore{stocktest.NewMemory()}
	s := stock.NewService(repo, &stocktest.Events{}, quiet, 0) // no memo: every buyer reaches the buckets
	restock(t, s, rice, 400, 4)
	_, _ = s.View(ctx, rice)
	var (
		wg                sync.WaitGroup
		mu                sync.Mutex
		reserved, soldOut int
		others            []error
	)
	for i := range 1000 {
		wg.Go(func() {
			_, err := s.Reserve(ctx, fmt.Sprintf("o%d", i), one(rice, 1))
			var so *stock.SoldOutError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				reserved++
			case errors.As(err, &so):
				soldOut++
			default:
				others = append(others, err)
			}
		})
	}
	wg.Wait()
	require.Empty(t, others, "%d buyers told something else", len(others))
	assert.Equal(t, 400, reserved)
	assert.Equal(t, 600, soldOut)
	v, err := s.View(ctx, rice)
	require.NoError(t, err)
	assert.EqualValues(t, 400, v.Reserved)
	assert.EqualValues(t, 0, v.Available)
}
