package stock_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// fakeOrders is the order service as the reconciler sees it, counting calls and ids asked.
type fakeOrders struct {
	mu     sync.Mutex
	orders map[string]stock.OrderState
	calls  int
	asked  map[string]int
	err    error
}

func newOrders() *fakeOrders {
	return &fakeOrders{orders: map[string]stock.OrderState{}, asked: map[string]int{}}
}

func (f *fakeOrders) Statuses(_ context.Context, ids []string) (map[string]stock.OrderState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	for _, id := range ids {
		f.asked[id]++
	}
	if f.err != nil {
		return nil, f.err
	}
	out := map[string]stock.OrderState{}
	for _, id := range ids {
		if o, ok := f.orders[id]; ok {
			out[id] = o
		}
	}
	return out, nil
}

func (f *fakeOrders) set(id string, st stock.OrderStatus, created time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orders[id] = stock.OrderState{Status: st, CreatedAt: created}
}

// clock is a settable time for the reconciler.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// sweepRepo counts the reads of reservation records and the writes of the index.
type sweepRepo struct {
	stock.Repository
	records, indexWrites atomic.Int64
}

func (c *sweepRepo) Reservation(ctx context.Context, order string) (stock.Reservation, stock.Token, error) {
	c.records.Add(1)
	return c.Repository.Reservation(ctx, order)
}

func (c *sweepRepo) PutIndexedItems(ctx context.Context, date string, items []stock.Item, t stock.Token) error {
	c.indexWrites.Add(1)
	return c.Repository.PutIndexedItems(ctx, date, items, t)
}

func (c *sweepRepo) PutIndexedDates(ctx context.Context, dates []stock.IndexedDate, t stock.Token) error {
	c.indexWrites.Add(1)
	return c.Repository.PutIndexedDates(ctx, dates, t)
}

const payTimeout = 15 * time.Minute

type sweepRig struct {
	mem    *stocktest.Memory
	repo   *sweepRepo
	svc    *stock.Service
	orders *fakeOrders
	clock  *clock
	rec    *stock.Reconciler
}

func newSweepRig(t *testing.T) *sweepRig {
	t.Helper()
	mem := stocktest.NewMemory()
	r := &sweepRig{mem: mem, repo: &sweepRepo{Repository: mem}, orders: newOrders(), clock: &clock{t: time.Now().UTC()}}
	r.svc, _ = newService(t, r.repo)
	r.rec = r.reconciler(t)
	return r
}

// reconciler is another replica (or this one restarted) on the same store and order service.
func (r *sweepRig) reconciler(t *testing.T) *stock.Reconciler {
	t.Helper()
	s, _ := newService(t, r.repo)
	return stock.NewReconciler(s, r.orders, stock.ReconcileConfig{PaymentTimeout: payTimeout, Margin: time.Minute, Days: 3, PageSize: 200, Now: r.clock.now}, quiet)
}

func (r *sweepRig) sweep(t *testing.T) stock.Report {
	t.Helper()
	rep, err := r.rec.Sweep(ctx)
	require.NoError(t, err)
	return rep
}

func (r *sweepRig) reserve(t *testing.T, order string, lines []stock.Line) {
	t.Helper()
	_, err := r.svc.Reserve(ctx, order, lines)
	require.NoError(t, err)
}

