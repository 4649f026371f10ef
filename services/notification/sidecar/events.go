package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/notification/feed"
)

// Routes are the subscriptions: every order (both of its topics), ticket and delivery event, of
// any type (an unknown one is a status update too), goes to its order's and its store's streams.
func Routes(svc *feed.Service, log *slog.Logger) []subscribe.Route {
	orders := func(ctx context.Context, id string, data json.RawMessage) error {
		var e event.Order
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		return record(ctx, svc, log, id, feed.Event{Type: e.Type, OrderID: e.OrderID, StoreID: e.StoreID, CustomerID: e.CustomerID, At: e.At, Data: data})
	}
	return []subscribe.Route{
		{Topic: event.TopicOrders, Path: "/events/orders", Handle: orders},
		{Topic: event.TopicOrdersCreated, Path: "/events/orders-created", Handle: orders},
		{Topic: event.TopicTickets, Path: "/events/tickets", Handle: func(ctx context.Context, id string, data json.RawMessage) error {
			var e event.Ticket
			if err := subscribe.Decode(data, &e); err != nil {
				return err
			}
			return record(ctx, svc, log, id, feed.Event{Type: e.Type, OrderID: e.OrderID, StoreID: e.StoreID, At: e.At, Data: data})
		}},
		// A delivery order's rider: assigned, accepted, picked up, delivered. A job assigned
		// again to another rider shows its first assignment only (streams keep one event of a
		// type per order); the later moves name the rider who has it.
		{Topic: event.TopicDeliveries, Path: "/events/deliveries", Handle: func(ctx context.Context, id string, data json.RawMessage) error {
			var e event.DeliveryJob
			if err := subscribe.Decode(data, &e); err != nil {
				return err
			}
			return record(ctx, svc, log, id, feed.Event{Type: e.Type, OrderID: e.OrderID, StoreID: e.StoreID, CustomerID: e.CustomerID, At: e.At, Data: data})
		}},
	}
}

// record appends the event; one that names no order or store is dropped with a log (a
// redelivery would not mend it, and there is no stream to put it in), a store fault is retried.
func record(ctx context.Context, svc *feed.Service, log *slog.Logger, id string, e feed.Event) error {
	err := svc.Record(ctx, e)
	if errors.Is(err, feed.ErrMalformed) {
		log.Warn("dropping an event that names no order or store", "event", id, "type", e.Type, "err", err)
		return nil
	}
	return err
}
