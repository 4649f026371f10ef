package ordering_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/order/ordering"
	"github.com/canteen/canteen/services/order/ordering/ordertest"
)

// fakeInventory counts calls per order: tests check how often the service asked, not what a
// map keyed by the order id would make true anyway.
type fakeInventory struct {
	mu       sync.Mutex
	reserves map[string]int
	releases map[string]int
	confirms map[string]int
	soldOut  bool
	down     bool // Release fails as if inventory were unreachable
	sold     bool // Release answers that the stock was sold
	// reserved, when set, runs once an order's stock is held, before Reserve answers.
	reserved func(ordering.Order)
}

func (f *fakeInventory) Reserve(_ context.Context, o ordering.Order) error {
	f.mu.Lock()
	f.reserves[o.ID]++
	soldOut, reserved := f.soldOut, f.reserved
	f.mu.Unlock()
	if soldOut {
		return &ordering.SoldOutError{DishID: o.Items[0].DishID}
	}
	if reserved != nil {
		reserved(o)
	}
	return nil
}

func (f *fakeInventory) Release(_ context.Context, o ordering.Order) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.down:
		return errors.New("inventory unreachable")
	case f.sold:
		return ordering.ErrStockSold
	}
	f.releases[o.ID]++
	return nil
}

// Confirm answers as inventory's record would: released once Release took the order's stock.
func (f *fakeInventory) Confirm(_ context.Context, o ordering.Order) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.down:
		return errors.New("inventory unreachable")
	case f.releases[o.ID] > 0:
		return ordering.ErrStockReleased
	}
	f.confirms[o.ID]++
	return nil
}

func (f *fakeInventory) released(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.releases[id]
}

type fakeMenu struct {
	busy    bool
	kitchen ordering.Kitchen
}

func (m fakeMenu) StoreMenu(context.Context, string) (ordering.StoreMenu, error) {
	return ordering.StoreMenu{Dishes: map[string]ordering.Dish{"rice": {PriceCents: 1200, Orderable: true}, "gone": {PriceCents: 900}},
		Busy: m.busy, Kitchen: m.kitchen}, nil
}

// fakeScheduler records the expiries scheduled, call by call; down refuses them.
type fakeScheduler struct {
	mu    sync.Mutex
	calls [][]ordering.Expiry
	down  bool
}

func (s *fakeScheduler) ScheduleExpiries(_ context.Context, es []ordering.Expiry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return errors.New("scheduler unreachable")
	}
	s.calls = append(s.calls, es)
	return nil
}

// scheduled lists the orders whose expiry was scheduled, each with its time.
func (s *fakeScheduler) scheduled() map[string]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]time.Time{}
	for _, es := range s.calls {
		for _, e := range es {
			out[e.Order.ID] = e.At
		}
	}
	return out
}

type fixture struct {
	svc   *ordering.Service
	repo  *ordertest.Memory
	inv   *fakeInventory
	sched *fakeScheduler
	clock *clock
}

// clock is a settable clock, for the outbox's orphan rule. Time passing first lets the service
// clear what it published (flush): its ClearDelay is far shorter than any step of these tests,
// which set it to an hour of real time so that only they decide when the clears run.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	flush func()
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.flush()
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func setup() fixture { return setupWith(fakeMenu{}) }

// setupWith is setup with the menu m.
func setupWith(m ordering.Menu) fixture { return newFixture(m, 0) }

// newFixture is setupWith, new orders' events waiting eventDelay (0: published by the checkout).
func newFixture(m ordering.Menu, eventDelay time.Duration) fixture {
	f := fixture{repo: ordertest.NewMemory(), inv: &fakeInventory{reserves: map[string]int{}, releases: map[string]int{}, confirms: map[string]int{}}, sched: &fakeScheduler{},
		clock: &clock{now: time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)}}
	f.svc = f.restart(m, eventDelay)
	return f
}

