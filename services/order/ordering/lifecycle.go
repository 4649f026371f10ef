package ordering

import (
	"context"
	"errors"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// ErrStockSold: inventory sold the order's units (it was paid), so it can no longer be cancelled.
var ErrStockSold = errors.New("the order's stock is already sold: it was paid and cannot be cancelled")

// Cancel cancels the customer's order, unpaid or paid but not yet accepted by the store.
// For an unpaid order inventory's record decides between the cancel and a payment that races it:
// the stock is released first, and if inventory answers that the units were sold, the cancel is
// refused and the order left to its payment (cancel again once it is paid, for a refund). If
// inventory cannot be reached the order is cancelled all the same: its order.cancelled event,
// redelivered until inventory takes it, and behind that inventory's reconciler, return the stock.
// A paid order is cancelled with its order.refund_due in the same write: the payment service
// refunds it and inventory puts its units back on sale.
func (s *Service) Cancel(ctx context.Context, id, customerID string) (Order, error) {
	o, _, err := s.repo.Order(ctx, id)
	if err == nil && o.CustomerID != customerID {
		err = ErrNotFound
	}
	if err != nil {
		return Order{}, err
	}
	if err := customerMayCancel(o); err != nil {
		return Order{}, err
	}
	if o.Status == Paid {
		return s.transition(ctx, id, func(o Order) (Order, error) {
			if err := customerMayCancel(o); err != nil {
				return Order{}, err // the store accepted it meanwhile
			}
			o, err := o.Transition(Cancelled, s.now())
			o.Reason, o.RefundDue = "cancelled by the customer after paying, before the store accepted it", true
			return o, err
		}, event.OrderCancelled, event.OrderRefundDue)
	}
	switch err := s.inv.Release(ctx, o); {
	case errors.Is(err, ErrStockSold):
		return Order{}, err
	case err != nil:
		s.log.Warn("inventory unreachable at cancel; the order.cancelled event will release the stock", "order", id, "err", err)
	}
	return s.transition(ctx, id, func(o Order) (Order, error) {
		if o.Status != PendingPayment {
			return Order{}, &IllegalTransitionError{From: o.Status, To: Cancelled} // paid meanwhile: cancel again
		}
		o, err := o.Transition(Cancelled, s.now())
		o.Reason = "cancelled by the customer"
		return o, err
	}, event.OrderCancelled)
}

// customerMayCancel refuses a customer's cancel once the store has accepted the order (only the
// store's rejection cancels it then).
func customerMayCancel(o Order) error {
	if o.Status != PendingPayment && o.Status != Paid {
		return &IllegalTransitionError{From: o.Status, To: Cancelled}
	}
	return nil
}

// Expire ends an order still unpaid when its payment time is up (fired by the scheduler, at least
// once) and returns its stock. The release is asked for directly, not only through the
// order.expired event, and also for an order that is already cancelled or expired (a release that
// failed before is repaired by the job's next firing; inventory's release is idempotent) or was
// never stored (its checkout died after reserving). A paid order is left alone.
func (s *Service) Expire(ctx context.Context, pending Order) error {
	_, err := s.expire(ctx, pending.ID)
	if errors.Is(err, ErrNotFound) {
		// The checkout that scheduled this job reserved but has not stored its order: it died, or
		// it is taking longer than the payment time. An expired record in the order's place makes
		// that checkout's create fail (it answers ErrExpired), so that no order is ever stored
		// after its stock went back: seen on a loaded box with a 3 s payment time, where four
		// orders were stored after their expiry and stayed pending for good.
		err = s.repo.Create(ctx, pending.expiredInPlace(s.now()))
		if errors.Is(err, occ.ErrConflict) { // stored just now: expire it like any other
			_, err = s.expire(ctx, pending.ID)
		}
	}
	var illegal *IllegalTransitionError
	switch {
	case errors.As(err, &illegal) && illegal.From != Cancelled && illegal.From != Expired:
		return nil // paid, or further on: the stock is the customer's
	case err != nil && !errors.As(err, &illegal):
		return err
	}
	err = s.inv.Release(ctx, pending)
	if errors.Is(err, ErrStockSold) {
		// Inventory sold the units of an order that expired: a payment raced the expiry. Its
		// payment.succeeded finds the order expired and announces the refund (PaymentSucceeded).
		s.log.Warn("expired order's stock was sold: a payment raced the expiry and will be refunded", "order", pending.ID)
		return nil
	}
	return err
}

// expire moves the stored order to expired, announcing it.
func (s *Service) expire(ctx context.Context, id string) (Order, error) {
	return s.transition(ctx, id, func(o Order) (Order, error) {
		o, err := o.Transition(Expired, s.now())
		o.Reason = "not paid in time"
		return o, err
	}, event.OrderExpired)
}

// transition applies change to the stored order with its ETag, its events (one per type, in
// order) pending in the same write, retrying on a concurrent change; then relays the events.
func (s *Service) transition(ctx context.Context, id string, change func(Order) (Order, error), eventTypes ...string) (Order, error) {
	return s.change(ctx, id, func(o Order) (Order, []string, error) {
		o, err := change(o)
		return o, eventTypes, err
	})
}

// change is transition for a change whose events depend on the order it finds.
func (s *Service) change(ctx context.Context, id string, change func(Order) (Order, []string, error)) (Order, error) {
	var out Order
	var types []string
	err := occ.Retry(ctx, func(ctx context.Context) error {
		o, tok, err := s.repo.Order(ctx, id)
		if err != nil {
			return err
		}
		if out, types, err = change(o); err != nil {
			return err
		}
		for _, typ := range types {
			out.Outbox = append(out.Outbox, orderEvent(typ, out))
		}
		return s.repo.Save(ctx, out, tok)
	})
	if err != nil {
		return Order{}, err
	}
	s.relay(ctx, out, types...)
	return out.withoutOutbox(), nil
}

func orderEvent(typ string, o Order) event.Order {
	e := event.Order{Type: typ, OrderID: o.ID, CustomerID: o.CustomerID, StoreID: o.StoreID, Period: o.Period, Status: string(o.Status),
		TotalCents: o.TotalCents, TxnID: o.TxnID, Reason: o.Reason, At: o.UpdatedAt}
	for _, it := range o.Items {
		e.Items = append(e.Items, event.Item{DishID: it.DishID, Quantity: it.Quantity, PriceCents: it.PriceCents})
	}
	if o.Delivery != nil {
		e.Delivery = &event.Delivery{Zone: o.Delivery.Zone, Building: o.Delivery.Building}
	}
	return e
}
