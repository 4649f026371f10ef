package stock_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

func TestSoldOutOrderHoldsNothingAndAnswersTheSameAgain(t *testing.T) {
	s, _ := newService(t, stocktest.NewMemory())
	restock(t, s, rice, 10, 1)
	restock(t, s, soup, 1, 1)
	lines := []stock.Line{{Item: rice, Quantity: 2}, {Item: soup, Quantity: 2}}
	var so *stock.SoldOutError
	_, err := s.Reserve(ctx, "o1", lines)
	require.ErrorAs(t, err, &so)
	assert.Equal(t, soup, so.Item)
	assert.Empty(t, view(t, s, rice).Holds, "rice, held before soup ran out, was given back")
	assert.EqualValues(t, 10, view(t, s, rice).Available)

	restock(t, s, soup, 10, 1)
	_, err = s.Reserve(ctx, "o1", lines)
	require.ErrorAs(t, err, &so, "the same order answers the same")
	assert.Equal(t, soup, so.Item)
	assert.Empty(t, view(t, s, soup).Holds)
	assert.ErrorAs(t, s.Confirm(ctx, "o1"), &so, "a sold-out order cannot be confirmed")
}

// An unknown item anywhere in the order refuses it before anything is held, whatever its place.
func TestUnknownItemHoldsNothing(t *testing.T) {
	s, _ := newService(t, stocktest.NewMemory())
	restock(t, s, rice, 10, 1)
	for _, dish := range []string{"aaa", "zzz"} { // before and after "rice" in canonical order
		unknown := stock.Item{StoreID: "s1", DishID: dish, Period: rice.Period}
		_, err := s.Reserve(ctx, "o-"+dish, []stock.Line{{Item: rice, Quantity: 2}, {Item: unknown, Quantity: 1}})
		var ue *stock.UnknownStockError
		require.ErrorAs(t, err, &ue, dish)
		assert.Equal(t, unknown, ue.Item)
		assert.ErrorIs(t, err, stock.ErrUnknownStock)
		assert.Empty(t, view(t, s, rice).Holds, dish)
	}
}

func TestReleaseAndConfirmHappenOnce(t *testing.T) {
	repo := stocktest.NewMemory()
	s, _ := newService(t, repo)
	restock(t, s, rice, 10, 2)
	_, err := s.Reserve(ctx, "cancelled", one(rice, 3))
	require.NoError(t, err)
	_, err = s.Reserve(ctx, "paid", one(rice, 4))
	require.NoError(t, err)

	for range 3 { // the cancellation event delivered three times
		require.NoError(t, s.Release(ctx, "cancelled", nil))
	}
	for range 3 {
		require.NoError(t, s.Confirm(ctx, "paid"))
	}
	v := view(t, s, rice)
	assert.EqualValues(t, 6, v.Available)
	assert.EqualValues(t, 4, v.Sold)
	assert.EqualValues(t, 0, v.Reserved)
	audit(t, repo, rice, 2)

	_, err = s.Reserve(ctx, "cancelled", one(rice, 3))
	assert.ErrorIs(t, err, stock.ErrReleased, "a released order never holds again")
	st, err := s.Reserve(ctx, "paid", one(rice, 4))
	require.NoError(t, err, "a paid order's reservation answers as it stands")
	assert.Equal(t, stock.Confirmed, st)
	assert.ErrorIs(t, s.Confirm(ctx, "cancelled"), stock.ErrReleased)
	assert.ErrorIs(t, s.Release(ctx, "paid", nil), stock.ErrConfirmed)
	assert.ErrorIs(t, s.Confirm(ctx, "never"), stock.ErrNotFound)
	v = view(t, s, rice)
	assert.EqualValues(t, 6, v.Available)
	assert.EqualValues(t, 4, v.Sold)
}

// A release that arrives before the reservation it cancels (the event overtook a slow checkout)
// leaves a tombstone: the late reservation holds nothing.
func TestReleaseBeforeReserveLeavesNothingHeld(t *testing.T) {
	s, _ := newService(t, stocktest.NewMemory())
	restock(t, s, rice, 10, 1)
	require.NoError(t, s.Release(ctx, "o1", one(rice, 2)))
	_, err := s.Reserve(ctx, "o1", one(rice, 2))
	assert.ErrorIs(t, err, stock.ErrReleased)
	assert.Empty(t, view(t, s, rice).Holds)
	assert.EqualValues(t, 10, view(t, s, rice).Available)
}

