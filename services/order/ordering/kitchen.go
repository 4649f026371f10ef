package ordering

import (
	"context"
	"errors"
	"slices"

	"github.com/canteen/canteen/services/internal/event"
)

// The kitchen side of a paid order's life, choreographed by events: the kitchen service's store
// queue announces its ticket's moves, and the order follows them (accepted, ready, completed), or
// ends on the store's rejection (cancelled, with its refund due: the payment service refunds it
// and inventory takes back its units, as for any order.refund_due). Delivery is at least once and
// in no set order, so a ticket's move only ever takes the order forward, through every status in
// between (each announced): a late, repeated or overtaken event changes nothing.

// kitchenPath is the order's way through the store, in order.
var kitchenPath = []Status{Paid, Accepted, Ready, Completed}

var kitchenEvents = map[Status]string{Accepted: event.OrderAccepted, Ready: event.OrderReady, Completed: event.OrderCompleted}

// TicketMoved takes the paid order forward to status to (Accepted, Ready or Completed), its
// ticket's new place. An order off the kitchen path (cancelled, say, by a customer whose cancel
// the store's accept crossed) is left as it is, and so is one already at or past to. A delivery
// order's ticket is picked up by its rider: the order completes when it is delivered (Delivered).
func (s *Service) TicketMoved(ctx context.Context, orderID string, to Status) error {
	return s.advance(ctx, orderID, to, false)
}

// Delivered completes a delivery order its rider delivered (the delivery service's event).
func (s *Service) Delivered(ctx context.Context, orderID string) error {
	return s.advance(ctx, orderID, Completed, true)
}

func (s *Service) advance(ctx context.Context, orderID string, to Status, delivered bool) error {
	target := slices.Index(kitchenPath, to)
	if target < 1 {
		return &IllegalTransitionError{From: Paid, To: to}
	}
	_, err := s.change(ctx, orderID, func(o Order) (Order, []string, error) {
		until := target
		switch {
		case delivered && o.Delivery == nil:
			s.log.Warn("a delivery for an order the customer picks up: left as it is", "order", orderID)
			return Order{}, nil, errSettled
		case to == Completed && !delivered && o.Delivery != nil:
			until = slices.Index(kitchenPath, Ready) // a delivery order's ticket picked up: on its way
		}
		at := slices.Index(kitchenPath, o.Status)
		if at < 0 || at >= until {
			if at < 0 {
				s.log.Warn("a ticket moved for an order off the kitchen's path: left as it is", "order", orderID, "status", o.Status, "to", to)
			}
			return Order{}, nil, errSettled
		}
		var types []string
		for _, st := range kitchenPath[at+1 : until+1] {
			var err error
			if o, err = o.Transition(st, s.now()); err != nil {
				return Order{}, nil, err
			}
			types = append(types, kitchenEvents[st])
		}
		return o, types, nil
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	return err
}

// TicketRejected ends the order the store will not make: cancelled, its refund due (in the same
// write, as a customer's cancel of a paid order). Done once; an order not paid, or already past
// the store's acceptance, is left as it is.
func (s *Service) TicketRejected(ctx context.Context, orderID, reason string) error {
	_, err := s.change(ctx, orderID, func(o Order) (Order, []string, error) {
		if o.Status != Paid && o.Status != Accepted {
			if o.Status != Cancelled {
				s.log.Warn("the store rejected an order that is not waiting for it: left as it is", "order", orderID, "status", o.Status)
			}
			return Order{}, nil, errSettled
		}
		o, err := o.Transition(Cancelled, s.now())
		o.Reason, o.RefundDue = "rejected by the store", true
		if reason != "" {
			o.Reason += ": " + reason
		}
		return o, []string{event.OrderCancelled, event.OrderRefundDue}, err
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	return err
}
