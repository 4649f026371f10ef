package stock_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

var errCrash = errors.New("process killed")

// crashingRepo lets the first `writes` writes through, then fails every call, like a process
// killed at that instruction: what was written stays, nothing after it happens.
type crashingRepo struct {
	stock.Repository
	writes int
}

func (c *crashingRepo) PutBucket(ctx context.Context, it stock.Item, i int, b stock.Bucket, t stock.Token) error {
	if c.writes <= 0 {
		return errCrash
	}
	c.writes--
	return c.Repository.PutBucket(ctx, it, i, b, t)
}

func (c *crashingRepo) CreateReservation(ctx context.Context, r stock.Reservation) error {
	if c.writes <= 0 {
		return errCrash
	}
	c.writes--
	return c.Repository.CreateReservation(ctx, r)
}

// Kill the reservation after every possible number of writes; a restarted service then either
// completes it (the client retries) or releases it (the order expired): never a unit lost or doubled.
func TestReservationKilledAtAnyPointIsCompletedOrReleased(t *testing.T) {
	lines := []stock.Line{{Item: rice, Quantity: 3}, {Item: soup, Quantity: 2}}
	for writes := 0; writes <= 3; writes++ {
		for _, then := range []string{"retry", "release"} {
			mem := stocktest.NewMemory()
			setup, _ := newService(t, mem)
			restock(t, setup, rice, 10, 2)
			restock(t, setup, soup, 10, 1)

			crashing, _ := newService(t, &crashingRepo{Repository: mem, writes: writes})
			err := crashing.Reserve(ctx, "o1", lines)
			if writes < 3 {
				require.ErrorIs(t, err, errCrash, "writes=%d", writes)
			}

			restarted, _ := newService(t, mem)
			if then == "retry" {
				require.NoError(t, restarted.Reserve(ctx, "o1", lines))
				assert.Equal(t, map[string]int64{"o1": 3}, view(t, restarted, rice).Holds, "writes=%d", writes)
				assert.Equal(t, map[string]int64{"o1": 2}, view(t, restarted, soup).Holds, "writes=%d", writes)
			} else {
				require.NoError(t, restarted.Release(ctx, "o1", lines))
				assert.EqualValues(t, 10, view(t, restarted, rice).Available, "writes=%d", writes)
				assert.EqualValues(t, 10, view(t, restarted, soup).Available, "writes=%d", writes)
			}
		}
	}
}
