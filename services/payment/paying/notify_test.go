package paying_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/payment/paying"
)

func TestNotificationsMoveForwardOnly(t *testing.T) {
	pending := paying.Notice{OrderID: "o1", TxnID: "txn-o1", AmountCents: 2400, Status: paying.ProviderPending, Version: 1}
	succeeded := paying.Notice{OrderID: "o1", TxnID: "txn-o1", AmountCents: 2400, Status: paying.ProviderSucceeded, Version: 2}
	failed := paying.Notice{OrderID: "o1", TxnID: "txn-o1", AmountCents: 2400, Status: paying.ProviderFailed, Version: 2}
	cases := []struct {
		name    string
		notices []paying.Notice
		applied []bool
		status  paying.Status
		events  []string
	}{
		{"paid", []paying.Notice{succeeded}, []bool{true}, paying.Succeeded, []string{event.PaymentSucceeded}},
		{"declined", []paying.Notice{failed}, []bool{true}, paying.Failed, []string{event.PaymentFailed}},
		{"duplicates change nothing", []paying.Notice{succeeded, succeeded, succeeded}, []bool{true, false, false}, paying.Succeeded, []string{event.PaymentSucceeded}},
		{"a stale copy after the news changes nothing", []paying.Notice{succeeded, pending}, []bool{true, false}, paying.Succeeded, []string{event.PaymentSucceeded}},
		{"a version already applied with another status changes nothing", []paying.Notice{succeeded, failed}, []bool{true, false}, paying.Succeeded, []string{event.PaymentSucceeded}},
		{"a pending copy of the version the create answered changes nothing", []paying.Notice{pending}, []bool{false}, paying.Pending, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			_, _, err := f.svc.Create(context.Background(), "o1", "c1")
			require.NoError(t, err)
			for i, n := range tc.notices {
				applied, err := f.svc.Notify(context.Background(), n)
				require.NoError(t, err)
				assert.Equal(t, tc.applied[i], applied, "notice %d", i)
			}
			assert.Equal(t, tc.status, f.intent(t, "o1").Status)
			assert.Equal(t, tc.events, f.mem.Events("o1"))
		})
	}
}

// The provider's out_of_order fault: every copy of every version, concurrently, shuffled.
func TestConcurrentShuffledNotificationsEndInTheNewestStateWithOneEvent(t *testing.T) {
	f := newFixture()
	_, _, err := f.svc.Create(context.Background(), "o1", "c1")
	require.NoError(t, err)
	pending := f.provider.Notice("o1")
	succeeded := f.provider.Settle("o1", paying.ProviderSucceeded)
	var wg sync.WaitGroup
	for i := range 20 {
		n := succeeded
		if i%3 == 0 {
			n = pending
		}
		wg.Go(func() {
			_, err := f.svc.Notify(context.Background(), n)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, paying.Succeeded, f.intent(t, "o1").Status)
	assert.EqualValues(t, 2, f.intent(t, "o1").Version)
	assert.Equal(t, []string{event.PaymentSucceeded}, f.mem.Events("o1"))
}

func TestANotificationThatDisagreesWithTheIntentChangesNothing(t *testing.T) {
	f := newFixture()
	_, _, err := f.svc.Create(context.Background(), "o1", "c1")
	require.NoError(t, err)
	writes := f.mem.WriteCount()
	var mismatch *paying.MismatchError
	for name, n := range map[string]paying.Notice{
		"another amount":      {OrderID: "o1", TxnID: "txn-o1", AmountCents: 1, Status: paying.ProviderSucceeded, Version: 2},
		"another transaction": {OrderID: "o1", TxnID: "txn-forged", AmountCents: 2400, Status: paying.ProviderSucceeded, Version: 2},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.svc.Notify(context.Background(), n)
			assert.ErrorAs(t, err, &mismatch)
		})
	}
	_, err = f.svc.Notify(context.Background(), paying.Notice{OrderID: "o9", TxnID: "txn-o9", AmountCents: 2400, Status: paying.ProviderSucceeded, Version: 2})
	assert.ErrorIs(t, err, paying.ErrNotFound, "an order with no intent")
	assert.Equal(t, writes, f.mem.WriteCount())
	assert.Equal(t, paying.Pending, f.intent(t, "o1").Status)
	assert.Empty(t, f.mem.Published)
}

func TestMalformedNotificationsAreRefusedNamingTheField(t *testing.T) {
	f := newFixture()
	good := paying.Notice{OrderID: "o1", TxnID: "t", AmountCents: 1, Status: paying.ProviderSucceeded, Version: 2}
	var invalid *paying.InvalidError
	for field, change := range map[string]func(*paying.Notice){
		"merchant_order_id": func(n *paying.Notice) { n.OrderID = "a||b" },
		"txn_id":            func(n *paying.Notice) { n.TxnID = "" },
		"status":            func(n *paying.Notice) { n.Status = "lost" },
		"version":           func(n *paying.Notice) { n.Version = 0 },
		"amount_cents":      func(n *paying.Notice) { n.AmountCents = -5 },
	} {
		n := good
		change(&n)
		_, err := f.svc.Notify(context.Background(), n)
		require.ErrorAs(t, err, &invalid, field)
		assert.Equal(t, field, invalid.Field)
	}
}

