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

// TicketsRoute makes the order follow its ticket in its store's queue (the kitchen's events):
// accepted, ready, picked up (completed), or rejected (cancelled with its refund due). Delivery
// is at least once and in no set order; the order only moves forward, so repeats are no-ops.
// ticket.queued, ticket.preparing and alerts change nothing of the order.
func TicketsRoute(svc *ordering.Service) subscribe.Route {
	moves := map[string]ordering.Status{event.TicketAccepted: ordering.Accepted, event.TicketReady: ordering.Ready, event.TicketPickedUp: ordering.Completed}
	return subscribe.Route{Topic: event.TopicTickets, Path: "/events/tickets", Handle: func(ctx context.Context, _ string, data json.RawMessage) error {
		var e event.Ticket
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		if !apierr.ValidID(e.OrderID) {
			return fmt.Errorf("ticket event %s names no valid order id %q: %w", e.Type, e.OrderID, subscribe.ErrPoison)
		}
		var err error
		if to, ok := moves[e.Type]; ok {
			err = svc.TicketMoved(ctx, e.OrderID, to)
		} else if e.Type == event.TicketRejected {
			err = svc.TicketRejected(ctx, e.OrderID, e.Reason)
		}
		if errors.Is(err, ordering.ErrNotFound) {
			return fmt.Errorf("ticket event %s of %s: %w: %w", e.Type, e.OrderID, subscribe.ErrPoison, err)
		}
		return err
	}}
}

// DeliveriesRoute completes a delivery order its rider delivered (delivery.delivered). Delivery
// is at least once; the order only moves forward, so repeats are no-ops. The other delivery
// events (assigned, accepted, picked up) change nothing of the order.
func DeliveriesRoute(svc *ordering.Service) subscribe.Route {
	return subscribe.Route{Topic: event.TopicDeliveries, Path: "/events/deliveries", Handle: func(ctx context.Context, _ string, data json.RawMessage) error {
		var e event.DeliveryJob
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		if e.Type != event.DeliveryDelivered {
			return nil
		}
		if !apierr.ValidID(e.OrderID) {
			return fmt.Errorf("delivery event %s names no valid order id %q: %w", e.Type, e.OrderID, subscribe.ErrPoison)
		}
		err := svc.Delivered(ctx, e.OrderID)
		if errors.Is(err, ordering.ErrNotFound) {
			return fmt.Errorf("delivery event %s of %s: %w: %w", e.Type, e.OrderID, subscribe.ErrPoison, err)
		}
		return err
	}}
}
