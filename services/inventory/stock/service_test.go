package stock_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

var (
	ctx   = context.Background()
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	rice  = stock.Item{StoreID: "s1", DishID: "rice", Period: "2026-11-25.lunch"}
	soup  = stock.Item{StoreID: "s1", DishID: "soup", Period: "2026-11-25.lunch"}
)

func newService(t *testing.T, repo stock.Repository) (*stock.Service, *stocktest.Events) {
	t.Helper()
	ev := &stocktest.Events{}
	return stock.NewService(repo, ev, quiet, 0), ev
}

func restock(t *testing.T, s *stock.Service, it stock.Item, qty int64, buckets int) {
	t.Helper()
	_, err := s.Restock(ctx, it, qty, fmt.Sprintf("r-%d-%d", qty, rand.Int()), buckets)
	require.NoError(t, err)
}

// view reads an item's stock and checks the audit on the totals.
func view(t *testing.T, s *stock.Service, it stock.Item) stock.View {
	t.Helper()
	v, err := s.View(ctx, it)
	require.NoError(t, err)
	require.Equal(t, v.Restocked, v.Sold+v.Reserved+v.Available, "conservation: %+v", v)
	require.GreaterOrEqual(t, v.Available, int64(0))
	return v
}

// audit checks every bucket of the item on its own: units add up and sales match the sold count.
func audit(t *testing.T, repo stock.Repository, it stock.Item, buckets int) {
	t.Helper()
	bs, _, err := repo.Buckets(ctx, it, buckets)
	require.NoError(t, err)
	for i, b := range bs {
		assert.True(t, b.Balanced(), "%s bucket %d: %+v", it, i, b)
	}
}

func one(it stock.Item, q int64) []stock.Line { return []stock.Line{{Item: it, Quantity: q}} }

func TestValidateLines(t *testing.T) {
	cases := []struct {
		name  string
		lines []stock.Line
		field string
	}{
		{"ok", one(rice, 2), ""},
		{"largest quantity", one(rice, stock.MaxQuantity), ""},
		{"empty", nil, "items"},
		{"zero quantity", one(rice, 0), "items[0].quantity"},
		{"negative quantity", one(rice, -1), "items[0].quantity"},
		{"huge quantity", one(rice, stock.MaxQuantity+1), "items[0].quantity"},
		{"bad period", one(stock.Item{StoreID: "s", DishID: "d", Period: "lunch"}, 1), "items[0].period"},
		{"period slot upper case", one(stock.Item{StoreID: "s", DishID: "d", Period: "2026-11-25.Lunch"}, 1), "items[0].period"},
		{"bad dish id", one(stock.Item{StoreID: "s", DishID: "d/x", Period: "2026-11-25.lunch"}, 1), "items[0].dish_id"},
		{"missing store", one(stock.Item{DishID: "d", Period: "2026-11-25.lunch"}, 1), "items[0].store_id"},
		{"duplicate dish", []stock.Line{{Item: soup, Quantity: 1}, {Item: rice, Quantity: 1}, {Item: rice, Quantity: 2}}, "items[2].dish_id"},
		{"too many", make([]stock.Line, stock.MaxItems+1), "items"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := stock.ValidateLines(tc.lines)
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			var inv *stock.InvalidError
			require.ErrorAs(t, err, &inv)
			assert.Equal(t, tc.field, inv.Field)
		})
	}
}

func TestViewOfNeverRestockedItemIsNotFound(t *testing.T) {
	s, _ := newService(t, stocktest.NewMemory())
	_, err := s.View(ctx, rice)
	assert.ErrorIs(t, err, stock.ErrNotFound)
}

