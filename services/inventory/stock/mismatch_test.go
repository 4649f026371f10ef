package stock_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// An order id stands for one body: a repeat with other lines is refused, not answered "reserved",
// and holds nothing of its own.
func TestRepeatedOrderWithOtherLinesIsRefused(t *testing.T) {
	for _, buckets := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d buckets", buckets), func(t *testing.T) {
			mem := stocktest.NewMemory()
			s, _ := newService(t, mem)
			restock(t, s, rice, 20, buckets)
			restock(t, s, soup, 20, 1)
			_, err := s.Reserve(ctx, "o1", one(rice, 1))
			require.NoError(t, err)

			for _, other := range [][]stock.Line{
				one(rice, 5),
				{{Item: rice, Quantity: 1}, {Item: soup, Quantity: 2}},
				one(soup, 1),
			} {
				_, err := s.Reserve(ctx, "o1", other)
				var me *stock.MismatchError
				require.ErrorAs(t, err, &me, "%v", other)
				assert.Equal(t, "o1", me.OrderID)
				assert.ErrorIs(t, err, stock.ErrLinesMismatch)
				assert.Equal(t, map[string]int64{"o1": 1}, view(t, s, rice).Holds)
				assert.Empty(t, view(t, s, soup).Holds)
			}
			st, err := s.Reserve(ctx, "o1", one(rice, 1))
			require.NoError(t, err, "the first body still answers as it stands")
			assert.Equal(t, stock.Reserved, st)

			require.NoError(t, s.Confirm(ctx, "o1"))
			_, err = s.Reserve(ctx, "o1", one(rice, 2))
			assert.ErrorIs(t, err, stock.ErrLinesMismatch, "also once confirmed")
			assert.EqualValues(t, 1, view(t, s, rice).Sold)
			assert.EqualValues(t, 19, view(t, s, rice).Available)
		})
	}
}

// The same lines in another order are the same body.
func TestRepeatedOrderWithItsLinesReorderedIsTheSame(t *testing.T) {
	s, _ := newService(t, stocktest.NewMemory())
	restock(t, s, rice, 10, 1)
	restock(t, s, soup, 10, 1)
	_, err := s.Reserve(ctx, "o1", []stock.Line{{Item: soup, Quantity: 1}, {Item: rice, Quantity: 2}})
	require.NoError(t, err)
	st, err := s.Reserve(ctx, "o1", []stock.Line{{Item: rice, Quantity: 2}, {Item: soup, Quantity: 1}})
	require.NoError(t, err)
	assert.Equal(t, stock.Reserved, st)
	assert.Equal(t, map[string]int64{"o1": 2}, view(t, s, rice).Holds)
}

// A sold-out order id reused for other lines is refused as a mismatch too: the first recorded
// outcome belongs to the first body.
func TestSoldOutOrderReusedForOtherLinesIsRefused(t *testing.T) {
	s, _ := newService(t, stocktest.NewMemory())
	restock(t, s, rice, 1, 1)
	restock(t, s, soup, 10, 1)
	_, err := s.Reserve(ctx, "o1", one(rice, 2))
	var so *stock.SoldOutError
	require.ErrorAs(t, err, &so)
	_, err = s.Reserve(ctx, "o1", one(soup, 1))
	assert.ErrorIs(t, err, stock.ErrLinesMismatch)
	assert.Empty(t, view(t, s, soup).Holds)
	assert.EqualValues(t, 10, view(t, s, soup).Available)
}

// Two bodies of one order id racing, many times over, with duplicates of each: exactly one body is
// held, every caller with that body is told so, every caller with the other is refused.
func TestConcurrentReservesOfOneOrderWithOtherLinesHoldOneBody(t *testing.T) {
	for _, buckets := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d buckets", buckets), func(t *testing.T) {
			mem := stocktest.NewMemory()
			s, _ := newService(t, slowRepo{mem})
			restock(t, s, rice, 1000, buckets)
			restock(t, s, soup, 1000, 1)
			bodies := [][]stock.Line{
				one(rice, 1),
				{{Item: rice, Quantity: 5}, {Item: soup, Quantity: 2}},
			}
			for round := range 30 {
				order := fmt.Sprintf("o%d", round)
				var mu sync.Mutex
				answers := map[int][]error{}
				var wg sync.WaitGroup
				for c := range 6 {
					body := c % 2
					wg.Go(func() {
						_, err := s.Reserve(ctx, order, bodies[body])
						mu.Lock()
						answers[body] = append(answers[body], err)
						mu.Unlock()
					})
				}
				wg.Wait()

				r, _, err := mem.Reservation(ctx, order)
				require.NoError(t, err)
				winner := 0
				if len(r.Lines) == 2 {
					winner = 1
				}
				for _, err := range answers[winner] {
					assert.NoError(t, err, "%s: a caller of the body that stands", order)
				}
				for _, err := range answers[1-winner] {
					assert.True(t, errors.Is(err, stock.ErrLinesMismatch), "%s: a caller of the other body: %v", order, err)
				}
				want := map[stock.Item]int64{}
				for _, l := range bodies[winner] {
					want[l.Item] = l.Quantity
				}
				for _, it := range []stock.Item{rice, soup} {
					assert.Equal(t, want[it], view(t, s, it).Holds[order], "%s holds of %s", order, it)
				}
			}
			audit(t, mem, rice, buckets)
		})
	}
}
