package paying_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/payment/paying"
	"github.com/canteen/canteen/services/payment/paying/paytest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is a service over the in-memory store, a fake provider and order service, and a clock
// the test moves.
type fixture struct {
	svc      *paying.Service
	rec      *paying.Reconciler
	mem      *paytest.Memory
	provider *paytest.Provider
	orders   *paytest.Orders
	mu       sync.Mutex
	at       time.Time
}

func newFixture() *fixture {
	f := &fixture{mem: paytest.NewMemory(), provider: paytest.NewProvider(), orders: paytest.NewOrders(), at: time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)}
	f.svc = paying.NewService(paying.Deps{Repository: f.mem, Index: f.mem, Publisher: f.mem, Orders: f.orders, Provider: f.provider, Log: quiet, Now: f.now},
		paying.Config{PendingAfter: 30 * time.Second, AbandonAfter: time.Hour})
	f.rec = paying.NewReconciler(f.svc, f.mem, quiet)
	f.orders.Pending("o1", "c1", 2400)
	return f
}

func (f *fixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.at
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.at = f.at.Add(d)
	f.mu.Unlock()
}

func (f *fixture) intent(t *testing.T, id string) paying.Intent {
	t.Helper()
	in, _, err := f.mem.Intent(context.Background(), id)
	require.NoError(t, err)
	return in
}

// paid creates o1's payment and has the customer pay it; it returns the succeeded notification.
func (f *fixture) paid(t *testing.T) paying.Notice {
	t.Helper()
	_, _, err := f.svc.Create(context.Background(), "o1", "c1")
	require.NoError(t, err)
	n := f.provider.Settle("o1", paying.ProviderSucceeded)
	applied, err := f.svc.Notify(context.Background(), n)
	require.NoError(t, err)
	require.True(t, applied)
	return n
}

func TestCreateTakesTheOrdersTotalAndIsIdempotentByOrder(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	in, created, err := f.svc.Create(ctx, "o1", "c1")
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, paying.Pending, in.Status)
	assert.EqualValues(t, 2400, in.AmountCents, "the order's total, never the client's")
	assert.Equal(t, "txn-o1", in.TxnID)
	assert.Equal(t, "tok-o1", in.PayToken)
	assert.Empty(t, in.Outbox)

	again, created, err := f.svc.Create(ctx, "o1", "c1")
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, in, again)
	creates, _ := f.provider.Counts()
	assert.Equal(t, 1, creates, "a repeat does not go to the provider again")
	assert.Equal(t, 1, f.orders.Calls, "nor to the order service")
	assert.True(t, f.mem.Listed("o1"), "an open intent is listed for the reconciler")
	assert.Empty(t, f.mem.Published, "creating announces nothing")
}

func TestConcurrentCreatesMakeOnePayment(t *testing.T) {
	f := newFixture()
	var wg sync.WaitGroup
	txns := make([]string, 12)
	for i := range txns {
		wg.Go(func() {
			in, _, err := f.svc.Create(context.Background(), "o1", "c1")
			if assert.NoError(t, err) {
				txns[i] = in.TxnID
			}
		})
	}
	wg.Wait()
	for _, txn := range txns {
		assert.Equal(t, "txn-o1", txn)
	}
	assert.Equal(t, paying.Pending, f.intent(t, "o1").Status)
}

func TestCreateRefusals(t *testing.T) {
	f := newFixture()
	f.orders.Put("paid", paying.Order{CustomerID: "c1", Status: "paid", TotalCents: 2400})
	var notPayable *paying.NotPayableError
	var invalid *paying.InvalidError
	cases := []struct {
		name, order, customer string
		check                 func(t *testing.T, err error)
	}{
		{"an order that is not pending payment", "paid", "c1", func(t *testing.T, err error) { assert.ErrorAs(t, err, &notPayable) }},
		{"no such order", "o9", "c1", func(t *testing.T, err error) { assert.ErrorIs(t, err, paying.ErrOrderNotFound) }},
		{"another customer's order", "o1", "c2", func(t *testing.T, err error) { assert.ErrorIs(t, err, paying.ErrOrderNotFound) }},
		{"a malformed order id", "a||b", "c1", func(t *testing.T, err error) {
			require.ErrorAs(t, err, &invalid)
			assert.Equal(t, "order_id", invalid.Field)
		}},
		{"no customer", "o1", "", func(t *testing.T, err error) {
			require.ErrorAs(t, err, &invalid)
			assert.Equal(t, "X-Customer-Id", invalid.Field)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := f.svc.Create(context.Background(), tc.order, tc.customer)
			tc.check(t, err)
		})
	}
	assert.Zero(t, f.mem.WriteCount(), "a refused create writes nothing")
	creates, _ := f.provider.Counts()
	assert.Zero(t, creates)
}

func TestAProviderOutageLeavesTheIntentForARetryToResume(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	f.provider.SetDown(true)
	_, _, err := f.svc.Create(ctx, "o1", "c1")
	require.ErrorIs(t, err, paying.ErrProviderUnavailable)
	in := f.intent(t, "o1")
	assert.Equal(t, paying.Creating, in.Status, "the intent stays")
	assert.True(t, f.mem.Listed("o1"))

	f.provider.SetDown(false)
	in, created, err := f.svc.Create(ctx, "o1", "c1")
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, paying.Pending, in.Status)
	assert.Equal(t, "txn-o1", in.TxnID)
	assert.Equal(t, 1, f.orders.Calls, "the amount was fixed by the first attempt")
}

func TestGetIsTheCustomersOnly(t *testing.T) {
	f := newFixture()
	_, _, err := f.svc.Create(context.Background(), "o1", "c1")
	require.NoError(t, err)
	in, err := f.svc.Get(context.Background(), "o1", "c1")
	require.NoError(t, err)
	assert.Equal(t, "txn-o1", in.TxnID)
	_, err = f.svc.Get(context.Background(), "o1", "c2")
	assert.ErrorIs(t, err, paying.ErrNotFound)
	_, err = f.svc.Get(context.Background(), "o2", "c1")
	assert.ErrorIs(t, err, paying.ErrNotFound)
}

func TestPaymentEventsCarryTheIntent(t *testing.T) {
	f := newFixture()
	f.paid(t)
	require.Len(t, f.mem.Published, 1)
	assert.Equal(t, event.Payment{Type: event.PaymentSucceeded, OrderID: "o1", CustomerID: "c1", TxnID: "txn-o1", AmountCents: 2400,
		Status: "succeeded", At: f.now()}, f.mem.Published[0])
	assert.Empty(t, f.intent(t, "o1").Outbox, "published, then cleared")
}
