package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/order/ordering"
)

// PaymentsRoute settles payment outcomes on their orders: a succeeded payment pays the order (or,
// too late, is announced for a refund), a failed one cancels it. Delivery is at least once and in
// no set order; the order's status and refund mark make every repeat a no-op.
func PaymentsRoute(svc *ordering.Service) subscribe.Route {
	return subscribe.Route{Topic: event.TopicPayments, Path: "/events/payments", Handle: func(ctx context.Context, _ string, data json.RawMessage) error {
		var e event.Payment
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		if !apierr.ValidID(e.OrderID) {
			return fmt.Errorf("payment event %s names no valid order id %q: %w", e.Type, e.OrderID, subscribe.ErrPoison)
		}
		var err error
		switch e.Type {
		case event.PaymentSucceeded:
			err = svc.PaymentSucceeded(ctx, ordering.Payment{OrderID: e.OrderID, TxnID: e.TxnID, AmountCents: e.AmountCents})
		case event.PaymentFailed:
			err = svc.PaymentFailed(ctx, e.OrderID)
		default:
			return nil // payment.refunded, and types added later: nothing for the order to do
		}
		if errors.Is(err, ordering.ErrNotFound) || errors.Is(err, ordering.ErrStockSold) {
			// A payment for an order this service never stored, or a failure for an order whose
			// stock inventory sold: redelivery cannot change either; kept for an operator.
			return fmt.Errorf("payment event %s of %s: %w: %w", e.Type, e.OrderID, subscribe.ErrPoison, err)
		}
		return err
	}}
}
