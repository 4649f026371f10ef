package paytest

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
	"github.com/canteen/canteen/services/payment/paying"
)

// Store is everything the payment service keeps: intents, the index of open ones, and reports.
type Store interface {
	paying.Repository
	paying.Index
	paying.Reports
}

// RunRepositoryContract checks what paying relies on from any Store: an intent and its pending
// events read back as written; Create is create-only, also when many race; a stale token is
// refused; the index lists every mark, even concurrent ones, and unlists only unchanged marks;
// a report reads back as kept. (Keys are fresh uuids: a real store keeps earlier runs' data.)
func RunRepositoryContract(t *testing.T, repo Store) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)
	newIntent := func() paying.Intent {
		id := uuid.NewString()
		return paying.Intent{OrderID: id, CustomerID: "c-" + id[:8], AmountCents: 2400, Status: paying.Succeeded, TxnID: "txn-" + id,
			PayToken: "tok", Version: 2, RefundDue: true, RefundReason: "order cancelled", CreatedAt: at, UpdatedAt: at.Add(time.Second),
			Outbox: []event.Payment{{Type: event.PaymentSucceeded, OrderID: id, CustomerID: "c", TxnID: "txn-" + id, AmountCents: 2400, Status: "succeeded", At: at}}}
	}

	t.Run("absent intent is ErrNotFound", func(t *testing.T) {
		_, _, err := repo.Intent(ctx, uuid.NewString())
		assert.ErrorIs(t, err, paying.ErrNotFound)
	})

	t.Run("round trip with the outbox; a stale token is refused", func(t *testing.T) {
		in := newIntent()
		require.NoError(t, repo.Create(ctx, in))
		got, tok, err := repo.Intent(ctx, in.OrderID)
		require.NoError(t, err)
		assert.Equal(t, in, got)
		require.NotEmpty(t, tok)
		got.Status, got.Outbox = paying.Refunded, nil
		require.NoError(t, repo.Save(ctx, got, tok))
		again, _, err := repo.Intent(ctx, in.OrderID)
		require.NoError(t, err)
		assert.Equal(t, paying.Refunded, again.Status)
		assert.Empty(t, again.Outbox)
		assert.ErrorIs(t, repo.Save(ctx, got, tok), occ.ErrConflict)
	})

	t.Run("create of an existing intent is refused and changes nothing", func(t *testing.T) {
		in := newIntent()
		require.NoError(t, repo.Create(ctx, in))
		other := in
		other.AmountCents = 1
		assert.ErrorIs(t, repo.Create(ctx, other), occ.ErrConflict)
		got, _, err := repo.Intent(ctx, in.OrderID)
		require.NoError(t, err)
		assert.EqualValues(t, 2400, got.AmountCents)
	})

	t.Run("of many concurrent creates exactly one succeeds", func(t *testing.T) {
		in := newIntent()
		var ok, conflict atomic.Int64
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Go(func() {
				mine := in
				mine.AmountCents = int64(i + 1)
				err := repo.Create(ctx, mine)
				switch {
				case err == nil:
					ok.Add(1)
				case assert.ErrorIs(t, err, occ.ErrConflict):
					conflict.Add(1)
				}
			})
		}
		wg.Wait()
		assert.EqualValues(t, 1, ok.Load())
		assert.EqualValues(t, 15, conflict.Load())
	})

	t.Run("bulk read answers the intents that exist", func(t *testing.T) {
		in := newIntent()
		require.NoError(t, repo.Create(ctx, in))
		got, err := repo.Intents(ctx, []string{in.OrderID, uuid.NewString()})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, in, got[in.OrderID])
	})

	t.Run("the index lists concurrent marks and unlists only unchanged ones", func(t *testing.T) {
		ids := make([]string, 24)
		for i := range ids {
			ids[i] = uuid.NewString()
		}
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Go(func() { assert.NoError(t, repo.Mark(ctx, id, at)) })
		}
		wg.Wait()
		marks, err := repo.Marked(ctx)
		require.NoError(t, err)
		for _, id := range ids {
			assert.True(t, marks[id].Equal(at), "%s listed at its mark", id)
		}
		require.NoError(t, repo.Mark(ctx, ids[0], at.Add(time.Minute))) // refreshed since read
		require.NoError(t, repo.Unmark(ctx, map[string]time.Time{ids[0]: at, ids[1]: at}))
		marks, err = repo.Marked(ctx)
		require.NoError(t, err)
		assert.Contains(t, marks, ids[0], "a refreshed mark stays")
		assert.NotContains(t, marks, ids[1])
		assert.Contains(t, marks, ids[2])
		rest := map[string]time.Time{ids[0]: at.Add(time.Minute)}
		for _, id := range ids[2:] {
			rest[id] = at
		}
		require.NoError(t, repo.Unmark(ctx, rest))
		marks, err = repo.Marked(ctx)
		require.NoError(t, err)
		for _, id := range ids {
			assert.NotContains(t, marks, id)
		}
	})

	t.Run("a report reads back as kept", func(t *testing.T) {
		rep := paying.Report{StartedAt: at, FinishedAt: at.Add(time.Second), Listed: 3, Polled: 2, Settled: 1, Resumed: 1, Refunded: 1,
			Abandoned: 1, Unlisted: 1, Errors: 1, ErrorSamples: []string{"order o1: " + uuid.NewString()}}
		require.NoError(t, repo.PutReport(ctx, rep))
		got, err := repo.LastReport(ctx)
		require.NoError(t, err)
		assert.Equal(t, rep, got)
	})
}