// restart returns a service as restarted on the fixture's store (and makes it the one the clock
// flushes): what the one before kept in memory is gone.
func (f *fixture) restart(m ordering.Menu, eventDelay time.Duration) *ordering.Service {
	svc := ordering.NewService(ordering.Deps{Repository: f.repo, Publisher: f.repo, Menu: m, Inventory: f.inv, Scheduler: f.sched,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: f.clock.Now, BatchDelay: time.Hour, EventDelay: eventDelay}, time.Minute)
	f.clock.flush = func() { svc.Flush(context.Background()) }
	return svc
}

// With an EventDelay a checkout is answered with its event pending in its record; the events of
// the checkouts of one delay go out in one publish, and are then cleared like any other.
func TestNewOrdersEventsGoOutTogetherAfterTheirCheckouts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(fakeMenu{}, time.Hour) // only Flush sends them
	var ids []string
	for i := range 5 {
		o, _, err := f.svc.Checkout(ctx, request(fmt.Sprint("k", i), 1))
		require.NoError(t, err)
		stored, _, err := f.repo.Order(ctx, o.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{event.OrderCreated}, types(stored.Outbox), "pending in the record before the answer")
		ids = append(ids, o.ID)
	}
	assert.Empty(t, f.repo.Published)
	f.svc.Flush(ctx)
	assert.Equal(t, 1, f.repo.PublishCalls)
	for _, id := range ids {
		assert.Equal(t, []string{event.OrderCreated}, f.repo.Events(id))
		stored, _, err := f.repo.Order(ctx, id)
		require.NoError(t, err)
		assert.Empty(t, stored.Outbox, "cleared")
	}
}

// The delay runs on its own: nobody has to flush.
func TestNewOrdersEventGoesOutOnceItsDelayIsUp(t *testing.T) {
	ctx := context.Background()
	f := newFixture(fakeMenu{}, 5*time.Millisecond)
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(f.repo.Events(o.ID)) == 1 }, 5*time.Second, time.Millisecond)
}

// A process that dies with new orders' events still waiting leaves them pending in the records:
// the inventory reconciler's question about the orders holding stock publishes them once they
// are orphaned, and only then.
func TestNewOrdersEventLeftByADeadProcessGoesOutWithTheReconcilersQuestion(t *testing.T) {
	ctx := context.Background()
	f := newFixture(fakeMenu{}, time.Hour)
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	restarted := f.restart(fakeMenu{}, time.Hour) // the first one died before its delay was up
	_, err = restarted.Statuses(ctx, []string{o.ID})
	require.NoError(t, err)
	assert.Empty(t, f.repo.Events(o.ID), "a young pending event is left to its writer")
	f.clock.Advance(10 * time.Second)
	_, err = restarted.Statuses(ctx, []string{o.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{event.OrderCreated}, f.repo.Events(o.ID))
}

func request(key string, qty int64) ordering.CheckoutRequest {
	return ordering.CheckoutRequest{CustomerID: "c1", IdempotencyKey: key, StoreID: "s1", Period: "2026-11-25.lunch", Items: []ordering.ItemRequest{{DishID: "rice", Quantity: qty}}}
}

func TestCheckoutPricesFromTheMenuAndReplaysTheSameOrder(t *testing.T) {
	f := setup()
	ctx := context.Background()
	o, created, err := f.svc.Checkout(ctx, request("k1", 2))
	require.NoError(t, err)
	assert.True(t, created)
	assert.EqualValues(t, 2400, o.TotalCents)
	assert.Equal(t, ordering.PendingPayment, o.Status)

	again, created, err := f.svc.Checkout(ctx, request("k1", 2))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, o, again)
	_, _, err = f.svc.Checkout(ctx, request("k1", 3))
	assert.ErrorIs(t, err, ordering.ErrKeyReused)
	assert.Equal(t, 1, f.repo.Creates)
	assert.Equal(t, []string{event.OrderCreated}, f.repo.Events(o.ID))
	stored, _, err := f.repo.Order(ctx, o.ID)
	require.NoError(t, err)
	assert.Len(t, stored.Outbox, 1, "published, cleared a moment later")
	f.svc.Flush(ctx)
	stored, _, err = f.repo.Order(ctx, o.ID)
	require.NoError(t, err)
	assert.Empty(t, stored.Outbox, "a published event is cleared from the record")
}

