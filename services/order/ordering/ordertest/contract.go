package ordertest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/order/ordering"
)

// RunRepositoryContract checks what ordering relies on from any Repository: an order and its
// pending events read back as written; Create is create-only, also when many race; a stale
// token is refused; the indexes find what was indexed.
func RunRepositoryContract(t *testing.T, repo ordering.Repository) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)
	newOrder := func() ordering.Order {
		return ordering.Order{ID: uuid.NewString(), CustomerID: "c-" + uuid.NewString()[:8], StoreID: "s-" + uuid.NewString()[:8],
			Period: "2026-11-25.lunch", Items: []ordering.Item{{DishID: "rice", Quantity: 2, PriceCents: 1200}}, TotalCents: 2400,
			Status: ordering.PendingPayment, RequestHash: "h", CreatedAt: at, UpdatedAt: at,
			Outbox: []event.Order{{Type: event.OrderCreated, OrderID: "x", Status: "pending_payment", At: at}}}
	}

	t.Run("absent order is ErrNotFound", func(t *testing.T) {
		_, _, err := repo.Order(ctx, uuid.NewString())
		assert.ErrorIs(t, err, ordering.ErrNotFound)
	})

	t.Run("round trip with the outbox; a stale token is refused", func(t *testing.T) {
		o := newOrder()
		require.NoError(t, repo.Create(ctx, o))
		got, tok, err := repo.Order(ctx, o.ID)
		require.NoError(t, err)
		assert.Equal(t, o, got)
		require.NotEmpty(t, tok)
		got.Status, got.Outbox = ordering.Cancelled, nil
		got.TxnID, got.Reason, got.RefundDue = "txn-1", "cancelled by the customer", true
		got.Delivery = &ordering.Delivery{Zone: "west", Building: "Dorm 5"}
		require.NoError(t, repo.Save(ctx, got, tok))
		again, _, err := repo.Order(ctx, o.ID)
		require.NoError(t, err)
		assert.Equal(t, got, again, "status, payment, reason, refund mark and delivery read back as written")
		assert.Empty(t, again.Outbox)
		assert.ErrorIs(t, repo.Save(ctx, got, tok), occ.ErrConflict)
	})

	t.Run("create of an existing order is refused and changes nothing", func(t *testing.T) {
		o := newOrder()
		require.NoError(t, repo.Create(ctx, o))
		other := o
		other.TotalCents = 1
		assert.ErrorIs(t, repo.Create(ctx, other), occ.ErrConflict)
		got, _, err := repo.Order(ctx, o.ID)
		require.NoError(t, err)
		assert.EqualValues(t, 2400, got.TotalCents)
	})

	// lists answers the orders listed under o's customer and under its store's day.
	lists := func(t *testing.T, o ordering.Order) (mine, day []ordering.Order) {
		t.Helper()
		mine, err := repo.List(ctx, ordering.Query{CustomerID: o.CustomerID, Through: at.AddDate(0, 2, 0)})
		require.NoError(t, err)
		day, err = repo.List(ctx, ordering.Query{StoreID: o.StoreID, Date: o.Date()})
		require.NoError(t, err)
		return mine, day
	}

	// race runs n creates at once, create(i) being the i-th, and counts how they ended.
	race := func(t *testing.T, n int, create func(i int) error) (ok, conflict int64) {
		var oks, conflicts atomic.Int64
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				switch err := create(i); {
				case err == nil:
					oks.Add(1)
				case assert.ErrorIs(t, err, occ.ErrConflict):
					conflicts.Add(1)
				}
			})
		}
		wg.Wait()
		return oks.Load(), conflicts.Load()
	}

	t.Run("of many concurrent creates exactly one succeeds", func(t *testing.T) {
		o := newOrder()
		ok, conflict := race(t, 16, func(i int) error {
			mine := o
			mine.TotalCents = int64(i)
			return repo.Create(ctx, mine)
		})
		assert.EqualValues(t, 1, ok)
		assert.EqualValues(t, 15, conflict)
	})

	// Concurrent duplicates of one checkout, each with the placement it read: one order is
	// created, the others are told it exists, and the indexes list it once.
	t.Run("of many concurrent creates with placements exactly one succeeds, indexed once", func(t *testing.T) {
		o := newOrder()
		var ps []ordering.Placement
		for range 8 {
			_, p, err := repo.Lookup(ctx, o)
			require.ErrorIs(t, err, ordering.ErrNotFound)
			ps = append(ps, p)
		}
		ok, conflict := race(t, len(ps), func(i int) error {
			mine := o
			mine.UpdatedAt = o.UpdatedAt.Add(time.Duration(i) * time.Millisecond) // each attempt's own write
			return repo.CreateIndexed(ctx, mine, ps[i])
		})
		assert.EqualValues(t, 1, ok)
		assert.EqualValues(t, 7, conflict)
		mine, day := lists(t, o)
		assert.Len(t, mine, 1)
		assert.Len(t, day, 1)
	})

	t.Run("bulk read answers the orders that exist", func(t *testing.T) {
		o := newOrder()
		require.NoError(t, repo.Create(ctx, o))
		got, err := repo.Orders(ctx, []string{o.ID, uuid.NewString()})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, o, got[o.ID].Order)
		_, tok, err := repo.Order(ctx, o.ID)
		require.NoError(t, err)
		assert.Equal(t, tok, got[o.ID].Token)
	})

	t.Run("bulk save writes each order whose token is current and fails for a stale one", func(t *testing.T) {
		fresh, stale := newOrder(), newOrder()
		require.NoError(t, repo.Create(ctx, fresh))
		require.NoError(t, repo.Create(ctx, stale))
		read, err := repo.Orders(ctx, []string{fresh.ID, stale.ID})
		require.NoError(t, err)
		cur, tok, err := repo.Order(ctx, stale.ID)
		require.NoError(t, err)
		cur.Reason = "another writer"
		require.NoError(t, repo.Save(ctx, cur, tok))

		a, b := read[fresh.ID], read[stale.ID]
		a.Order.Outbox, b.Order.Outbox = nil, nil
		require.Error(t, repo.SaveAll(ctx, []ordering.Stored{a, b}))
		got, _, err := repo.Order(ctx, fresh.ID)
		require.NoError(t, err)
		assert.Empty(t, got.Outbox, "the current one is written")
		got, _, err = repo.Order(ctx, stale.ID)
		require.NoError(t, err)
		assert.Equal(t, "another writer", got.Reason, "the stale one is not")
		assert.NotEmpty(t, got.Outbox)
		require.NoError(t, repo.SaveAll(ctx, nil), "nothing to write")
	})

	t.Run("lookup answers the order, or ErrNotFound for one not created", func(t *testing.T) {
		o := newOrder()
		_, _, err := repo.Lookup(ctx, o)
		require.ErrorIs(t, err, ordering.ErrNotFound)
		require.NoError(t, repo.Create(ctx, o))
		got, _, err := repo.Lookup(ctx, o)
		require.NoError(t, err)
		assert.Equal(t, o.ID, got.ID)
		assert.Equal(t, o.TotalCents, got.TotalCents)
	})

	// The checkout's path: the placement is read before the order is created, and the indexes may
	// change in between (other orders of the customer and the store): creating with it loses none.
	t.Run("creating with a placement read before other orders were indexed keeps them all", func(t *testing.T) {
		first := newOrder()
		others := make([]ordering.Order, 3)
		var placements []ordering.Placement
		for i := range others {
			others[i] = newOrder()
			others[i].CustomerID, others[i].StoreID = first.CustomerID, first.StoreID
			_, p, err := repo.Lookup(ctx, others[i])
			require.ErrorIs(t, err, ordering.ErrNotFound)
			placements = append(placements, p)
		}
		require.NoError(t, repo.CreateIndexed(ctx, first, nil))
		for i, o := range others {
			require.NoError(t, repo.CreateIndexed(ctx, o, placements[i]), "placement read before %d other orders were indexed", i+1)
		}
		mine, day := lists(t, first)
		assert.Len(t, mine, 4)
		assert.Len(t, day, 4)
	})

	t.Run("indexes find the order once however often it is indexed", func(t *testing.T) {
		o := newOrder()
		_, p, err := repo.Lookup(ctx, o)
		require.ErrorIs(t, err, ordering.ErrNotFound)
		require.NoError(t, repo.CreateIndexed(ctx, o, p))
		require.NoError(t, repo.Index(ctx, o))
		require.NoError(t, repo.Index(ctx, o))
		mine, day := lists(t, o)
		require.Len(t, mine, 1)
		assert.Equal(t, o.ID, mine[0].ID)
		require.Len(t, day, 1)
		assert.Equal(t, o.ID, day[0].ID)
	})
}
