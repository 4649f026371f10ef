package ordering_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/order/ordering"
)

// fakes: an order store with ETag rules that records events, a menu, an inventory that counts
// reservations by order id, and a scheduler.
type fakeStore struct {
	mu     sync.Mutex
	orders map[string]ordering.Order
	toks   map[string]int
	events []event.Order
}

func (f *fakeStore) Order(_ context.Context, id string) (ordering.Order, ordering.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return ordering.Order{}, "", ordering.ErrNotFound
	}
	return o, ordering.Token(string(rune('a' + f.toks[id]))), nil
}

func (f *fakeStore) Save(_ context.Context, o ordering.Order, t ordering.Token, e event.Order) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.orders[o.ID]; ok && t != "" && t != ordering.Token(string(rune('a'+f.toks[o.ID]))) {
		return occ.ErrConflict
	}
	f.orders[o.ID] = o
	f.toks[o.ID]++
	f.events = append(f.events, e)
	return nil
}

func (f *fakeStore) Index(context.Context, ordering.Order) error { return nil }
func (f *fakeStore) List(context.Context, ordering.Query) ([]ordering.Order, error) {
	return nil, nil
}

type fakeInventory struct {
	mu       sync.Mutex
	held     map[string]int64
	released map[string]int
	soldOut  bool
}

func (f *fakeInventory) Reserve(_ context.Context, o ordering.Order) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.soldOut {
		return &ordering.SoldOutError{DishID: o.Items[0].DishID}
	}
	f.held[o.ID] = o.Items[0].Quantity // keyed by order id, as inventory's holds are
	return nil
}

func (f *fakeInventory) Release(_ context.Context, o ordering.Order) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.held, o.ID)
	f.released[o.ID]++
	return nil
}

type fakeMenu struct{ busy bool }

func (m fakeMenu) Dishes(context.Context, string) (map[string]ordering.Dish, bool, error) {
	return map[string]ordering.Dish{"rice": {PriceCents: 1200, Orderable: true}, "gone": {PriceCents: 900}}, m.busy, nil
}

type fakeScheduler struct{ scheduled int }

func (s *fakeScheduler) ScheduleExpiry(context.Context, ordering.Order, time.Time) error {
	s.scheduled++
	return nil
}

func setup() (*ordering.Service, *fakeStore, *fakeInventory) {
	st := &fakeStore{orders: map[string]ordering.Order{}, toks: map[string]int{}}
	inv := &fakeInventory{held: map[string]int64{}, released: map[string]int{}}
	return ordering.NewService(st, fakeMenu{}, inv, &fakeScheduler{}, time.Minute), st, inv
}

func request(key string, qty int64) ordering.CheckoutRequest {
	return ordering.CheckoutRequest{CustomerID: "c1", IdempotencyKey: key, StoreID: "s1", Period: "2026-11-25.lunch", Items: []ordering.ItemRequest{{DishID: "rice", Quantity: qty}}}
}

func TestCheckoutPricesFromTheMenuAndReplaysTheSameOrder(t *testing.T) {
	svc, st, inv := setup()
	ctx := context.Background()
	o, created, err := svc.Checkout(ctx, request("k1", 2))
	require.NoError(t, err)
	assert.True(t, created)
	assert.EqualValues(t, 2400, o.TotalCents)
	assert.Equal(t, ordering.PendingPayment, o.Status)

	again, created, err := svc.Checkout(ctx, request("k1", 2))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, o, again)
	_, _, err = svc.Checkout(ctx, request("k1", 3))
	assert.ErrorIs(t, err, ordering.ErrKeyReused)
	assert.Len(t, inv.held, 1)
	assert.Len(t, st.events, 1)
	assert.Equal(t, event.OrderCreated, st.events[0].Type)
}

func TestConcurrentIdenticalCheckoutsMakeOneOrder(t *testing.T) {
	svc, st, inv := setup()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			_, _, err := svc.Checkout(context.Background(), request("same", 1))
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Len(t, st.orders, 1)
	assert.Len(t, inv.held, 1)
}

func TestCheckoutRefusals(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := setup()
	req := request("k", 1)
	req.Items[0].DishID = "caviar"
	_, _, err := svc.Checkout(ctx, req)
	var inv *ordering.InvalidError
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, "items[0].dish_id", inv.Field)

	req.Items[0].DishID = "gone"
	_, _, err = svc.Checkout(ctx, req)
	var soldOut *ordering.SoldOutError
	assert.ErrorAs(t, err, &soldOut, "a dish the menu shows out of stock")

	svc2, st2, inv2 := setup()
	inv2.soldOut = true
	_, _, err = svc2.Checkout(ctx, request("k", 1))
	assert.ErrorAs(t, err, &soldOut)
	assert.Empty(t, st2.orders, "no order without stock")
	assert.Empty(t, st.orders)
}

func TestCancelAndExpireEmitOnceAndOnlyFromPending(t *testing.T) {
	ctx := context.Background()
	svc, st, inv := setup()
	o, _, err := svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	_, err = svc.Cancel(ctx, o.ID, "someone-else")
	assert.ErrorIs(t, err, ordering.ErrNotFound)
	cancelled, err := svc.Cancel(ctx, o.ID, "c1")
	require.NoError(t, err)
	assert.Equal(t, ordering.Cancelled, cancelled.Status)
	_, err = svc.Cancel(ctx, o.ID, "c1")
	var illegal *ordering.IllegalTransitionError
	assert.ErrorAs(t, err, &illegal)
	require.NoError(t, svc.Expire(ctx, o), "expiry of a cancelled order is a no-op")
	assert.Equal(t, []string{event.OrderCreated, event.OrderCancelled}, types(st.events))

	// An order whose checkout died before it was stored: the expiry releases its stock directly.
	ghost := ordering.Order{ID: "ghost", StoreID: "s1", Period: "2026-11-25.lunch", Items: []ordering.Item{{DishID: "rice", Quantity: 1}}}
	require.NoError(t, svc.Expire(ctx, ghost))
	assert.Equal(t, 1, inv.released["ghost"])

	o2, _, err := svc.Checkout(ctx, request("k2", 1))
	require.NoError(t, err)
	require.NoError(t, svc.Expire(ctx, o2))
	require.NoError(t, svc.Expire(ctx, o2), "the job firing twice")
	got, err := svc.Get(ctx, o2.ID, "c1")
	require.NoError(t, err)
	assert.Equal(t, ordering.Expired, got.Status)
	assert.Equal(t, 1, count(st.events, event.OrderExpired))
}

func types(es []event.Order) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Type)
	}
	return out
}

func count(es []event.Order, typ string) int {
	n := 0
	for _, e := range es {
		if e.Type == typ {
			n++
		}
	}
	return n
}
