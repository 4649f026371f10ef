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

// refundDue is the part of an order.refund_due event the refund needs. Reason is read on its own
// because event.Order may not carry it (yet): an absent reason is "".
type refundDue struct {
	Reason string `json:"reason"`
}

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
		var extra refundDue
		_ = json.Unmarshal(data, &extra) // decoded above: it is an object
		reason := extra.Reason
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
