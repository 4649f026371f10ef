package ordering_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
