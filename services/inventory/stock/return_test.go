package stock_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// A refunded order's sold units go back on sale once, however often the return is asked for; the
// order can then be neither confirmed nor reserved again.
func TestReturnGivesSoldUnitsBackOnce(t *testing.T) {
	for _, tc := range crashCases {
		t.Run(tc.name, func(t *testing.T) {
			mem := stocktest.NewMemory()
			s, _ := newService(t, mem)
			tc.setup(s)
			_, err := s.Reserve(ctx, "o1", tc.lines)
			require.NoError(t, err)
			require.NoError(t, s.Confirm(ctx, "o1"))
			for range 3 { // the refund_due event delivered three times
				require.NoError(t, s.Return(ctx, "o1"))
			}
			for _, it := range []stock.Item{rice, soup} {
				v := view(t, s, it)
				assert.Zero(t, v.Sold, it)
				assert.EqualValues(t, 10, v.Available, it)
			}
			audit(t, mem, rice, tc.buckets)
			assert.ErrorIs(t, s.Confirm(ctx, "o1"), stock.ErrReleased)
			_, err = s.Reserve(ctx, "o1", tc.lines)
			assert.ErrorIs(t, err, stock.ErrReleased)
			require.NoError(t, s.Release(ctx, "o1", nil), "a late release finds nothing to give back")
			assert.EqualValues(t, 10, view(t, s, rice).Available)
		})
	}
}

// Returning an order that was never paid releases it; one never reserved is nothing to return.
func TestReturnOfAnUnpaidOrderReleasesIt(t *testing.T) {
	s, _ := newService(t, stocktest.NewMemory())
	restock(t, s, rice, 10, 1)
	_, err := s.Reserve(ctx, "o1", one(rice, 4))
	require.NoError(t, err)
	require.NoError(t, s.Return(ctx, "o1"))
	v := view(t, s, rice)
	assert.Zero(t, v.Reserved)
	assert.EqualValues(t, 10, v.Available)
	require.NoError(t, s.Return(ctx, "never-reserved"))
	assert.EqualValues(t, 10, view(t, s, rice).Available)
}

// A return killed anywhere is completed by its repeat (the event is redelivered) and gives each
// unit back once.
func TestKilledReturnIsCompletedByARepeatAndGivesBackOnce(t *testing.T) {
	for _, tc := range crashCases {
		t.Run(tc.name, func(t *testing.T) {
			setup := func(s *stock.Service) {
				tc.setup(s)
				_, _ = s.Reserve(ctx, "o1", tc.lines)
				_ = s.Confirm(ctx, "o1")
			}
			killedAtEveryWrite(t, setup, func(s *stock.Service) error { return s.Return(ctx, "o1") },
				func(t *testing.T, s *stock.Service, mem *stocktest.Memory) {
					require.NoError(t, s.Return(ctx, "o1"))
					require.NoError(t, s.Return(ctx, "o1"))
					for _, it := range []stock.Item{rice, soup} {
						v := view(t, s, it)
						assert.Zero(t, v.Sold, it)
						assert.EqualValues(t, 10, v.Available, it)
					}
					audit(t, mem, rice, tc.buckets)
				})
		})
	}
}