// A checkout reads what indexing its order needs (Lookup) only once its stock is reserved, just
// before it creates the order: read before, the index keys were changed by other orders of a
// busy store in between nearly every time.
func TestCheckoutLooksUpItsPlacementAfterReserving(t *testing.T) {
	f := setup()
	lookupsAtReserve := -1
	f.inv.reserved = func(ordering.Order) { lookupsAtReserve = f.repo.Lookups }
	_, created, err := f.svc.Checkout(context.Background(), request("k1", 1))
	require.NoError(t, err)
	assert.True(t, created)
	assert.Zero(t, lookupsAtReserve, "no lookup before the reservation")
	assert.Equal(t, 1, f.repo.Lookups)
}

// A repeat of a created order is answered that order even when inventory now refuses the
// reservation (the dish sold out since, or the order's stock released when it expired).
func TestARepeatedCheckoutIsAnsweredItsOrderWhateverInventorySaysNow(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	f.inv.soldOut = true
	again, created, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, o, again)
	_, _, err = f.svc.Checkout(ctx, request("k2", 1))
	var so *ordering.SoldOutError
	assert.ErrorAs(t, err, &so, "a new order is refused")
}

// The clears of many checkouts' events share one read and one write of the store.
func TestPublishedEventsAreClearedTogether(t *testing.T) {
	ctx := context.Background()
	f := setup()
	var ids []string
	for i := range 30 {
		o, _, err := f.svc.Checkout(ctx, request(fmt.Sprint("k", i), 1))
		require.NoError(t, err)
		ids = append(ids, o.ID)
	}
	f.svc.Flush(ctx)
	assert.Equal(t, 1, f.repo.BulkReads)
	assert.Equal(t, 1, f.repo.BulkWrites)
	for _, id := range ids {
		stored, _, err := f.repo.Order(ctx, id)
		require.NoError(t, err)
		assert.Empty(t, stored.Outbox, id)
	}
}

// A checkout does not wait for the scheduler: the expiries of the checkouts of one BatchDelay go
// to it in one call, each due at its order's creation plus the payment time. While the scheduler
// refuses them the orders are placed all the same and their expiries kept for the next flush.
func TestExpiriesAreScheduledTogetherAndKeptWhileTheSchedulerIsDown(t *testing.T) {
	ctx := context.Background()
	f := setup()
	checkout := func(key string) ordering.Order {
		o, created, err := f.svc.Checkout(ctx, request(key, 1))
		require.NoError(t, err)
		require.True(t, created)
		return o
	}
	a, b := checkout("a"), checkout("b")
	assert.Empty(t, f.sched.scheduled(), "queued, not yet sent")
	f.svc.Flush(ctx)
	assert.Len(t, f.sched.calls, 1, "one call for the batch")
	assert.Equal(t, map[string]time.Time{a.ID: a.CreatedAt.Add(f.svc.PaymentTimeout()), b.ID: b.CreatedAt.Add(f.svc.PaymentTimeout())}, f.sched.scheduled())

	f.sched.down = true
	c := checkout("c")
	f.svc.Flush(ctx)
	assert.NotContains(t, f.sched.scheduled(), c.ID)
	f.sched.down = false
	f.svc.Flush(ctx)
	assert.Contains(t, f.sched.scheduled(), c.ID, "kept, and scheduled once the scheduler is back")
	assert.Len(t, f.sched.calls, 2)
}

