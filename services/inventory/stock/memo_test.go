package stock_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// killedAfterHold passes everything through until the first hold written on item, then fails every
// call: a reservation killed right after it held that dish.
type killedAfterHold struct {
	stock.Repository
	item stock.Item
	dead atomic.Bool
}

func (k *killedAfterHold) PutBucket(ctx context.Context, it stock.Item, i int, b stock.Bucket, t stock.Token) error {
	if k.dead.Load() {
		return errCrash
	}
	err := k.Repository.PutBucket(ctx, it, i, b, t)
	if err == nil && it == k.item {
		k.dead.Store(true)
	}
	return err
}

func (k *killedAfterHold) PutBuckets(ctx context.Context, puts []stock.BucketPut, r *stock.Reservation) error {
	return stocktest.PutEach(ctx, k, puts, r)
}

func (k *killedAfterHold) Buckets(ctx context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	if k.dead.Load() {
		return nil, nil, errCrash
	}
	return k.Repository.Buckets(ctx, it, n)
}

func (k *killedAfterHold) CreateReservation(ctx context.Context, r stock.Reservation) error {
	if k.dead.Load() {
		return errCrash
	}
	return k.Repository.CreateReservation(ctx, r)
}

// memoReplica is a replica whose sold-out memo has just seen soup at zero: "first" took the last one.
func memoReplica(t *testing.T, mem *stocktest.Memory) *stock.Service {
	t.Helper()
	s := stock.NewService(mem, &stocktest.Events{}, quiet, time.Hour)
	restock(t, s, rice, 10, 1)
	restock(t, s, soup, 1, 1)
	_, err := s.Reserve(ctx, "first", one(soup, 1))
	require.NoError(t, err)
	return s
}

// An order killed after holding rice, retried where the memo says soup is sold out: the retry
// resumes it instead of answering from the memo, and gives rice back when soup really is gone.
func TestRetryOfAKilledReservationIsNotAnsweredFromTheMemo(t *testing.T) {
	mem := stocktest.NewMemory()
	s := memoReplica(t, mem)
	lines := []stock.Line{{Item: rice, Quantity: 2}, {Item: soup, Quantity: 1}}
	killed, _ := newService(t, &killedAfterHold{Repository: mem, item: rice})
	_, err := killed.Reserve(ctx, "o1", lines)
	require.ErrorIs(t, err, errCrash)
	require.Equal(t, map[string]int64{"o1": 2}, view(t, s, rice).Holds)

	_, err = s.Reserve(ctx, "o1", lines)
	var so *stock.SoldOutError
	require.ErrorAs(t, err, &so)
	assert.Empty(t, view(t, s, rice).Holds, "the killed attempt's rice went back")
	assert.EqualValues(t, 10, view(t, s, rice).Available)
}

// The same, while another replica gave the last soup back: the retry reserves it, where the memo
// would have refused and left rice held.
func TestRetryOfAKilledReservationGetsStockTheMemoMissed(t *testing.T) {
	mem := stocktest.NewMemory()
	s := memoReplica(t, mem)
	lines := []stock.Line{{Item: rice, Quantity: 2}, {Item: soup, Quantity: 1}}
	killed, _ := newService(t, &killedAfterHold{Repository: mem, item: rice})
	_, err := killed.Reserve(ctx, "o1", lines)
	require.ErrorIs(t, err, errCrash)
	other, _ := newService(t, mem)
	require.NoError(t, other.Release(ctx, "first", nil))

	st, err := s.Reserve(ctx, "o1", lines)
	require.NoError(t, err)
	assert.Equal(t, stock.Reserved, st)
	assert.Equal(t, map[string]int64{"o1": 2}, view(t, s, rice).Holds)
	assert.Equal(t, map[string]int64{"o1": 1}, view(t, s, soup).Holds)
}

// A retry adopts what its killed attempt held rather than holding again: with the last units of
// rice held by the killed attempt, the retry still gets the order, instead of finding it sold out
// by its own holds.
func TestRetryResumesWithTheUnitsItsKilledAttemptHeld(t *testing.T) {
	for _, buckets := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d buckets", buckets), func(t *testing.T) {
			mem := stocktest.NewMemory()
			s, _ := newService(t, mem)
			restock(t, s, rice, 8, buckets)
			restock(t, s, soup, 1, 1)
			lines := []stock.Line{{Item: rice, Quantity: 8}, {Item: soup, Quantity: 1}}
			killed, _ := newService(t, &killedAfterHold{Repository: mem, item: rice})
			_, err := killed.Reserve(ctx, "o1", lines)
			require.ErrorIs(t, err, errCrash)
			require.Positive(t, view(t, s, rice).Holds["o1"])

			st, err := s.Reserve(ctx, "o1", lines)
			require.NoError(t, err)
			assert.Equal(t, stock.Reserved, st)
			assert.Equal(t, map[string]int64{"o1": 8}, view(t, s, rice).Holds)
			assert.Equal(t, map[string]int64{"o1": 1}, view(t, s, soup).Holds)
			audit(t, mem, rice, buckets)
		})
	}
}
