package queuetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/kitchen/queue"
)

// RunRepositoryContract checks what queue relies on from any Repository: a store with no queue
// loads as NewQueue; a queue, with its tickets, counters, cursor, capacity and outbox, reads back
// as saved, and a later save replaces it; an archived ticket reads back by its store and order,
// and not by another store; an absent one is not in the answer. A save from a stale version, or
// of a new queue where one exists, is occ.ErrConflict (two hosts running one store's actor for a
// moment must not lose each other's tickets). (Ids are fresh uuids: a real store keeps earlier
// runs' data.)
func RunRepositoryContract(t *testing.T, repo queue.Repository) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)
	ticket := func(store string) queue.Ticket {
		return queue.Ticket{OrderID: uuid.NewString(), StoreID: store, CustomerID: "c1", Period: "2026-11-25.lunch",
			Items: []event.Item{{DishID: "rice", Quantity: 2, PriceCents: 900}}, TotalCents: 1800, Code: "A042", Status: queue.Accepted,
			Seq: 7, OverCapacity: true, EstimatedReadyAt: at.Add(12 * time.Minute), CreatedAt: at, UpdatedAt: at.Add(time.Minute)}
	}

	t.Run("a store with no queue loads empty", func(t *testing.T) {
		store := uuid.NewString()
		q, err := repo.Load(ctx, store)
		require.NoError(t, err)
		assert.Equal(t, queue.NewQueue(store), q)
	})

	t.Run("a queue reads back as saved, and a save replaces it", func(t *testing.T) {
		store := uuid.NewString()
		open := ticket(store)
		done := ticket(store)
		done.Status, done.Items, done.Reason = queue.Rejected, nil, "out of rice"
		q := queue.Queue{StoreID: store, Open: map[string]queue.Ticket{open.OrderID: open}, Done: []queue.Ticket{done},
			Days: map[string]int{"2026-11-25": 42}, Seq: 9, Acked: 3, Capacity: queue.Capacity{Limit: 20, Busy: true},
			Outbox:  []event.Ticket{{Type: event.TicketAccepted, OrderID: open.OrderID, StoreID: store, CustomerID: "c1", Period: open.Period, Code: "A042", Status: "accepted", TotalCents: 1800, At: at}},
			Load:    queue.Load{Busy: true, OverCapacity: true, Wait: 25 * time.Minute, Seq: 4, At: at, Unsent: true},
			Ticking: true}
		require.NoError(t, repo.Save(ctx, q))
		got, err := repo.Load(ctx, store)
		require.NoError(t, err)
		assert.NotEmpty(t, got.Version)
		q.Version = got.Version
		assert.Equal(t, q, got)

		q.Open, q.Outbox, q.Seq = map[string]queue.Ticket{}, nil, 10
		require.NoError(t, repo.Save(ctx, q))
		got, err = repo.Load(ctx, store)
		require.NoError(t, err)
		assert.Empty(t, got.Open)
		assert.Empty(t, got.Outbox)
		assert.EqualValues(t, 10, got.Seq)
	})

	t.Run("a save from a stale version is refused", func(t *testing.T) {
		store := uuid.NewString()
		fresh := queue.NewQueue(store)
		require.NoError(t, repo.Save(ctx, fresh))
		assert.ErrorIs(t, repo.Save(ctx, fresh), occ.ErrConflict, "a second new queue of the store")
		first, err := repo.Load(ctx, store)
		require.NoError(t, err)
		second := first
		first.Seq = 1
		require.NoError(t, repo.Save(ctx, first))
		second.Seq = 2
		assert.ErrorIs(t, repo.Save(ctx, second), occ.ErrConflict, "a save from the version the first replaced")
		got, err := repo.Load(ctx, store)
		require.NoError(t, err)
		assert.EqualValues(t, 1, got.Seq)
	})

	t.Run("archived tickets read back by their store only", func(t *testing.T) {
		store := uuid.NewString()
		tk, other := ticket(store), ticket(store)
		tk.Status, other.Status = queue.PickedUp, queue.Rejected
		require.NoError(t, repo.Archive(ctx, tk))
		require.NoError(t, repo.Archive(ctx, other))
		absent := uuid.NewString()
		got, err := repo.Archived(ctx, store, tk.OrderID, absent, other.OrderID)
		require.NoError(t, err)
		assert.Equal(t, map[string]queue.Ticket{tk.OrderID: tk, other.OrderID: other}, got)
		got, err = repo.Archived(ctx, uuid.NewString(), tk.OrderID)
		require.NoError(t, err)
		assert.Empty(t, got, "not by another store")
	})
}