// An order changed between the batch's read and its write is cleared from a fresh read of its
// own, keeping the change; the others of the batch are written once.
func TestAClearThatMeetsAChangedOrderReadsItAgain(t *testing.T) {
	ctx := context.Background()
	f := setup()
	a, _, err := f.svc.Checkout(ctx, request("a", 1))
	require.NoError(t, err)
	b, _, err := f.svc.Checkout(ctx, request("b", 1))
	require.NoError(t, err)
	f.repo.BeforeSaveAll = func() {
		cur, tok, err := f.repo.Order(ctx, a.ID)
		require.NoError(t, err)
		cur.Reason = "changed in between"
		require.NoError(t, f.repo.Save(ctx, cur, tok))
	}
	f.svc.Flush(ctx)
	for _, id := range []string{a.ID, b.ID} {
		stored, _, err := f.repo.Order(ctx, id)
		require.NoError(t, err)
		assert.Empty(t, stored.Outbox, id)
	}
	stored, _, err := f.repo.Order(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "changed in between", stored.Reason)
	assert.Equal(t, []string{event.OrderCreated}, f.repo.Events(a.ID), "cleared, never published again")
}

// Hole 6: five (here fifty) identical concurrent checkouts publish exactly one order.created.
func TestConcurrentIdenticalCheckoutsCreateOnceAndPublishOnce(t *testing.T) {
	f := setup()
	var wg sync.WaitGroup
	ids := make(chan string, 50)
	for range 50 {
		wg.Go(func() {
			o, _, err := f.svc.Checkout(context.Background(), request("same", 1))
			if assert.NoError(t, err) {
				ids <- o.ID
			}
		})
	}
	wg.Wait()
	close(ids)
	first := <-ids
	for id := range ids {
		assert.Equal(t, first, id)
	}
	assert.Equal(t, 1, f.repo.Creates)
	assert.Equal(t, []string{event.OrderCreated}, f.repo.Events(first))
}

func TestCheckoutRefusalsLeaveNothingBehind(t *testing.T) {
	ctx := context.Background()
	f := setup()
	req := request("k", 1)
	req.Items[0].DishID = "caviar"
	_, _, err := f.svc.Checkout(ctx, req)
	var notOnMenu *ordering.NotOnMenuError
	require.ErrorAs(t, err, &notOnMenu)
	assert.Equal(t, "items[0].dish_id", notOnMenu.Field)
	assert.Equal(t, "caviar", notOnMenu.DishID)

	req.Items[0].DishID = "gone"
	_, _, err = f.svc.Checkout(ctx, req)
	var soldOut *ordering.SoldOutError
	assert.ErrorAs(t, err, &soldOut, "a dish the menu shows out of stock")

	f.inv.soldOut = true
	_, _, err = f.svc.Checkout(ctx, request("k2", 1))
	assert.ErrorAs(t, err, &soldOut)
	assert.Zero(t, f.repo.Creates, "no order without stock")
	f.svc.Flush(ctx)
	assert.Empty(t, f.sched.scheduled(), "a refused checkout leaves no expiry job behind")
	assert.Empty(t, f.repo.Published)
}

func TestCancelReleasesFirstAndEmitsOnce(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	_, err = f.svc.Cancel(ctx, o.ID, "someone-else")
	assert.ErrorIs(t, err, ordering.ErrNotFound)
	assert.Zero(t, f.inv.released(o.ID))
	cancelled, err := f.svc.Cancel(ctx, o.ID, "c1")
	require.NoError(t, err)
	assert.Equal(t, ordering.Cancelled, cancelled.Status)
	assert.Equal(t, 1, f.inv.released(o.ID), "the stock is released at once, not only by the event")
	_, err = f.svc.Cancel(ctx, o.ID, "c1")
	var illegal *ordering.IllegalTransitionError
	assert.ErrorAs(t, err, &illegal)
	assert.Equal(t, []string{event.OrderCreated, event.OrderCancelled}, f.repo.Events(o.ID))
}