// Holds of orders that ended while their event was lost go back on sale in one sweep, whatever
// the bucketing; live and sold orders are left alone; a second sweep finds nothing to do.
func TestSweepReleasesHoldsOfEndedOrdersOnce(t *testing.T) {
	for _, buckets := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d buckets", buckets), func(t *testing.T) {
			r := newSweepRig(t)
			restock(t, r.svc, rice, 20, buckets)
			restock(t, r.svc, soup, 20, 1)
			now := r.clock.now()
			r.reserve(t, "cancelled", []stock.Line{{Item: rice, Quantity: 3}, {Item: soup, Quantity: 1}})
			r.reserve(t, "expired", one(rice, 2))
			r.reserve(t, "live", one(rice, 4))
			r.reserve(t, "sold", one(soup, 2))
			require.NoError(t, r.svc.Confirm(ctx, "sold"))
			r.orders.set("cancelled", stock.OrderCancelled, now)
			r.orders.set("expired", stock.OrderExpired, now)
			r.orders.set("live", stock.OrderPending, now)
			r.orders.set("sold", stock.OrderPaid, now)

			r.repo.records.Store(0)
			rep := r.sweep(t)
			assert.Equal(t, 2, rep.Items)
			assert.Equal(t, 4, rep.Holds, "cancelled holds two items, expired and live one each")
			assert.Equal(t, 3, rep.Orders)
			assert.Equal(t, 2, rep.Released)
			assert.Equal(t, map[stock.Reason]int{stock.ReasonCancelled: 1, stock.ReasonExpired: 1}, rep.ByReason)
			assert.Zero(t, rep.Errors, rep.ErrorSamples)
			assert.Equal(t, map[string]int64{"live": 4}, view(t, r.svc, rice).Holds)
			assert.EqualValues(t, 16, view(t, r.svc, rice).Available)
			assert.EqualValues(t, 18, view(t, r.svc, soup).Available)
			assert.EqualValues(t, 2, view(t, r.svc, soup).Sold)
			audit(t, r.mem, rice, buckets)
			assert.Equal(t, 1, r.orders.calls, "one call to the order service for the page")
			assert.EqualValues(t, 2*2, r.repo.records.Load(), "for the two ended orders only: the sweep's read of the record and the release's")

			again := r.sweep(t)
			assert.Zero(t, again.Released+again.Repaired+again.Confirmed)
			assert.Equal(t, 1, again.Orders)
			_, err := r.svc.Reserve(ctx, "cancelled", one(rice, 3))
			assert.ErrorIs(t, err, stock.ErrReleased, "a late Reserve of a swept order holds nothing")
		})
	}
}

// Hole 3: a duplicate Reserve that ran late, after the cancel's release, took a hold and died
// before it could see the released record. Nothing else ever releases that hold; the sweep does.
func TestSweepRepairsHoldLeftByKilledLateDuplicate(t *testing.T) {
	for _, buckets := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d buckets", buckets), func(t *testing.T) {
			r := newSweepRig(t)
			restock(t, r.svc, rice, 10, buckets)
			r.reserve(t, "o1", one(rice, 3))
			require.NoError(t, r.svc.Release(ctx, "o1", nil))
			r.orders.set("o1", stock.OrderCancelled, r.clock.now())
			leaveHold(t, r.mem, rice, buckets, 0, "o1", 3)
			require.Equal(t, map[string]int64{"o1": 3}, view(t, r.svc, rice).Holds, "the leak this test is about")

			rep := r.sweep(t)
			assert.Equal(t, 1, rep.Repaired)
			assert.Equal(t, map[stock.Reason]int{stock.ReasonRecordReleased: 1}, rep.ByReason)
			require.Len(t, rep.Fixes, 1)
			assert.Equal(t, stock.Fix{OrderID: "o1", Reason: stock.ReasonRecordReleased, Lines: one(rice, 3)}, rep.Fixes[0])
			assert.Empty(t, view(t, r.svc, rice).Holds)
			assert.EqualValues(t, 10, view(t, r.svc, rice).Available)
			audit(t, r.mem, rice, buckets)
		})
	}
}

// leaveHold writes a hold into bucket i as a killed Reserve leaves it: the bucket only.
func leaveHold(t *testing.T, repo stock.Repository, it stock.Item, n, i int, order string, q int64) {
	t.Helper()
	bs, toks, err := repo.Buckets(ctx, it, n)
	require.NoError(t, err)
	b := bs[i]
	if b.Parts == nil {
		b.Parts = map[string]int64{}
	}
	b.Parts[stock.PartKey(order, "killed")] += q
	b.Available -= q
	require.GreaterOrEqual(t, b.Available, int64(0))
	require.NoError(t, repo.PutBucket(ctx, it, i, b, toks[i]))
}

