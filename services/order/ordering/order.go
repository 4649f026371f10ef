// Package ordering is the order service's domain: orders, their state machine, and checkout that
// never reserves twice for one idempotency key and never trusts a price from the client.
package ordering

import (
	"errors"
	"fmt"
	"time"

	"github.com/canteen/canteen/services/internal/event"
)

// Status is where an order is in its life.
type Status string

// Statuses. An unpaid order ends cancelled (by the customer) or expired (by the payment timeout);
// a paid one goes through the kitchen to completed.
const (
	PendingPayment Status = "pending_payment"
	Paid           Status = "paid"
	Accepted       Status = "accepted"
	Ready          Status = "ready"
	Completed      Status = "completed"
	Cancelled      Status = "cancelled"
	Expired        Status = "expired"
)

var next = map[Status][]Status{
	PendingPayment: {Paid, Cancelled, Expired},
	Paid:           {Accepted, Cancelled}, // cancelled before the store accepts it: refunded
	Accepted:       {Ready, Cancelled},    // cancelled only by the store's rejection: refunded
	Ready:          {Completed},
}

var (
	// ErrNotFound: no such order (or not the caller's).
	ErrNotFound = errors.New("no such order")
	// ErrKeyReused: the idempotency key was used before with a different request.
	ErrKeyReused = errors.New("idempotency key already used for a different order")
	// ErrExpired: this checkout's reservation was released (it expired before completing).
	ErrExpired = errors.New("this checkout expired before it completed; start again with a new idempotency key")
	// ErrStoreBusy: the store takes no orders now.
	ErrStoreBusy = errors.New("the store is busy and takes no new orders")
	// ErrUnknownStore: the checkout names a store the menu does not know.
	ErrUnknownStore = errors.New("no such store")
)

// IllegalTransitionError refuses a move the state machine does not allow.
type IllegalTransitionError struct{ From, To Status }

func (e *IllegalTransitionError) Error() string {
	return fmt.Sprintf("an order that is %s cannot become %s", e.From, e.To)
}

// SoldOutError names the dish that could not be reserved; nothing of the order was.
type SoldOutError struct{ DishID string }

func (e *SoldOutError) Error() string { return "dish " + e.DishID + " is sold out" }

// Item is one line of an order, at the price the menu said at checkout.
type Item struct {
	DishID     string
	Quantity   int64
	PriceCents int64
}

// Order is a customer's order at one store for one sale period.
type Order struct {
	ID, CustomerID, StoreID, Period string
	Items                           []Item
	TotalCents                      int64
	Status                          Status
	RequestHash                     string // of the checkout request, to tell a replay from a reused key
	// TxnID is the provider's transaction id of the payment that paid the order.
	TxnID string
	// Reason says why the order ended (cancelled, expired) or is owed a refund.
	Reason string
	// RefundDue is set once the order announced that its payment must go back (order.refund_due).
	RefundDue bool
	// Delivery is where a rider takes the order; nil when the customer picks it up.
	Delivery             *Delivery
	CreatedAt, UpdatedAt time.Time
	// Outbox holds the events of committed changes not yet published (see outbox.go).
	Outbox []event.Order
	// Warnings are what the checkout that created the order told the customer (a busy kitchen);
	// never stored.
	Warnings []Warning
}

// Transition moves the order to status to, or refuses with *IllegalTransitionError.
func (o Order) Transition(to Status, at time.Time) (Order, error) {
	for _, s := range next[o.Status] {
		if s == to {
			o.Status, o.UpdatedAt = to, at
			return o, nil
		}
	}
	return Order{}, &IllegalTransitionError{From: o.Status, To: to}
}

// Date is the day of the order's sale period ("2026-11-25" of "2026-11-25.lunch").
func (o Order) Date() string { return o.Period[:10] }

// expiredInPlace is the record Expire stores under the id of an order its checkout never stored
// (see Expire): expired, with the lines the job carried and no customer or request hash.
func (o Order) expiredInPlace(at time.Time) Order {
	return Order{ID: o.ID, StoreID: o.StoreID, Period: o.Period, Items: o.Items, Delivery: o.Delivery, Status: Expired,
		Reason: "not stored before its payment time was up", CreatedAt: at, UpdatedAt: at}
}

// inPlaceOfCheckout reports whether the record is one Expire stored in place of an order (no
// checkout request made it).
func (o Order) inPlaceOfCheckout() bool { return o.RequestHash == "" && o.CustomerID == "" }
