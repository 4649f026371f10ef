package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/subscribe"
)

// OrdersRoute makes a job of every paid delivery order (order.paid with a delivery; pickup
// orders are not the delivery service's) and cancels the job of a cancelled paid order. Delivery is at
// least once; both are idempotent by order id.
func OrdersRoute(svc *dispatch.Service) subscribe.Route {
	return subscribe.Route{Topic: event.TopicOrders, Path: "/events/orders", Handle: func(ctx context.Context, _ string, data json.RawMessage) error {
		var e event.Order
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		switch {
		case e.Type == event.OrderPaid && e.Delivery != nil:
			return poison(e.Type, e.OrderID, svc.Paid(ctx, dispatch.Paid{OrderID: e.OrderID, StoreID: e.StoreID, CustomerID: e.CustomerID,
				Zone: e.Delivery.Zone, Building: e.Delivery.Building}))
		case e.Type == event.OrderCancelled && e.TxnID != "":
			// Only a paid order's cancellation carries its transaction; an order cancelled
			// before payment never had, nor will have, a job, so it is not remembered either.
			return poison(e.Type, e.OrderID, svc.Cancel(ctx, e.OrderID, "order cancelled"))
		}
		return nil
	}}
}

// TicketsRoute dispatches a job when the kitchen marks its order ready (remembered when the
// order.paid has not come yet), and cancels it when the store rejects the order.
func TicketsRoute(svc *dispatch.Service) subscribe.Route {
	return subscribe.Route{Topic: event.TopicTickets, Path: "/events/tickets", Handle: func(ctx context.Context, _ string, data json.RawMessage) error {
		var e event.Ticket
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		switch e.Type {
		case event.TicketReady:
			return poison(e.Type, e.OrderID, svc.Ready(ctx, e.OrderID))
		case event.TicketRejected:
			return poison(e.Type, e.OrderID, svc.Cancel(ctx, e.OrderID, "rejected by the store"))
		}
		return nil
	}}
}

// poison marks an event the service can never take (bad ids, a zone never set up) for the
// dead-letter topic, where an operator sees it; other errors are transient and redelivered.
func poison(typ, orderID string, err error) error {
	var inv *dispatch.InvalidError
	if errors.As(err, &inv) || errors.Is(err, dispatch.ErrUnknownZone) {
		return fmt.Errorf("%s of %q: %w: %w", typ, orderID, subscribe.ErrPoison, err)
	}
	return err
}
