package ordering

import (
	"context"
	"errors"
	"fmt"

	"github.com/canteen/canteen/services/internal/event"
)

// The payment side of the order's life, choreographed by events: the payment service announces
// outcomes (payment.succeeded, payment.failed), the order settles them here, and announces in its
// turn any money it will not serve (order.refund_due), which the payment service refunds and
// inventory takes back. Every handler is idempotent and safe in any order of delivery: the
// order's status and its RefundDue mark say what was already done.

// ErrStockReleased: inventory released the order's stock before the payment could confirm it
// (the order expired or was cancelled first).
var ErrStockReleased = errors.New("the order's stock was released before its payment confirmed it")

// Payment is a payment's outcome as the payment service announced it.
type Payment struct {
	OrderID, TxnID string
	AmountCents    int64
}

// PaymentSucceeded settles a succeeded payment: inventory confirms the order's stock (its record
// decides), then the order is paid. When inventory released the stock first, or the order had
// already ended, or the amount is not the order's total, the order announces the refund instead.
func (s *Service) PaymentSucceeded(ctx context.Context, p Payment) error {
	o, _, err := s.repo.Order(ctx, p.OrderID)
	if err != nil {
		return err
	}
	switch {
	case o.TxnID == p.TxnID && o.Status != PendingPayment, o.RefundDue:
		return nil // settled before: a duplicate or a late copy
	case o.Status == PendingPayment && p.AmountCents != o.TotalCents:
		s.log.Error("payment amount is not the order's total: refunding it", "order", o.ID, "txn", p.TxnID, "paid", p.AmountCents, "total", o.TotalCents)
		return s.refundDue(ctx, p, "the payment's amount is not the order's total")
	case o.Status == PendingPayment:
	case o.Status == Cancelled || o.Status == Expired:
		return s.refundDue(ctx, p, fmt.Sprintf("paid after the order was %s", o.Status))
	default:
		// Paid by another transaction: the order has one payment intent, so this is a provider
		// or operator error. Never keep the money silently.
		s.log.Error("a second payment for a paid order: refunding it", "order", o.ID, "txn", p.TxnID, "paid_by", o.TxnID)
		return s.refundDue(ctx, p, "a second payment for an order already paid")
	}
	switch err := s.inv.Confirm(ctx, o); {
	case errors.Is(err, ErrStockReleased):
		// Inventory released the units first (the expiry or a cancel got there before the
		// payment): the order ends and its money goes back.
		return s.refundDue(ctx, p, "paid after the order's stock was released")
	case err != nil:
		return err
	}
	_, err = s.transition(ctx, o.ID, func(o Order) (Order, error) {
		if o.TxnID == p.TxnID && o.Status != PendingPayment {
			return Order{}, errSettled
		}
		o, err := o.Transition(Paid, s.now())
		o.TxnID = p.TxnID
		return o, err
	}, event.OrderPaid)
	var illegal *IllegalTransitionError
	switch {
	case errors.Is(err, errSettled):
		return nil
	case errors.As(err, &illegal):
		// It expired between our read and the write, though inventory sold its units to this
		// payment (the expiry's release came second): refund, and inventory takes them back.
		return s.refundDue(ctx, p, fmt.Sprintf("paid after the order was %s", illegal.From))
	}
	return err
}

// errSettled stops a transition that finds its work already done.
var errSettled = errors.New("already settled")

// refundDue ends the order if it is still pending (its stock is gone or its payment is wrong) and
// announces, once, that the payment p must go back: order.refund_due in the same write.
func (s *Service) refundDue(ctx context.Context, p Payment, reason string) error {
	_, err := s.change(ctx, p.OrderID, func(o Order) (Order, []string, error) {
		if o.RefundDue {
			return Order{}, nil, errSettled
		}
		var types []string
		if o.Status == PendingPayment {
			var err error
			if o, err = o.Transition(Expired, s.now()); err != nil {
				return Order{}, nil, err
			}
			types = append(types, event.OrderExpired)
		}
		o.TxnID, o.Reason, o.RefundDue, o.UpdatedAt = p.TxnID, reason, true, s.now()
		return o, append(types, event.OrderRefundDue), nil
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	return err
}

// PaymentFailed cancels an order still waiting for its payment and releases its stock; an order
// that is paid or ended already is left as it is.
func (s *Service) PaymentFailed(ctx context.Context, orderID string) error {
	o, _, err := s.repo.Order(ctx, orderID)
	if err != nil {
		return err
	}
	if o.Status != PendingPayment {
		return nil
	}
	if err := s.inv.Release(ctx, o); err != nil {
		return err // ErrStockSold (a payment confirmed it: one intent per order, so never) or retry
	}
	_, err = s.transition(ctx, orderID, func(o Order) (Order, error) {
		if o.Status != PendingPayment {
			return Order{}, errSettled
		}
		o, err := o.Transition(Cancelled, s.now())
		o.Reason = "the payment failed"
		return o, err
	}, event.OrderCancelled)
	if errors.Is(err, errSettled) {
		return nil
	}
	return err
}