// Hole 7: inventory's record decides. A cancel that finds the stock sold is refused.
func TestCancelOfAnOrderWhoseStockWasSoldIsRefused(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	f.inv.sold = true
	_, err = f.svc.Cancel(ctx, o.ID, "c1")
	assert.ErrorIs(t, err, ordering.ErrStockSold)
	got, err := f.svc.Get(ctx, o.ID, "c1")
	require.NoError(t, err)
	assert.Equal(t, ordering.PendingPayment, got.Status)
	assert.Equal(t, []string{event.OrderCreated}, f.repo.Events(o.ID))
}

func TestCancelWithInventoryDownStillCancelsAndTheEventCarriesTheRelease(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	f.inv.down = true
	got, err := f.svc.Cancel(ctx, o.ID, "c1")
	require.NoError(t, err)
	assert.Equal(t, ordering.Cancelled, got.Status)
	assert.Equal(t, []string{event.OrderCreated, event.OrderCancelled}, f.repo.Events(o.ID))
}

// An event whose publish fails stays in the order's record and goes out with the next relay.
func TestAnUnpublishedEventStaysPendingUntilRelayed(t *testing.T) {
	ctx := context.Background()
	f := setup()
	f.repo.SetFailPublish(true)
	o, created, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err, "the order is committed even when the broker is down")
	assert.True(t, created)
	_, err = f.svc.Cancel(ctx, o.ID, "c1")
	require.NoError(t, err)
	stored, _, err := f.repo.Order(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{event.OrderCreated, event.OrderCancelled}, types(stored.Outbox))
	assert.Empty(t, f.repo.Events(o.ID))

	f.repo.SetFailPublish(false)
	f.svc.RelayPending(ctx, stored)
	assert.Empty(t, f.repo.Events(o.ID), "a young pending event is left to the request that wrote it")
	f.clock.Advance(10 * time.Second)
	f.svc.RelayPending(ctx, stored)
	assert.Equal(t, []string{event.OrderCreated, event.OrderCancelled}, f.repo.Events(o.ID), "in order")
	f.svc.Flush(ctx)
	stored, _, err = f.repo.Order(ctx, o.ID)
	require.NoError(t, err)
	assert.Empty(t, stored.Outbox)
}

// Hole 6 again: a duplicate that finds the winner's event still pending does not publish it a
// second time; only an event its writer has evidently abandoned is taken over.
func TestAReplayLeavesAFreshPendingEventToItsWriter(t *testing.T) {
	ctx := context.Background()
	f := setup()
	f.repo.SetFailPublish(true) // the winner's publish has not happened yet, as in a race
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	f.repo.SetFailPublish(false)
	_, created, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Empty(t, f.repo.Events(o.ID))
	f.clock.Advance(10 * time.Second) // the winner died
	_, _, err = f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	assert.Equal(t, []string{event.OrderCreated}, f.repo.Events(o.ID))
}

// Hole 1: Expire releases for cancelled and expired orders too, and for orders never stored.
func TestExpireReleasesWhateverTheOrderBecame(t *testing.T) {
	ctx := context.Background()
	f := setup()

	cancelled, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	f.inv.down = true
	_, err = f.svc.Cancel(ctx, cancelled.ID, "c1")
	require.NoError(t, err)
	assert.Error(t, f.svc.Expire(ctx, cancelled), "a release that fails is reported, so the job fires again")
	f.inv.down = false
	require.NoError(t, f.svc.Expire(ctx, cancelled))
	assert.Equal(t, 1, f.inv.released(cancelled.ID), "the expiry of a cancelled order releases its stock")

	ghost := ordering.Order{ID: "ghost", StoreID: "s1", Period: "2026-11-25.lunch", Items: []ordering.Item{{DishID: "rice", Quantity: 1}}}
	require.NoError(t, f.svc.Expire(ctx, ghost))
	assert.Equal(t, 1, f.inv.released("ghost"), "an order whose checkout died before storing it")

	o2, _, err := f.svc.Checkout(ctx, request("k2", 1))
	require.NoError(t, err)
	require.NoError(t, f.svc.Expire(ctx, o2))
	require.NoError(t, f.svc.Expire(ctx, o2), "the job firing twice")
	got, err := f.svc.Get(ctx, o2.ID, "c1")
	require.NoError(t, err)
	assert.Equal(t, ordering.Expired, got.Status)
	assert.Equal(t, []string{event.OrderCreated, event.OrderExpired}, f.repo.Events(o2.ID))
	assert.Equal(t, 2, f.inv.released(o2.ID), "asked both times; inventory's release is idempotent")
}

