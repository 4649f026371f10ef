package ordering_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/order/ordering"
)

func (f fixture) order(t *testing.T, id string) ordering.Order {
	t.Helper()
	o, err := f.svc.Get(context.Background(), id, "c1")
	require.NoError(t, err)
	return o
}

// A succeeded payment confirms the stock at inventory, then pays the order, once however often
// it is announced.
func TestPaymentSucceededPaysOnce(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 2))
	require.NoError(t, err)
	p := ordering.Payment{OrderID: o.ID, TxnID: "t1", AmountCents: o.TotalCents}
	for range 5 {
		require.NoError(t, f.svc.PaymentSucceeded(ctx, p))
	}
	got := f.order(t, o.ID)
	assert.Equal(t, ordering.Paid, got.Status)
	assert.Equal(t, "t1", got.TxnID)
	assert.Equal(t, 1, f.inv.confirms[o.ID], "a settled payment asks inventory nothing more")
	assert.Equal(t, []string{event.OrderCreated, event.OrderPaid}, f.repo.Events(o.ID))
	require.NoError(t, f.svc.PaymentFailed(ctx, o.ID), "a late failure of another attempt changes nothing")
	assert.Equal(t, ordering.Paid, f.order(t, o.ID).Status)
}

// A payment that arrives after the order expired (inventory released the stock) ends in a
// refund: the order stays expired and announces order.refund_due once.
func TestLatePaymentForAnExpiredOrderIsRefundDue(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	require.NoError(t, f.svc.Expire(ctx, o))
	p := ordering.Payment{OrderID: o.ID, TxnID: "t1", AmountCents: o.TotalCents}
	for range 3 {
		require.NoError(t, f.svc.PaymentSucceeded(ctx, p))
	}
	got := f.order(t, o.ID)
	assert.Equal(t, ordering.Expired, got.Status)
	assert.True(t, got.RefundDue)
	assert.Equal(t, "t1", got.TxnID)
	assert.Zero(t, f.inv.confirms[o.ID])
	assert.Equal(t, []string{event.OrderCreated, event.OrderExpired, event.OrderRefundDue}, f.repo.Events(o.ID))
}

// Inventory's record decides: a pending order whose stock inventory released already (an
// expiry or cancel under way) is not paid; it expires and its money goes back.
func TestPaymentThatInventoryRefusesExpiresTheOrderWithARefund(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	require.NoError(t, f.inv.Release(ctx, o)) // the expiry's release, its process killed after it
	require.NoError(t, f.svc.PaymentSucceeded(ctx, ordering.Payment{OrderID: o.ID, TxnID: "t1", AmountCents: o.TotalCents}))
	got := f.order(t, o.ID)
	assert.Equal(t, ordering.Expired, got.Status)
	assert.True(t, got.RefundDue)
	assert.Equal(t, []string{event.OrderCreated, event.OrderExpired, event.OrderRefundDue}, f.repo.Events(o.ID))
	require.NoError(t, f.svc.Expire(ctx, o), "the expiry's next firing finds it ended")
	assert.Equal(t, []string{event.OrderCreated, event.OrderExpired, event.OrderRefundDue}, f.repo.Events(o.ID))
}

func TestPaymentOfTheWrongAmountIsRefundDue(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	require.NoError(t, f.svc.PaymentSucceeded(ctx, ordering.Payment{OrderID: o.ID, TxnID: "t1", AmountCents: o.TotalCents - 1}))
	assert.True(t, f.order(t, o.ID).RefundDue)
	assert.Zero(t, f.inv.confirms[o.ID])
}

// A failed payment cancels the pending order and releases its stock, once.
func TestPaymentFailedCancelsAndReleases(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	for range 3 {
		require.NoError(t, f.svc.PaymentFailed(ctx, o.ID))
	}
	got := f.order(t, o.ID)
	assert.Equal(t, ordering.Cancelled, got.Status)
	assert.Equal(t, "the payment failed", got.Reason)
	assert.Equal(t, 1, f.inv.released(o.ID))
	assert.Equal(t, []string{event.OrderCreated, event.OrderCancelled}, f.repo.Events(o.ID))
}

// Cancelling a paid order before the store accepts it cancels and announces the refund in one
// write; inventory is not asked to release sold stock (order.refund_due returns it).
func TestCancelOfAPaidOrderIsRefundDue(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	require.NoError(t, f.svc.PaymentSucceeded(ctx, ordering.Payment{OrderID: o.ID, TxnID: "t1", AmountCents: o.TotalCents}))
	got, err := f.svc.Cancel(ctx, o.ID, "c1")
	require.NoError(t, err)
	assert.Equal(t, ordering.Cancelled, got.Status)
	assert.True(t, got.RefundDue)
	assert.Zero(t, f.inv.released(o.ID))
	assert.Equal(t, []string{event.OrderCreated, event.OrderPaid, event.OrderCancelled, event.OrderRefundDue}, f.repo.Events(o.ID))
	require.NoError(t, f.svc.PaymentSucceeded(ctx, ordering.Payment{OrderID: o.ID, TxnID: "t1", AmountCents: o.TotalCents}),
		"a late copy of the payment changes nothing")
	assert.Len(t, f.repo.Events(o.ID), 4)
}

// Reordered: the failure of a payment arrives after the order expired; nothing changes.
func TestPaymentEventsInAnyOrderAfterTheEnd(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o, _, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	f.clock.Advance(2 * time.Minute)
	require.NoError(t, f.svc.Expire(ctx, o))
	require.NoError(t, f.svc.PaymentFailed(ctx, o.ID))
	assert.Equal(t, ordering.Expired, f.order(t, o.ID).Status)
	assert.Equal(t, []string{event.OrderCreated, event.OrderExpired}, f.repo.Events(o.ID))
}