// Two bodies of one order raced, and the one not recorded was killed holding an item the record
// does not name: when the order ends, released or paid, the sweep gives that hold back too.
func TestSweepReturnsAHoldOnAnItemTheRecordDoesNotName(t *testing.T) {
	for _, paid := range []bool{false, true} {
		t.Run(fmt.Sprintf("paid %v", paid), func(t *testing.T) {
			r := newSweepRig(t)
			restock(t, r.svc, rice, 10, 1)
			restock(t, r.svc, soup, 10, 1)
			r.reserve(t, "o1", one(rice, 3))
			leaveHold(t, r.mem, soup, 1, 0, "o1", 2)
			if paid {
				require.NoError(t, r.svc.Confirm(ctx, "o1"))
				r.orders.set("o1", stock.OrderPaid, r.clock.now())
			} else {
				require.NoError(t, r.svc.Release(ctx, "o1", nil))
				r.orders.set("o1", stock.OrderCancelled, r.clock.now())
			}
			require.Equal(t, map[string]int64{"o1": 2}, view(t, r.svc, soup).Holds, "the stray this test is about")

			rep := r.sweep(t)
			assert.Empty(t, rep.Errors)
			assert.Equal(t, 1, rep.Repaired)
			assert.Empty(t, view(t, r.svc, soup).Holds)
			assert.EqualValues(t, 10, view(t, r.svc, soup).Available)
			if paid {
				assert.EqualValues(t, 3, view(t, r.svc, rice).Sold)
			} else {
				assert.EqualValues(t, 10, view(t, r.svc, rice).Available)
			}
			audit(t, r.mem, soup, 1)
		})
	}
}

// A sold-out record with a hold left (a duplicate that held rice, killed before it met the
// record), and a confirmed record with a hold left (a Confirm killed half-way): both follow the
// record, whatever the order service says (the sold-out checkout stored no order, so its hold
// waits the payment timeout like any hold of an unknown order).
func TestSweepMakesHoldsFollowFinalRecords(t *testing.T) {
	r := newSweepRig(t)
	restock(t, r.svc, rice, 10, 1)
	restock(t, r.svc, soup, 1, 1)
	_, err := r.svc.Reserve(ctx, "soldout", []stock.Line{{Item: rice, Quantity: 2}, {Item: soup, Quantity: 2}})
	var so *stock.SoldOutError
	require.ErrorAs(t, err, &so)
	leaveHold(t, r.mem, rice, 1, 0, "soldout", 2)
	r.reserve(t, "paid", one(rice, 3))
	res, tok, err := r.mem.Reservation(ctx, "paid") // a Confirm killed after its first write
	require.NoError(t, err)
	res.Status = stock.Confirmed
	require.NoError(t, r.mem.PutReservation(ctx, res, tok))
	r.orders.set("paid", stock.OrderCancelled, r.clock.now()) // the record wins over the order
	rep := r.sweep(t)
	assert.Equal(t, map[stock.Reason]int{stock.ReasonRecordConfirmed: 1}, rep.ByReason)
	assert.Equal(t, 1, rep.Waiting)
	r.clock.add(payTimeout + time.Minute + time.Second)
	rep = r.sweep(t)
	assert.Equal(t, map[stock.Reason]int{stock.ReasonRecordSoldOut: 1}, rep.ByReason)
	assert.Equal(t, 1, rep.Repaired)
	assert.Zero(t, rep.Waiting)
	v := view(t, r.svc, rice)
	assert.Empty(t, v.Holds)
	assert.EqualValues(t, 3, v.Sold, "the paid order's units are sold once")
	assert.EqualValues(t, 7, v.Available)
	audit(t, r.mem, rice, 1)
}

// An order the order service does not know (a checkout that died between reserving and storing
// its order, or a Reserve killed before recording) is released only once it has been seen absent
// for longer than the payment timeout and margin, and the clock survives a restart of inventory.
func TestSweepReleasesHoldsOfMissingOrdersAfterThePaymentTimeout(t *testing.T) {
	for _, recorded := range []bool{true, false} {
		t.Run(fmt.Sprintf("recorded=%v", recorded), func(t *testing.T) {
			r := newSweepRig(t)
			restock(t, r.svc, rice, 10, 2)
			if recorded {
				r.reserve(t, "ghost", one(rice, 3))
			} else {
				leaveHold(t, r.mem, rice, 2, 1, "ghost", 3) // a Reserve killed before its record
			}
			r.repo.records.Store(0)
			first := r.sweep(t)
			assert.Equal(t, 1, first.Waiting)
			assert.Zero(t, first.Released)
			assert.Zero(t, r.repo.records.Load(), "a waiting hold costs no record read")

			r.clock.add(payTimeout)
			restarted := r.reconciler(t) // the clock is in the store, not in the replica
			rep, err := restarted.Sweep(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, rep.Waiting, "within the margin: a checkout may still store it")
			assert.EqualValues(t, 3, view(t, r.svc, rice).Holds["ghost"])

			r.clock.add(time.Minute + time.Second)
			rep, err = restarted.Sweep(ctx)
			require.NoError(t, err)
			assert.Equal(t, map[stock.Reason]int{stock.ReasonMissing: 1}, rep.ByReason)
			assert.Zero(t, rep.Waiting)
			assert.Empty(t, view(t, r.svc, rice).Holds)
			assert.EqualValues(t, 10, view(t, r.svc, rice).Available)
			_, err = r.svc.Reserve(ctx, "ghost", one(rice, 3))
			assert.ErrorIs(t, err, stock.ErrReleased, "the release left a tombstone")
			st, _, err := r.mem.SweepState(ctx)
			require.NoError(t, err)
			assert.Empty(t, st.FirstAbsent, "a released order's clock is dropped")
		})
	}
}

