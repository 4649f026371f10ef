package ordering_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/order/ordering"
)

func TestStatusesAnswersKnownOrdersOnly(t *testing.T) {
	ctx := context.Background()
	svc := setup().svc
	a, _, err := svc.Checkout(ctx, request("a", 1))
	require.NoError(t, err)
	b, _, err := svc.Checkout(ctx, request("b", 1))
	require.NoError(t, err)
	_, err = svc.Cancel(ctx, b.ID, "c1")
	require.NoError(t, err)

	got, err := svc.Statuses(ctx, []string{a.ID, b.ID, "never-placed"})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, ordering.PendingPayment, got[a.ID].Status)
	assert.Equal(t, ordering.Cancelled, got[b.ID].Status)
	assert.Equal(t, a.CreatedAt, got[a.ID].CreatedAt)
}

// The reconciler's question is the way out for an order whose expiry job was never scheduled (its
// process died with the job queued): one unpaid past its payment time is expired, announced and
// answered expired; one still within it, or paid, is answered as it is.
func TestStatusesExpiresAnOrderUnpaidPastItsPaymentTime(t *testing.T) {
	ctx := context.Background()
	f := setup()
	late, _, err := f.svc.Checkout(ctx, request("late", 1))
	require.NoError(t, err)
	paid, _, err := f.svc.Checkout(ctx, request("paid", 1))
	require.NoError(t, err)
	require.NoError(t, f.svc.PaymentSucceeded(ctx, ordering.Payment{OrderID: paid.ID, TxnID: "t-paid", AmountCents: paid.TotalCents}))
	f.clock.Advance(30 * time.Second)
	fresh, _, err := f.svc.Checkout(ctx, request("fresh", 1))
	require.NoError(t, err)
	f.clock.Advance(f.svc.PaymentTimeout() - 30*time.Second) // the first two's payment time is up

	got, err := f.svc.Statuses(ctx, []string{late.ID, paid.ID, fresh.ID})
	require.NoError(t, err)
	assert.Equal(t, ordering.Expired, got[late.ID].Status)
	assert.Equal(t, ordering.Paid, got[paid.ID].Status)
	assert.Equal(t, ordering.PendingPayment, got[fresh.ID].Status)
	assert.Equal(t, []string{event.OrderCreated, event.OrderExpired}, f.repo.Events(late.ID))
	stored, err := f.svc.Get(ctx, late.ID, "c1")
	require.NoError(t, err)
	assert.Equal(t, ordering.Expired, stored.Status) // the reconciler that asked returns its stock
}

func TestStatusesRefusesBadIds(t *testing.T) {
	svc := setup().svc
	for name, tc := range map[string]struct {
		ids   []string
		field string
	}{
		"bad charset": {[]string{"ok", "a||b"}, "order_ids[1]"},
		"too long":    {[]string{strings.Repeat("x", 65)}, "order_ids[0]"},
		"too many":    {make([]string, ordering.MaxStatuses+1), "order_ids"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := svc.Statuses(context.Background(), tc.ids)
			var inv *ordering.InvalidError
			require.ErrorAs(t, err, &inv)
			assert.Equal(t, tc.field, inv.Field)
		})
	}
}