func TestRefundDueRefundsOnceByOrder(t *testing.T) {
	f := newFixture()
	f.paid(t)
	ctx := context.Background()
	for range 3 { // a redelivered order.refund_due
		require.NoError(t, f.svc.RefundDue(ctx, "o1", "order cancelled after payment"))
	}
	in := f.intent(t, "o1")
	assert.Equal(t, paying.Refunded, in.Status)
	_, refunds := f.provider.Counts()
	assert.Equal(t, 1, refunds)
	assert.Equal(t, []string{event.PaymentSucceeded, event.PaymentRefunded}, f.mem.Events("o1"))
	assert.Equal(t, "order cancelled after payment", f.mem.Published[1].Reason)
	assert.Equal(t, "refunded", f.mem.Published[1].Status)

	// The provider's own notification of the refund comes after: nothing more happens.
	applied, err := f.svc.Notify(ctx, f.provider.Notice("o1"))
	require.NoError(t, err)
	assert.False(t, applied)
	assert.Len(t, f.mem.Published, 2)
}

func TestARefundTheProviderCannotTakeNowIsMadeByTheReconciler(t *testing.T) {
	f := newFixture()
	f.paid(t)
	ctx := context.Background()
	f.provider.SetDown(true)
	require.NoError(t, f.svc.RefundDue(ctx, "o1", "released"), "the due refund is recorded; the message is done")
	assert.Equal(t, paying.RefundPending, f.intent(t, "o1").Status)
	assert.True(t, f.mem.Listed("o1"))

	rep, err := f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Errors, "still down")
	assert.Equal(t, paying.RefundPending, f.intent(t, "o1").Status)

	f.provider.SetDown(false)
	rep, err = f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Refunded)
	assert.Equal(t, paying.Refunded, f.intent(t, "o1").Status)
	assert.Equal(t, []string{event.PaymentSucceeded, event.PaymentRefunded}, f.mem.Events("o1"))
	_, refunds := f.provider.Counts()
	assert.Equal(t, 1, refunds)
}

// A refund asked for before the payment's success was learnt (its notification late) is made as
// soon as the payment succeeds.
func TestARefundDueBeforeThePaymentSucceededIsMadeWhenItDoes(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	_, _, err := f.svc.Create(ctx, "o1", "c1")
	require.NoError(t, err)
	require.NoError(t, f.svc.RefundDue(ctx, "o1", "released"))
	assert.Equal(t, paying.Pending, f.intent(t, "o1").Status)

	_, err = f.svc.Notify(ctx, f.provider.Settle("o1", paying.ProviderSucceeded))
	require.NoError(t, err)
	assert.Equal(t, paying.Refunded, f.intent(t, "o1").Status)
	assert.Equal(t, []string{event.PaymentSucceeded, event.PaymentRefunded}, f.mem.Events("o1"))
}

func TestRefundDueOfAFailedOrUnknownPayment(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	_, _, err := f.svc.Create(ctx, "o1", "c1")
	require.NoError(t, err)
	_, err = f.svc.Notify(ctx, f.provider.Settle("o1", paying.ProviderFailed))
	require.NoError(t, err)
	require.NoError(t, f.svc.RefundDue(ctx, "o1", "cancelled"), "no money was taken: nothing to do")
	_, refunds := f.provider.Counts()
	assert.Zero(t, refunds)
	assert.Equal(t, []string{event.PaymentFailed}, f.mem.Events("o1"))

	assert.ErrorIs(t, f.svc.RefundDue(ctx, "o9", "cancelled"), paying.ErrNotFound)
}

// The outbox: an event whose publish failed stays in the intent and goes out with the
// reconciler's sweep once it is an orphan, exactly once more.
func TestAnEventThatCouldNotBePublishedGoesOutWithTheSweep(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	_, _, err := f.svc.Create(ctx, "o1", "c1")
	require.NoError(t, err)
	f.mem.SetFailPublish(true)
	_, err = f.svc.Notify(ctx, f.provider.Settle("o1", paying.ProviderSucceeded))
	require.NoError(t, err, "the change committed; its event waits")
	in := f.intent(t, "o1")
	assert.Equal(t, paying.Succeeded, in.Status)
	require.Len(t, in.Outbox, 1)

	f.mem.SetFailPublish(false)
	_, err = f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.Empty(t, f.mem.Published, "too young: its writer may still be publishing it")

	f.advance(10 * time.Second)
	_, err = f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{event.PaymentSucceeded}, f.mem.Events("o1"))
	assert.Empty(t, f.intent(t, "o1").Outbox)
	_, err = f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.Len(t, f.mem.Published, 1)
}
