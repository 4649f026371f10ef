// Package paying is the payment service's domain: one payment intent per order, taken at the
// provider for the order's own total (never an amount from the client), settled by the provider's
// signed notifications or the reconciler, whichever comes first, and refunded when the order
// cannot serve what was paid for. Every change moves forward only, so duplicates, stale copies and
// out-of-order deliveries change nothing.
package paying

import (
	"errors"
	"fmt"
	"time"

	"github.com/canteen/canteen/services/internal/event"
)

// Status is where a payment intent is.
type Status string

// Statuses. An intent is written creating before the provider is asked (so a crash or a provider
// outage leaves a record that a retry or the reconciler resumes), becomes pending once the
// provider holds the payment, and ends succeeded or failed; a succeeded one may be refunded in
// full (refund_pending until the provider takes the refund). An intent left unpaid past
// AbandonAfter is abandoned: no longer polled, yet a late payment still settles it.
const (
	Creating      Status = "creating"
	Pending       Status = "pending"
	Succeeded     Status = "succeeded"
	Failed        Status = "failed"
	RefundPending Status = "refund_pending"
	Refunded      Status = "refunded"
	Abandoned     Status = "abandoned"
)

// forward lists the moves an intent may make; anything else is stale and changes nothing.
var forward = map[Status][]Status{
	Creating:      {Pending, Succeeded, Failed, Abandoned},
	Pending:       {Succeeded, Failed, Abandoned},
	Abandoned:     {Succeeded, Failed},
	Succeeded:     {RefundPending, Refunded},
	RefundPending: {Refunded},
}

func (s Status) canBecome(to Status) bool {
	for _, n := range forward[s] {
		if n == to {
			return true
		}
	}
	return false
}

// ProviderStatus is a payment's status at the provider.
type ProviderStatus string

// The provider's statuses; its version of a payment grows by one at every change of status.
const (
	ProviderPending   ProviderStatus = "pending"
	ProviderSucceeded ProviderStatus = "succeeded"
	ProviderFailed    ProviderStatus = "failed"
	ProviderRefunded  ProviderStatus = "refunded"
)

var (
	// ErrNotFound: no payment intent for this order (or not the caller's).
	ErrNotFound = errors.New("no payment for this order")
	// ErrOrderNotFound: the order service knows no such order of this customer.
	ErrOrderNotFound = errors.New("no such order")
	// ErrProviderUnavailable: the provider cannot be reached now (down, slow, or its circuit
	// breaker open); the intent stays and is settled later.
	ErrProviderUnavailable = errors.New("payment temporarily unavailable")
	// ErrNoProviderPayment: the provider holds no payment for the order.
	ErrNoProviderPayment = errors.New("the provider holds no payment for this order")
	// ErrAmountConflict: the provider holds a payment of another amount for the order.
	ErrAmountConflict = errors.New("the provider holds a payment of another amount for this order")
	// ErrRefundRefused: the provider refuses the refund (the payment is not succeeded there, or
	// the refund exceeds it): an operator must look.
	ErrRefundRefused = errors.New("the provider refuses the refund")
	// ErrUnknownKey: no signing key has the id a notification names.
	ErrUnknownKey = errors.New("unknown signing key")
)

// InvalidError is a refused input naming the field at fault.
type InvalidError struct{ Field, Reason string }

func (e *InvalidError) Error() string { return e.Field + " " + e.Reason }

// NotPayableError refuses a payment for an order that is not awaiting one.
type NotPayableError struct{ OrderStatus string }

func (e *NotPayableError) Error() string {
	return fmt.Sprintf("the order is %s: only an order pending payment can be paid", e.OrderStatus)
}

// MismatchError is a provider's word (a notification or an answer) about an order that disagrees
// with the intent: another amount or another transaction. Nothing is changed; it is logged for an
// operator.
type MismatchError struct {
	OrderID, Field string
	Want, Got      any
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("payment of order %s: the provider says %s %v, the intent has %v", e.OrderID, e.Field, e.Got, e.Want)
}

