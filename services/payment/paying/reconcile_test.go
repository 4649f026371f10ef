package paying_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/payment/paying"
)

// The provider's lose fault: no notification ever comes. The sweep asks the provider about an
// intent pending longer than PendingAfter and settles it as the notification would have.
func TestALostNotificationIsSettledByTheReconciler(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	_, _, err := f.svc.Create(ctx, "o1", "c1")
	require.NoError(t, err)
	f.provider.Settle("o1", paying.ProviderSucceeded) // paid; its notification lost

	rep, err := f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, rep.Polled, "not pending long enough: the notification may still come")
	assert.Equal(t, paying.Pending, f.intent(t, "o1").Status)

	f.advance(31 * time.Second)
	rep, err = f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Polled)
	assert.Equal(t, 1, rep.Settled)
	assert.Equal(t, paying.Succeeded, f.intent(t, "o1").Status)
	assert.Equal(t, []string{event.PaymentSucceeded}, f.mem.Events("o1"))

	// The late notification, when it does come, changes nothing.
	applied, err := f.svc.Notify(ctx, f.provider.Notice("o1"))
	require.NoError(t, err)
	assert.False(t, applied)
	assert.Len(t, f.mem.Published, 1)
}

// A creation the provider never got (it was down, and the customer never retried) is made by the
// reconciler, once.
func TestACreationTheProviderNeverGotIsResumedByTheReconciler(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	f.provider.SetDown(true)
	_, _, err := f.svc.Create(ctx, "o1", "c1")
	require.ErrorIs(t, err, paying.ErrProviderUnavailable)
	f.provider.SetDown(false)

	f.advance(31 * time.Second)
	rep, err := f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Resumed)
	in := f.intent(t, "o1")
	assert.Equal(t, paying.Pending, in.Status)
	assert.Equal(t, "txn-o1", in.TxnID)
	creates, _ := f.provider.Counts()
	assert.Equal(t, 1, creates)
}

func TestSettledIntentsAndStrayMarksLeaveTheIndexAfterTheGrace(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	f.paid(t)
	require.NoError(t, f.mem.Mark(ctx, "ghost", f.now())) // a create that died before its write
	_, err := f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.True(t, f.mem.Listed("o1"), "a young mark may belong to a write in flight")
	assert.True(t, f.mem.Listed("ghost"))

	f.advance(2 * time.Minute)
	rep, err := f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Unlisted)
	assert.False(t, f.mem.Listed("o1"))
	assert.False(t, f.mem.Listed("ghost"))

	// A refund due later lists it again, so the reconciler sees it if the provider is down.
	f.provider.SetDown(true)
	require.NoError(t, f.svc.RefundDue(ctx, "o1", "cancelled"))
	assert.True(t, f.mem.Listed("o1"))
	f.provider.SetDown(false)
	f.advance(2 * time.Minute)
	rep, err = f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Refunded)
	assert.Equal(t, 0, rep.Unlisted, "read as refund_pending: unlisted by the next sweep")
	_, err = f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.False(t, f.mem.Listed("o1"))
	last, err := f.rec.LastReport(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, last.Unlisted)
}

// An intent unpaid past AbandonAfter stops being polled; a payment that still comes settles it,
// and a refund due on it is made.
func TestAnUnpaidIntentIsAbandonedYetALatePaymentStillCounts(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	_, _, err := f.svc.Create(ctx, "o1", "c1")
	require.NoError(t, err)
	f.advance(61 * time.Minute)
	rep, err := f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Abandoned)
	assert.Equal(t, paying.Abandoned, f.intent(t, "o1").Status)
	f.advance(2 * time.Minute)
	_, err = f.rec.Sweep(ctx)
	require.NoError(t, err)
	assert.False(t, f.mem.Listed("o1"))

	_, err = f.svc.Notify(ctx, f.provider.Settle("o1", paying.ProviderSucceeded))
	require.NoError(t, err)
	assert.Equal(t, paying.Succeeded, f.intent(t, "o1").Status)
	require.NoError(t, f.svc.RefundDue(ctx, "o1", "the order had expired"))
	assert.Equal(t, paying.Refunded, f.intent(t, "o1").Status)
	assert.Equal(t, []string{event.PaymentSucceeded, event.PaymentRefunded}, f.mem.Events("o1"))
}

func TestLastReportBeforeAnySweepIsNotFound(t *testing.T) {
	_, err := newFixture().rec.LastReport(context.Background())
	assert.ErrorIs(t, err, paying.ErrNotFound)
}

// The provider took the creation but its answer was lost (a crash, a timeout): the reconciler
// creates again, which the provider answers with the payment it holds, pay token included; the
// customer's repeat gets the token too.
func TestAPaymentLearntByTheReconcilerStillGivesTheCustomerItsPayToken(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	f.provider.SetDown(true)
	_, _, err := f.svc.Create(ctx, "o1", "c1")
	require.ErrorIs(t, err, paying.ErrProviderUnavailable)
	f.provider.SetDown(false)
	_, err = f.provider.Create(ctx, "o1", 2400) // what the lost answer had done
	require.NoError(t, err)

	f.advance(31 * time.Second)
	_, err = f.rec.Sweep(ctx)
	require.NoError(t, err)
	in := f.intent(t, "o1")
	assert.Equal(t, paying.Pending, in.Status)
	assert.Equal(t, "tok-o1", in.PayToken, "the repeated creation answers the token")
	assert.Equal(t, 2, f.provider.Creates, "created again, not looked up: a lookup's 404 would count against the breaker")

	in, created, err := f.svc.Create(ctx, "o1", "c1")
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, "tok-o1", in.PayToken)
}
