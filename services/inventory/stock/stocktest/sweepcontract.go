package stocktest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/inventory/stock"
)

// RunSweepRepositoryContract checks the reconciler's part of a Repository: the item index and the
// sweep state read back as written, a stale token is refused, and writing as new a key that
// exists is refused. The dates list and the sweep state are single keys shared with a running
// service, so they are changed from whatever they hold.
func RunSweepRepositoryContract(t *testing.T, repo stock.Repository) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)

	t.Run("items of a date: created once, then guarded by their token", func(t *testing.T) {
		date := uuid.NewString() // a date nobody else writes
		items, tok, err := repo.IndexedItems(ctx, date)
		require.NoError(t, err)
		assert.Empty(t, items)
		assert.Empty(t, tok)
		a := stock.Item{StoreID: "s1", DishID: "rice", Period: "2026-11-25.lunch"}
		b := stock.Item{StoreID: "s2", DishID: "soup", Period: "2026-11-25.dinner"}
		require.NoError(t, repo.PutIndexedItems(ctx, date, []stock.Item{a}, ""))
		assert.ErrorIs(t, repo.PutIndexedItems(ctx, date, []stock.Item{b}, ""), occ.ErrConflict)
		items, tok, err = repo.IndexedItems(ctx, date)
		require.NoError(t, err)
		assert.Equal(t, []stock.Item{a}, items)
		require.NoError(t, repo.PutIndexedItems(ctx, date, []stock.Item{a, b}, tok))
		assert.ErrorIs(t, repo.PutIndexedItems(ctx, date, []stock.Item{b}, tok), occ.ErrConflict)
		items, _, err = repo.IndexedItems(ctx, date)
		require.NoError(t, err)
		assert.Equal(t, []stock.Item{a, b}, items)
	})

	t.Run("dates: round trip; stale token refused", func(t *testing.T) {
		dates, tok, err := repo.IndexedDates(ctx)
		require.NoError(t, err)
		next := append(dates, stock.IndexedDate{Date: "2026-11-25", Restocked: at})
		require.NoError(t, repo.PutIndexedDates(ctx, next, tok))
		got, tok2, err := repo.IndexedDates(ctx)
		require.NoError(t, err)
		assert.Equal(t, next, got)
		assert.ErrorIs(t, repo.PutIndexedDates(ctx, dates, tok), occ.ErrConflict)
		require.NoError(t, repo.PutIndexedDates(ctx, dates, tok2)) // as it was
	})

	t.Run("sweep state: round trip; stale token refused", func(t *testing.T) {
		st, tok, err := repo.SweepState(ctx)
		require.NoError(t, err)
		rep := stock.Report{
			StartedAt: at, FinishedAt: at.Add(time.Second), Items: 3, Holds: 5, Orders: 4, Waiting: 1,
			Released: 1, Repaired: 1, Confirmed: 1,
			ByReason: map[stock.Reason]int{stock.ReasonCancelled: 1, stock.ReasonRecordReleased: 1, stock.ReasonPaid: 1},
			Fixes: []stock.Fix{{OrderID: "o1", Reason: stock.ReasonCancelled, Lines: []stock.Line{
				{Item: stock.Item{StoreID: "s1", DishID: "rice", Period: "2026-11-25.lunch"}, Quantity: 2}}}},
			Errors: 1, ErrorSamples: []string{"order o9: boom"},
		}
		next := stock.SweepState{FirstAbsent: map[string]time.Time{"o2": at}, Last: &rep}
		require.NoError(t, repo.PutSweepState(ctx, next, tok))
		got, tok2, err := repo.SweepState(ctx)
		require.NoError(t, err)
		assert.Equal(t, next, got)
		assert.ErrorIs(t, repo.PutSweepState(ctx, st, tok), occ.ErrConflict)
		require.NoError(t, repo.PutSweepState(ctx, st, tok2))
	})
}