func TestReleaseOfUnknownOrderNeedsItsItems(t *testing.T) {
	s, _ := newService(t, stocktest.NewMemory())
	var inv *stock.InvalidError
	require.ErrorAs(t, s.Release(ctx, "o1", nil), &inv)
	assert.Equal(t, "items", inv.Field)
	require.ErrorAs(t, s.Release(ctx, "bad/id", one(rice, 1)), &inv)
	assert.Equal(t, "order_id", inv.Field)
}

func TestStockEventsFollowZeroCrossings(t *testing.T) {
	for _, buckets := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d buckets", buckets), func(t *testing.T) {
			s, ev := newService(t, stocktest.NewMemory())
			restock(t, s, rice, 2, buckets)
			_, err := s.Reserve(ctx, "a", one(rice, 1))
			require.NoError(t, err)
			_, err = s.Reserve(ctx, "b", one(rice, 1))
			require.NoError(t, err)
			require.NoError(t, s.Confirm(ctx, "a"))
			require.NoError(t, s.Release(ctx, "b", nil))
			assert.Equal(t, []string{event.StockReplenished, event.StockDepleted, event.StockReplenished}, ev.Types())
			assert.EqualValues(t, 0, ev.All[1].Available)
			assert.EqualValues(t, 1, ev.All[2].Available)
			assert.Equal(t, rice.DishID, ev.All[2].DishID)
		})
	}
}

// A replica that just saw the dish at zero answers sold out without asking the store; a restock
// it makes itself lifts that at once, and correctness never depends on it.
func TestSoldOutMemoSparesTheStore(t *testing.T) {
	repo := &countingRepo{Repository: stocktest.NewMemory()}
	s := stock.NewService(repo, &stocktest.Events{}, quiet, time.Hour)
	restock(t, s, rice, 1, 1)
	_, err := s.Reserve(ctx, "a", one(rice, 1))
	require.NoError(t, err)
	var so *stock.SoldOutError
	_, err = s.Reserve(ctx, "b", one(rice, 1))
	require.ErrorAs(t, err, &so)
	reads := repo.bucketReads.Load()
	_, err = s.Reserve(ctx, "c", one(rice, 1))
	require.ErrorAs(t, err, &so)
	assert.Equal(t, reads, repo.bucketReads.Load(), "the memo answered")

	restock(t, s, rice, 1, 1)
	_, err = s.Reserve(ctx, "d", one(rice, 1))
	assert.NoError(t, err)
}

// A reservation recorded before records named their parts, over a hold stored before holds had
// part ids: confirming sells it, releasing returns it.
func TestReservationOfTheFirstFormIsConfirmedAndReleased(t *testing.T) {
	for _, then := range []string{"confirm", "release"} {
		t.Run(then, func(t *testing.T) {
			mem := stocktest.NewMemory()
			s, _ := newService(t, mem)
			restock(t, s, rice, 10, 1)
			bs, toks, err := mem.Buckets(ctx, rice, 1)
			require.NoError(t, err)
			bs[0].Parts, bs[0].Available = map[string]int64{stock.PartKey("o1", ""): 2}, 8
			require.NoError(t, mem.PutBucket(ctx, rice, 0, bs[0], toks[0]))
			require.NoError(t, mem.CreateReservation(ctx, stock.Reservation{OrderID: "o1", Status: stock.Reserved, Lines: one(rice, 2)}))

			st, err := s.Reserve(ctx, "o1", one(rice, 2))
			require.NoError(t, err)
			assert.Equal(t, stock.Reserved, st)
			assert.Equal(t, map[string]int64{"o1": 2}, view(t, s, rice).Holds)
			if then == "confirm" {
				require.NoError(t, s.Confirm(ctx, "o1"))
				assert.EqualValues(t, 2, view(t, s, rice).Sold)
			} else {
				require.NoError(t, s.Release(ctx, "o1", nil))
				assert.EqualValues(t, 10, view(t, s, rice).Available)
			}
			assert.Empty(t, view(t, s, rice).Holds)
		})
	}
}