func TestExpireLeavesAPaidOrderAlone(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	stored, tok, err := f.repo.Order(ctx, o.ID)
	require.NoError(t, err)
	stored.Status = ordering.Paid
	require.NoError(t, f.repo.Save(ctx, stored, tok))
	require.NoError(t, f.svc.Expire(ctx, o))
	assert.Zero(t, f.inv.released(o.ID))
}

func types(es []event.Order) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Type)
	}
	return out
}

// A checkout slower than the payment time: its expiry fires (here: as soon as the stock is held)
// before it stores the order. The
// expiry returns the stock and leaves an expired record in the order's place, so the checkout
// (and any retry of it) answers ErrExpired instead of storing an order whose stock is gone, which
// would stay pending for good with no job left to expire it.
func TestACheckoutOvertakenByItsExpiryStoresNoOrder(t *testing.T) {
	ctx := context.Background()
	f := setup()
	f.inv.reserved = func(o ordering.Order) { assert.NoError(t, f.svc.Expire(ctx, o)) }
	_, _, err := f.svc.Checkout(ctx, request("slow", 1))
	require.ErrorIs(t, err, ordering.ErrExpired)
	id := request("slow", 1).OrderID()
	assert.Equal(t, 1, f.inv.released(id), "the expiry returned the stock")
	stored, _, err := f.repo.Order(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, ordering.Expired, stored.Status)
	assert.Empty(t, f.repo.Events(id), "no order was announced")

	f.inv.reserved = nil
	_, _, err = f.svc.Checkout(ctx, request("slow", 1))
	assert.ErrorIs(t, err, ordering.ErrExpired, "a retry with the same key")
	_, err = f.svc.Get(ctx, id, "c1")
	assert.ErrorIs(t, err, ordering.ErrNotFound, "the customer has no such order")
	require.NoError(t, f.svc.Expire(ctx, stored), "the job's next firing")
	assert.Equal(t, 2, f.inv.released(id), "releases again, idempotent at inventory")

	// An expiry that finds the order stored expires it as before.
	o, _, err := f.svc.Checkout(ctx, request("fast", 1))
	require.NoError(t, err)
	require.NoError(t, f.svc.Expire(ctx, o))
	got, err := f.svc.Get(ctx, o.ID, "c1")
	require.NoError(t, err)
	assert.Equal(t, ordering.Expired, got.Status)
}

// closingMenu is fakeMenu with a store that a test closes meanwhile.
type closingMenu struct{ closed atomic.Bool }

func (m *closingMenu) StoreMenu(ctx context.Context, id string) (ordering.StoreMenu, error) {
	return fakeMenu{busy: m.closed.Load()}.StoreMenu(ctx, id)
}

// The menu is asked before the order is looked for; a repeat of a checkout that created its order
// still gets that order when the menu now refuses (here: the store stopped taking orders), while
// a new checkout is refused.
func TestARepeatGetsItsOrderAfterTheMenuStartsRefusing(t *testing.T) {
	ctx := context.Background()
	m := &closingMenu{}
	f := setupWith(m)
	o, created, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	require.True(t, created)
	m.closed.Store(true)
	again, created, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, o.ID, again.ID)
	_, _, err = f.svc.Checkout(ctx, request("k2", 1))
	assert.ErrorIs(t, err, ordering.ErrStoreBusy)
}
