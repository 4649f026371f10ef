package ordering_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/order/ordering"
)

func TestACheckoutAtABusyKitchenIsPlacedWithAWarningThatIsNotStored(t *testing.T) {
	ctx := context.Background()
	f := setupWith(fakeMenu{kitchen: ordering.Kitchen{Busy: true, WaitMinutes: 25}})
	o, created, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, ordering.PendingPayment, o.Status, "placed all the same")
	require.Len(t, o.Warnings, 1)
	assert.Equal(t, ordering.WarnKitchenBusy, o.Warnings[0].Code)
	assert.EqualValues(t, 25, o.Warnings[0].WaitMinutes)
	assert.Contains(t, o.Warnings[0].Message, "about 25 minutes")

	stored, _, err := f.repo.Order(ctx, o.ID)
	require.NoError(t, err)
	assert.Empty(t, stored.Warnings, "told at checkout, never stored")
	again, created, err := f.svc.Checkout(ctx, request("k1", 1))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Empty(t, again.Warnings, "a replay answers the stored order")
}

func TestWarningsFollowTheKitchenAsTheMenuShowsIt(t *testing.T) {
	for _, c := range []struct {
		name    string
		kitchen ordering.Kitchen
		want    []ordering.Warning
	}{
		{"no word from the kitchen", ordering.Kitchen{}, nil},
		{"a calm kitchen with a wait", ordering.Kitchen{WaitMinutes: 8}, nil},
		{"busy with an estimate", ordering.Kitchen{Busy: true, WaitMinutes: 40}, []ordering.Warning{{Code: ordering.WarnKitchenBusy,
			Message: "the kitchen is busy: your order is accepted and will take longer than usual, about 40 minutes", WaitMinutes: 40}}},
		{"busy without one", ordering.Kitchen{Busy: true}, []ordering.Warning{{Code: ordering.WarnKitchenBusy,
			Message: "the kitchen is busy: your order is accepted and will take longer than usual"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, _, err := setupWith(fakeMenu{kitchen: c.kitchen}).svc.Checkout(context.Background(), request("k1", 1))
			require.NoError(t, err)
			assert.Equal(t, c.want, o.Warnings)
		})
	}
}

func TestAStoreClosedToOrdersIsRefusedWhateverItsKitchenSays(t *testing.T) {
	_, _, err := setupWith(fakeMenu{busy: true, kitchen: ordering.Kitchen{Busy: true}}).svc.Checkout(context.Background(), request("k1", 1))
	assert.ErrorIs(t, err, ordering.ErrStoreBusy)
}
