package ordering_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/order/ordering"
)

func (f fixture) paid(t *testing.T, key string) ordering.Order {
	t.Helper()
	ctx := context.Background()
	o, _, err := f.svc.Checkout(ctx, request(key, 1))
	require.NoError(t, err)
	require.NoError(t, f.svc.PaymentSucceeded(ctx, ordering.Payment{OrderID: o.ID, TxnID: "t-" + key, AmountCents: o.TotalCents}))
	return o
}

// The order follows its ticket forward, each status announced once, whatever the delivery order:
// a ready that overtakes its accepted takes the order through accepted, and the late accepted,
// like every repeat, changes nothing.
func TestTheOrderFollowsItsTicketForwardOnly(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o := f.paid(t, "k1")
	require.NoError(t, f.svc.TicketMoved(ctx, o.ID, ordering.Ready))
	assert.Equal(t, ordering.Ready, f.order(t, o.ID).Status)
	for _, to := range []ordering.Status{ordering.Accepted, ordering.Ready, ordering.Accepted} {
		require.NoError(t, f.svc.TicketMoved(ctx, o.ID, to))
	}
	assert.Equal(t, ordering.Ready, f.order(t, o.ID).Status)
	require.NoError(t, f.svc.TicketMoved(ctx, o.ID, ordering.Completed))
	require.NoError(t, f.svc.TicketMoved(ctx, o.ID, ordering.Completed))
	assert.Equal(t, ordering.Completed, f.order(t, o.ID).Status)
	assert.Equal(t, []string{event.OrderCreated, event.OrderPaid, event.OrderAccepted, event.OrderReady, event.OrderCompleted}, f.repo.Events(o.ID))

	var illegal *ordering.IllegalTransitionError
	assert.ErrorAs(t, f.svc.TicketMoved(ctx, o.ID, ordering.Expired), &illegal, "not a ticket's move")
	assert.ErrorIs(t, f.svc.TicketMoved(ctx, "nobody", ordering.Accepted), ordering.ErrNotFound)
}

// The store's rejection cancels a paid or accepted order with its refund due, once; a customer
// may cancel a paid order but not an accepted one, and a ticket that moves after the customer's
// cancel leaves the order cancelled.
func TestARejectedOrderIsCancelledWithItsRefundDueOnce(t *testing.T) {
	ctx := context.Background()
	f := setup()
	o := f.paid(t, "k1")
	require.NoError(t, f.svc.TicketMoved(ctx, o.ID, ordering.Accepted))
	_, err := f.svc.Cancel(ctx, o.ID, "c1")
	var illegal *ordering.IllegalTransitionError
	require.ErrorAs(t, err, &illegal, "the store accepted it: only the store's rejection cancels it now")
	for range 3 {
		require.NoError(t, f.svc.TicketRejected(ctx, o.ID, "out of rice"))
	}
	got := f.order(t, o.ID)
	assert.Equal(t, ordering.Cancelled, got.Status)
	assert.True(t, got.RefundDue)
	assert.Equal(t, "rejected by the store: out of rice", got.Reason)
	assert.Equal(t, []string{event.OrderCreated, event.OrderPaid, event.OrderAccepted, event.OrderCancelled, event.OrderRefundDue}, f.repo.Events(o.ID))

	cancelled := f.paid(t, "k2")
	_, err = f.svc.Cancel(ctx, cancelled.ID, "c1")
	require.NoError(t, err)
	require.NoError(t, f.svc.TicketMoved(ctx, cancelled.ID, ordering.Accepted))
	require.NoError(t, f.svc.TicketRejected(ctx, cancelled.ID, ""))
	assert.Equal(t, ordering.Cancelled, f.order(t, cancelled.ID).Status)
	assert.Equal(t, []string{event.OrderCreated, event.OrderPaid, event.OrderCancelled, event.OrderRefundDue}, f.repo.Events(cancelled.ID))

	unpaid, _, err := f.svc.Checkout(ctx, request("k3", 1))
	require.NoError(t, err)
	require.NoError(t, f.svc.TicketRejected(ctx, unpaid.ID, ""))
	assert.Equal(t, ordering.PendingPayment, f.order(t, unpaid.ID).Status, "no ticket exists for an unpaid order")
}

// A delivery order carries where it goes into its events; its ticket picked up by the rider
// leaves it ready, and the rider's delivery completes it (once). A pickup order ignores a
// delivery.
func TestADeliveryOrderCompletesWhenDeliveredNotWhenPickedUp(t *testing.T) {
	ctx := context.Background()
	f := setup()
	req := request("d1", 1)
	req.Delivery = &ordering.Delivery{Zone: "west", Building: "Dorm 5"}
	o, _, err := f.svc.Checkout(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, req.Delivery, o.Delivery)
	require.NoError(t, f.svc.PaymentSucceeded(ctx, ordering.Payment{OrderID: o.ID, TxnID: "t-d1", AmountCents: o.TotalCents}))
	require.NoError(t, f.svc.TicketMoved(ctx, o.ID, ordering.Completed))
	assert.Equal(t, ordering.Ready, f.order(t, o.ID).Status, "picked up by its rider: on its way")
	for range 2 {
		require.NoError(t, f.svc.Delivered(ctx, o.ID))
	}
	assert.Equal(t, ordering.Completed, f.order(t, o.ID).Status)
	assert.Equal(t, []string{event.OrderCreated, event.OrderPaid, event.OrderAccepted, event.OrderReady, event.OrderCompleted}, f.repo.Events(o.ID))
	for _, e := range f.repo.Published {
		if e.OrderID == o.ID {
			assert.Equal(t, &event.Delivery{Zone: "west", Building: "Dorm 5"}, e.Delivery, "%s says where it goes", e.Type)
		}
	}

	pickup := f.paid(t, "p1")
	require.NoError(t, f.svc.Delivered(ctx, pickup.ID))
	assert.Equal(t, ordering.Paid, f.order(t, pickup.ID).Status)

	_, _, err = f.svc.Checkout(ctx, req)
	require.NoError(t, err, "a replay with the same delivery")
	other := req
	other.Delivery = &ordering.Delivery{Zone: "west", Building: "Dorm 6"}
	_, _, err = f.svc.Checkout(ctx, other)
	assert.ErrorIs(t, err, ordering.ErrKeyReused, "another address is another request")
	bad := request("d2", 1)
	bad.Delivery = &ordering.Delivery{Zone: "west", Building: "\x00"}
	_, _, err = f.svc.Checkout(ctx, bad)
	var invalid *ordering.InvalidError
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, "delivery.building", invalid.Field)
}
