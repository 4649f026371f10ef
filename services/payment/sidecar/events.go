package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/payment/paying"
)

// OrdersRoute refunds the payment of orders that hold money they will not serve
// (order.refund_due); other order events are not the payment service's. Delivery is at least
// once; the refund is idempotent by order id, so a duplicate changes nothing.
func OrdersRoute(svc *paying.Service) subscribe.Route {
	return subscribe.Route{Topic: event.TopicOrders, Path: "/events/orders", Handle: func(ctx context.Context, _ string, data json.RawMessage) error {
		var e event.Order
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		if e.Type != event.OrderRefundDue {
			return nil
		}
		reason := e.Reason
		if reason == "" {
			reason = "order " + e.Status
		}
		err := svc.RefundDue(ctx, e.OrderID, reason)
		var inv *paying.InvalidError
		switch {
		case errors.As(err, &inv):
			return fmt.Errorf("refund_due of %q: %w: %w", e.OrderID, subscribe.ErrPoison, err)
		case errors.Is(err, paying.ErrNotFound):
			// The order says it holds money, and no payment of it is known here: redelivery
			// cannot change that. Kept on the dead-letter topic for an operator.
			return fmt.Errorf("refund_due of %s with no payment: %w: %w", e.OrderID, subscribe.ErrPoison, err)
		}
		return err
	}}
}
