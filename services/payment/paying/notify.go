package paying

import (
	"context"
	"errors"
	"fmt"
)

// Notify applies a provider's notification, already verified as the provider's: a forward move
// from a newer version of the payment changes the intent (with its event in the same write); a
// stale or duplicate one changes nothing (applied false), whatever order they arrive in. One that
// disagrees with the intent's amount or transaction is a *MismatchError and changes nothing.
func (s *Service) Notify(ctx context.Context, n Notice) (applied bool, err error) {
	switch {
	case !idPattern.MatchString(n.OrderID):
		return false, &InvalidError{Field: "merchant_order_id", Reason: idRule}
	case n.TxnID == "" || len(n.TxnID) > 128:
		return false, &InvalidError{Field: "txn_id", Reason: "must be 1-128 characters"}
	case toStatus[n.Status] == "":
		return false, &InvalidError{Field: "status", Reason: "must be pending, succeeded, failed or refunded"}
	case n.Version < 1:
		return false, &InvalidError{Field: "version", Reason: "must be at least 1"}
	case n.AmountCents < 1:
		return false, &InvalidError{Field: "amount_cents", Reason: "must be at least 1"}
	}
	n.PayToken = "" // never in a notification; only the create answer carries one
	before, _, err := s.repo.Intent(ctx, n.OrderID)
	if err != nil {
		return false, err
	}
	after, err := s.learn(ctx, n.OrderID, n)
	if err != nil {
		return false, err
	}
	if after.Status == RefundPending && before.Status != RefundPending {
		s.refundNow(ctx, after) // a refund was due before the payment arrived
	}
	return after.Status != before.Status || after.Version != before.Version, nil
}

// RefundDue refunds the order's payment in full, because the order holds money it will not serve
// (order.refund_due). Idempotent by order id: the intent records the refund as due
// (refund_pending) before the provider is asked, with a refund id derived from the order id, so a
// duplicate, a crash or a provider outage ends in one refund, made by a repeat or by the
// reconciler. A payment not yet succeeded is refunded as soon as it does; a failed one took no
// money. ErrNotFound when the order has no payment at all.
func (s *Service) RefundDue(ctx context.Context, orderID, reason string) error {
	if !idPattern.MatchString(orderID) {
		return &InvalidError{Field: "order_id", Reason: idRule}
	}
	out, err := s.update(ctx, orderID, func(cur Intent) (Intent, string, bool, error) {
		if cur.RefundDue {
			return cur, "", false, nil
		}
		switch cur.Status {
		case Failed, Refunded, RefundPending:
			return cur, "", false, nil
		case Succeeded:
			cur.Status, cur.UpdatedAt = RefundPending, s.now()
		}
		cur.RefundDue, cur.RefundReason = true, reason
		return cur, "", true, nil
	})
	if err != nil {
		return fmt.Errorf("refund of %s: %w", orderID, err)
	}
	switch out.Status {
	case Failed:
		s.log.Warn("refund due for a payment that failed: no money was taken", "order", orderID)
	case RefundPending:
		s.refundNow(ctx, out)
	}
	return nil
}

// refundNow asks the provider for the refund now; a failure is left to the reconciler, which
// retries every refund_pending intent: the record, not this call, carries the refund.
func (s *Service) refundNow(ctx context.Context, in Intent) {
	err := s.refund(ctx, in)
	switch {
	case errors.Is(err, ErrProviderUnavailable):
		s.log.Warn("refund not taken by the provider now; the reconciler retries it", "order", in.OrderID, "err", err)
	case err != nil:
		s.log.Error("refund failed; the reconciler retries it", "order", in.OrderID, "err", err)
	}
}

// refund makes the intent's full refund at the provider and records it (payment.refunded).
func (s *Service) refund(ctx context.Context, in Intent) error {
	if err := s.provider.Refund(ctx, in.TxnID, RefundID(in.OrderID), in.AmountCents); err != nil {
		return fmt.Errorf("refund %s of order %s: %w", in.TxnID, in.OrderID, err)
	}
	_, err := s.update(ctx, in.OrderID, func(cur Intent) (Intent, string, bool, error) {
		if cur.Status != RefundPending {
			return cur, "", false, nil // the provider's notification recorded it first
		}
		cur.Status, cur.UpdatedAt = Refunded, s.now()
		return cur, eventOf[Refunded], true, nil
	})
	return err
}