// A clock is kept only while its order is unknown and holding: an order that shows up stops it.
func TestSweepForgetsAnAbsentOrderThatAppears(t *testing.T) {
	r := newSweepRig(t)
	restock(t, r.svc, rice, 10, 1)
	r.reserve(t, "slow", one(rice, 1))
	assert.Equal(t, 1, r.sweep(t).Waiting)
	r.orders.set("slow", stock.OrderPending, r.clock.now())
	r.clock.add(payTimeout / 2)
	rep := r.sweep(t)
	assert.Zero(t, rep.Waiting)
	st, _, err := r.mem.SweepState(ctx)
	require.NoError(t, err)
	assert.Empty(t, st.FirstAbsent)
	assert.Equal(t, map[string]int64{"slow": 1}, view(t, r.svc, rice).Holds)
}

// A paid order whose payment event was lost has its stock sold; an unpaid one well past its
// payment timeout (its expiry job lost) has it released.
func TestSweepSellsPaidAndReleasesOverdueOrders(t *testing.T) {
	r := newSweepRig(t)
	restock(t, r.svc, rice, 10, 1)
	r.reserve(t, "paid", one(rice, 2))
	r.reserve(t, "overdue", one(rice, 3))
	r.reserve(t, "due-soon", one(rice, 1))
	now := r.clock.now()
	r.orders.set("paid", stock.OrderPaid, now)
	r.orders.set("overdue", stock.OrderPending, now.Add(-payTimeout-2*time.Minute))
	r.orders.set("due-soon", stock.OrderPending, now.Add(-payTimeout))
	rep := r.sweep(t)
	assert.Equal(t, map[stock.Reason]int{stock.ReasonPaid: 1, stock.ReasonOverdue: 1}, rep.ByReason)
	assert.Equal(t, 1, rep.Confirmed)
	assert.Equal(t, 1, rep.Released)
	v := view(t, r.svc, rice)
	assert.EqualValues(t, 2, v.Sold)
	assert.Equal(t, map[string]int64{"due-soon": 1}, v.Holds)
	assert.ErrorIs(t, r.svc.Confirm(ctx, "overdue"), stock.ErrReleased)
}

// The order service unreachable: nothing is released on a guess, the fault is reported, and the
// clocks of absent orders keep running.
func TestSweepWithoutOrderServiceChangesNothing(t *testing.T) {
	r := newSweepRig(t)
	restock(t, r.svc, rice, 10, 1)
	r.reserve(t, "o1", one(rice, 2))
	r.sweep(t) // o1 unknown: its clock starts
	r.orders.err = errors.New("order service down")
	r.clock.add(payTimeout + 2*time.Minute)
	rep := r.sweep(t)
	assert.Equal(t, 1, rep.Errors)
	assert.Contains(t, rep.ErrorSamples[0], "order service down")
	assert.Zero(t, rep.Released)
	assert.Equal(t, map[string]int64{"o1": 2}, view(t, r.svc, rice).Holds)

	r.orders.err = nil
	rep = r.sweep(t)
	assert.Equal(t, map[stock.Reason]int{stock.ReasonMissing: 1}, rep.ByReason, "its clock ran on through the outage")
}

