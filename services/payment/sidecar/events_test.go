package sidecar_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/payment/paying"
	"github.com/canteen/canteen/services/payment/paying/paytest"
	"github.com/canteen/canteen/services/payment/sidecar"
)

func TestOrdersRouteRefundsOnRefundDueOnlyOnce(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	mem, provider, orders := paytest.NewMemory(), paytest.NewProvider(), paytest.NewOrders()
	orders.Pending("o1", "c1", 2400)
	svc := paying.NewService(paying.Deps{Repository: mem, Index: mem, Publisher: mem, Orders: orders, Provider: provider, Log: quiet}, paying.Config{})
	_, _, err := svc.Create(ctx, "o1", "c1")
	require.NoError(t, err)
	_, err = svc.Notify(ctx, provider.Settle("o1", paying.ProviderSucceeded))
	require.NoError(t, err)
	route := sidecar.OrdersRoute(svc)
	assert.Equal(t, event.TopicOrders, route.Topic)

	msg := func(typ, order string) json.RawMessage {
		raw, err := json.Marshal(map[string]any{"type": typ, "order_id": order, "customer_id": "c1", "store_id": "s1", "period": "2026-11-25.lunch",
			"status": "cancelled", "items": []any{}, "total_cents": 2400, "at": time.Now().UTC(), "reason": "cancelled after payment"})
		require.NoError(t, err)
		return raw
	}
	require.NoError(t, route.Handle(ctx, "e0", msg(event.OrderCancelled, "o1")), "other order events are not payment's")
	assert.Equal(t, []string{event.PaymentSucceeded}, mem.Events("o1"))
	for range 2 {
		require.NoError(t, route.Handle(ctx, "e1", msg(event.OrderRefundDue, "o1")))
	}
	assert.Equal(t, []string{event.PaymentSucceeded, event.PaymentRefunded}, mem.Events("o1"))
	assert.Equal(t, "cancelled after payment", mem.Published[1].Reason)
	_, refunds := provider.Counts()
	assert.Equal(t, 1, refunds)

	assert.ErrorIs(t, route.Handle(ctx, "e2", msg(event.OrderRefundDue, "o9")), subscribe.ErrPoison, "no payment: an operator must look")
	assert.ErrorIs(t, route.Handle(ctx, "e3", json.RawMessage(`"not an order"`)), subscribe.ErrPoison)
}
