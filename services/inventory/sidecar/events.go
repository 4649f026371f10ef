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

// OrdersRoute releases the stock of cancelled and expired orders and sells that of paid ones.
// Delivery is at least once; Release and Confirm are idempotent, so a duplicate changes nothing.
func OrdersRoute(svc *stock.Service) subscribe.Route {
	return subscribe.Route{Topic: event.TopicOrders, Path: "/events/orders", Handle: func(ctx context.Context, _ string, data json.RawMessage) error {
		var e event.Order
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		var err error
		switch e.Type {
		case event.OrderCancelled, event.OrderExpired:
			lines := make([]stock.Line, len(e.Items))
			for i, it := range e.Items {
				lines[i] = stock.Line{Item: stock.Item{StoreID: e.StoreID, DishID: it.DishID, Period: e.Period}, Quantity: it.Quantity}
			}
			err = svc.Release(ctx, e.OrderID, lines)
		case event.OrderPaid:
			err = svc.Confirm(ctx, e.OrderID)
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