// Intent is the payment of one order, keyed by the order id.
type Intent struct {
	OrderID, CustomerID string
	AmountCents         int64 // the order's total, integer cents
	Status              Status
	TxnID, PayToken     string // the provider's, once it holds the payment
	// Version is the provider's version of the payment last applied (0 before any).
	Version int64
	// Reason says why a payment failed.
	Reason string
	// RefundDue is set when the order asked for its money back; RefundReason says why.
	RefundDue            bool
	RefundReason         string
	CreatedAt, UpdatedAt time.Time
	// Outbox holds the events of committed changes not yet published (see outbox.go).
	Outbox []event.Payment
}

// Notice is what the provider says about a payment: a notification, or its answer to a query.
type Notice struct {
	OrderID, TxnID string
	AmountCents    int64
	Status         ProviderStatus
	Version        int64
	PayToken       string // only in the answer to a create
}

var toStatus = map[ProviderStatus]Status{ProviderPending: Pending, ProviderSucceeded: Succeeded, ProviderFailed: Failed, ProviderRefunded: Refunded}

var eventOf = map[Status]string{Succeeded: event.PaymentSucceeded, Failed: event.PaymentFailed, Refunded: event.PaymentRefunded}

// check refuses a notice that disagrees with the intent: another amount, or another transaction.
func (in Intent) check(n Notice) error {
	switch {
	case n.AmountCents != in.AmountCents:
		return &MismatchError{OrderID: in.OrderID, Field: "amount_cents", Want: in.AmountCents, Got: n.AmountCents}
	case in.TxnID != "" && n.TxnID != in.TxnID:
		return &MismatchError{OrderID: in.OrderID, Field: "txn_id", Want: in.TxnID, Got: n.TxnID}
	}
	return nil
}

// apply moves the intent to the notice's status when that is a forward move from a newer version
// of the payment, and returns the event it announces ("" for none); changed is false for a stale
// or duplicate notice. A payment that succeeds while a refund is already due goes straight on to
// refund_pending (its payment.succeeded event is still sent: the money did arrive).
func (in Intent) apply(n Notice, at time.Time) (out Intent, eventType string, changed bool) {
	if in.TxnID == "" && n.TxnID != "" {
		in.TxnID, changed = n.TxnID, true
	}
	if in.PayToken == "" && n.PayToken != "" {
		in.PayToken, changed = n.PayToken, true
	}
	to, known := toStatus[n.Status]
	if !known || n.Version <= in.Version || !in.Status.canBecome(to) {
		return in, "", changed
	}
	in.Status, in.Version, in.UpdatedAt = to, n.Version, at
	if to == Failed {
		in.Reason = "declined by the provider"
	}
	eventType = eventOf[to]
	if to == Succeeded && in.RefundDue {
		in.Status = RefundPending
	}
	return in, eventType, true
}

// polled reports whether the reconciler asks the provider about the intent: its outcome is not
// known yet (or a refund is due on one given up on: the money did arrive after all).
func (in Intent) polled() bool {
	return in.Status == Creating || in.Status == Pending || in.Status == Abandoned && in.RefundDue
}

// open reports whether the intent still needs the reconciler: an outcome to learn, a refund to
// make, or events to publish. Only such intents stay in the index of open intents.
func (in Intent) open() bool {
	return in.polled() || in.Status == RefundPending || len(in.Outbox) > 0
}

// mayReopen reports whether an intent in this status may have left the index and can still need
// it again (a late payment of an abandoned intent, a refund of a succeeded one).
func (s Status) mayReopen() bool { return s == Succeeded || s == Abandoned }

// RefundID is the provider refund id of an order's full refund: derived from the order id, so a
// refund asked for twice, by anyone, is one refund.
func RefundID(orderID string) string { return "refund-" + orderID }

// withoutOutbox is the intent as clients see it.
func (in Intent) withoutOutbox() Intent {
	in.Outbox = nil
	return in
}

func paymentEvent(typ string, in Intent) event.Payment {
	e := event.Payment{Type: typ, OrderID: in.OrderID, CustomerID: in.CustomerID, TxnID: in.TxnID, AmountCents: in.AmountCents, At: in.UpdatedAt}
	switch typ {
	case event.PaymentSucceeded:
		e.Status = string(Succeeded)
	case event.PaymentFailed:
		e.Status, e.Reason = string(Failed), in.Reason
	case event.PaymentRefunded:
		e.Status, e.Reason = string(Refunded), in.RefundReason
	}
	return e
}
