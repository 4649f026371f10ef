package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/inventory/stock"
)

// OrdersRoute releases the stock of cancelled and expired orders and gives back what refunded
// orders had sold (order.refund_due). A paid order's stock is confirmed by the order service's
// request before the order is paid, not by an event; a paid order's order.cancelled (it has a
// txn_id) is followed by its order.refund_due, which returns its units. Delivery is at least once;
// Release and Return are idempotent, so a duplicate changes nothing.
func OrdersRoute(svc *stock.Service) subscribe.Route {
	return subscribe.Route{Topic: event.TopicOrders, Path: "/events/orders", Handle: func(ctx context.Context, _ string, data json.RawMessage) error {
		var e event.Order
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		var err error
		switch e.Type {
		case event.OrderCancelled, event.OrderExpired:
			if e.TxnID != "" {
				return nil // it was paid: its order.refund_due returns the units
			}
			lines := make([]stock.Line, len(e.Items))
			for i, it := range e.Items {
				lines[i] = stock.Line{Item: stock.Item{StoreID: e.StoreID, DishID: it.DishID, Period: e.Period}, Quantity: it.Quantity}
			}
			err = svc.Release(ctx, e.OrderID, lines)
		case event.OrderRefundDue:
			err = svc.Return(ctx, e.OrderID)
		default:
			return nil
		}
		var (
			inv     *stock.InvalidError
			soldOut *stock.SoldOutError
		)
		switch {
		case errors.As(err, &inv):
			return fmt.Errorf("order event %s of %s: %w: %w", e.Type, e.OrderID, subscribe.ErrPoison, err)
		case errors.Is(err, stock.ErrConfirmed), errors.Is(err, stock.ErrReleased), errors.Is(err, stock.ErrNotFound), errors.As(err, &soldOut):
			// Inventory's record says otherwise (a cancel for units already sold, a payment for
			// units already released or never held): its record stands, and redelivery cannot
			// change it. Never acked silently: the message goes to the dead-letter topic, where
			// it is kept and listed for an operator (and the payment side refunds).
			return fmt.Errorf("order event %s of %s disagrees with inventory's record: %w: %w", e.Type, e.OrderID, subscribe.ErrPoison, err)
		}
		return err
	}}
}