// Holders are asked about in pages, each order once per sweep.
func TestSweepAsksTheOrderServiceInPages(t *testing.T) {
	r := newSweepRig(t)
	restock(t, r.svc, rice, 500, 8)
	restock(t, r.svc, soup, 500, 1)
	for i := range 450 {
		r.reserve(t, fmt.Sprintf("o%03d", i), []stock.Line{{Item: rice, Quantity: 1}, {Item: soup, Quantity: 1}})
		r.orders.set(fmt.Sprintf("o%03d", i), stock.OrderPending, r.clock.now())
	}
	r.repo.records.Store(0)
	rep := r.sweep(t)
	assert.Equal(t, 900, rep.Holds)
	assert.Equal(t, 450, rep.Orders)
	assert.Equal(t, 3, r.orders.calls, "450 orders in pages of 200")
	assert.Len(t, r.orders.asked, 450)
	for id, n := range r.orders.asked {
		assert.Equal(t, 1, n, id)
	}
	assert.Zero(t, r.repo.records.Load(), "live orders cost no record read")
}

// Two replicas sweeping at once, while customers cancel and reserve: every unit of every ended
// order comes back once, and the stock balances throughout.
func TestConcurrentSweepsOnTwoReplicasReleaseOnce(t *testing.T) {
	r := newSweepRig(t)
	restock(t, r.svc, rice, 200, 4)
	for i := range 100 {
		id := fmt.Sprintf("c%d", i)
		r.reserve(t, id, one(rice, 1))
		r.orders.set(id, stock.OrderCancelled, r.clock.now())
	}
	other := r.reconciler(t)
	var wg sync.WaitGroup
	reports := make([]stock.Report, 4)
	for i := range reports {
		wg.Go(func() {
			rec := r.rec
			if i%2 == 1 {
				rec = other
			}
			rep, err := rec.Sweep(ctx)
			assert.NoError(t, err)
			reports[i] = rep
		})
	}
	wg.Go(func() {
		for i := range 50 {
			_, err := r.svc.Reserve(ctx, fmt.Sprintf("live%d", i), one(rice, 1))
			assert.NoError(t, err)
		}
	})
	wg.Wait()
	v := view(t, r.svc, rice)
	assert.Len(t, v.Holds, 50)
	assert.EqualValues(t, 150, v.Available)
	audit(t, r.mem, rice, 4)
	released := 0
	for _, rep := range reports {
		released += rep.Released
		assert.Zero(t, rep.Errors, rep.ErrorSamples)
	}
	assert.GreaterOrEqual(t, released, 100, "every cancelled order released by some sweep")
}

// The last report is kept in the store, for GET /ops/reconcile on any replica.
func TestLastReportIsKeptInTheStore(t *testing.T) {
	r := newSweepRig(t)
	_, err := r.rec.LastReport(ctx)
	assert.ErrorIs(t, err, stock.ErrNotFound)
	restock(t, r.svc, rice, 10, 1)
	r.reserve(t, "o1", one(rice, 1))
	r.orders.set("o1", stock.OrderExpired, r.clock.now())
	rep := r.sweep(t)
	got, err := r.reconciler(t).LastReport(ctx)
	require.NoError(t, err)
	assert.Equal(t, rep, got)
	assert.Equal(t, 1, got.ByReason[stock.ReasonExpired])
}

// Restock indexes the item once; the sweep reads the items of recent and future dates, and of past
// dates restocked lately, and prunes the dates that left that window.
func TestItemIndexWindow(t *testing.T) {
	r := newSweepRig(t)
	today := r.clock.now()
	day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
	for _, d := range []int{-10, -1, 0, 30} {
		restock(t, r.svc, stock.Item{StoreID: "s1", DishID: "rice", Period: day(d) + ".lunch"}, 5, 1)
	}
	writes := r.repo.indexWrites.Load()
	restock(t, r.svc, stock.Item{StoreID: "s1", DishID: "rice", Period: day(0) + ".lunch"}, 5, 1)
	assert.Equal(t, writes, r.repo.indexWrites.Load(), "a repeated restock writes no index")

	assert.Equal(t, 4, r.sweep(t).Items, "the 10-day-old date was restocked just now")
	r.clock.add(4 * 24 * time.Hour)
	assert.Equal(t, 1, r.sweep(t).Items, "4 days on, only the future date")
	dates, _, err := r.mem.IndexedDates(ctx)
	require.NoError(t, err)
	var names []string
	for _, d := range dates {
		names = append(names, d.Date)
	}
	slices.Sort(names)
	assert.Equal(t, []string{day(30)}, names)
}