// The flash sale in memory: many buyers, fewer units; exactly the units are sold, on any bucketing.
func TestConcurrentReservationsNeverOversell(t *testing.T) {
	for _, buckets := range []int{1, 16} {
		t.Run(fmt.Sprintf("%d buckets", buckets), func(t *testing.T) {
			repo := stocktest.NewMemory()
			s, ev := newService(t, repo)
			restock(t, s, rice, 200, buckets)
			var ok, soldOut atomic.Int64
			var wg sync.WaitGroup
			for i := range 1000 {
				wg.Go(func() {
					_, err := s.Reserve(ctx, fmt.Sprintf("o%d", i), one(rice, 1))
					var so *stock.SoldOutError
					switch {
					case err == nil:
						ok.Add(1)
					case errors.As(err, &so):
						soldOut.Add(1)
					default:
						t.Errorf("order %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			assert.EqualValues(t, 200, ok.Load())
			assert.EqualValues(t, 800, soldOut.Load())
			v := view(t, s, rice)
			assert.EqualValues(t, 200, v.Reserved)
			assert.EqualValues(t, 0, v.Available)
			assert.Len(t, v.Holds, 200)
			audit(t, repo, rice, buckets)
			assert.Contains(t, ev.Types(), event.StockDepleted)
		})
	}
}

// slowRepo pauses after every read, as a sidecar round trip does, so that concurrent callers
// really interleave between reading buckets and writing them.
type slowRepo struct{ stock.Repository }

func (r slowRepo) Buckets(ctx context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	bs, toks, err := r.Repository.Buckets(ctx, it, n)
	time.Sleep(time.Millisecond)
	return bs, toks, err
}

func TestSameOrderReservedConcurrentlyHoldsOnce(t *testing.T) {
	for _, buckets := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d buckets", buckets), func(t *testing.T) {
			repo := stocktest.NewMemory()
			s, _ := newService(t, slowRepo{repo})
			restock(t, s, rice, 100, buckets)
			restock(t, s, soup, 100, 1)
			var wg sync.WaitGroup
			for range 50 {
				wg.Go(func() {
					st, err := s.Reserve(ctx, "o1", []stock.Line{{Item: rice, Quantity: 3}, {Item: soup, Quantity: 2}})
					assert.NoError(t, err)
					assert.Equal(t, stock.Reserved, st)
				})
			}
			wg.Wait()
			assert.Equal(t, map[string]int64{"o1": 3}, view(t, s, rice).Holds)
			assert.Equal(t, map[string]int64{"o1": 2}, view(t, s, soup).Holds)
			assert.EqualValues(t, 97, view(t, s, rice).Available)
			audit(t, repo, rice, buckets)
		})
	}
}

// Random reservations, releases, confirmations and restocks at once: every bucket still balances,
// and no order holds stock unless its record says reserved.
func TestConservationUnderAConcurrentMix(t *testing.T) {
	repo := stocktest.NewMemory()
	s, _ := newService(t, slowRepo{repo})
	restock(t, s, rice, 50, 8)
	restock(t, s, soup, 30, 1)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range 60 {
				order := fmt.Sprintf("o%d", r.IntN(40)) // orders shared between workers
				var err error
				switch r.IntN(5) {
				case 0, 1:
					_, err = s.Reserve(ctx, order, []stock.Line{{Item: rice, Quantity: 1 + r.Int64N(3)}, {Item: soup, Quantity: 1}})
				case 2:
					err = s.Release(ctx, order, one(rice, 1))
				case 3:
					err = s.Confirm(ctx, order)
				case 4:
					_, err = s.Restock(ctx, rice, 5, fmt.Sprintf("w%d-%d", w, i), 0)
				}
				var so *stock.SoldOutError
				if err != nil && !errors.As(err, &so) && !errors.Is(err, stock.ErrReleased) && !errors.Is(err, stock.ErrConfirmed) &&
					!errors.Is(err, stock.ErrNotFound) && !errors.Is(err, stock.ErrLinesMismatch) {
					t.Errorf("%s: %v", order, err)
				}
			}
		})
	}
	wg.Wait()
	for _, it := range []stock.Item{rice, soup} {
		v := view(t, s, it)
		audit(t, repo, it, v.Buckets)
		for order, q := range v.Holds {
			r, _, err := repo.Reservation(ctx, order)
			require.NoError(t, err, "hold of %s, which has no reservation", order)
			assert.Equal(t, stock.Reserved, r.Status, "hold of %s on %s", order, it)
			for _, l := range r.Lines {
				if l.Item == it {
					assert.Equal(t, l.Quantity, q, "%s holds what its record says of %s", order, it)
				}
			}
		}
	}
}
