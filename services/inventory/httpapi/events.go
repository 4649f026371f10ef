package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/inventory/stock"
)

// ordersRoute releases the stock of cancelled and expired orders and sells that of paid ones.
// Delivery is at least once; Release and Confirm are idempotent, so a duplicate changes nothing.
func ordersRoute(svc *stock.Service) subscribe.Route {
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
			// The order's stock already took the other way (paid before the cancel landed, or the
			// reverse, or never reserved): that outcome stands, redelivery cannot change it, and
			// the payment side reconciles with a refund.
			return nil
		}
		return err
	}}
}
