// Package queue is the kitchen's domain: a store's queue of tickets for paid orders, pickup codes,
// the moves staff make (accept, start, ready, pickup, reject), capacity and the ready-time
// estimate, the point-of-sale cursor, and the use-case Service that runs one store's queue inside
// its actor's turn (so it never needs a lock or an ETag).
package queue

import (
	"fmt"
	"time"

	"github.com/canteen/canteen/services/internal/event"
)

// Status is where a ticket is in the kitchen.
type Status string

// Ticket statuses. picked_up and rejected are final: the ticket leaves the actor's hot state.
const (
	Queued    Status = "queued"
	Accepted  Status = "accepted"
	Preparing Status = "preparing"
	Ready     Status = "ready"
	PickedUp  Status = "picked_up"
	Rejected  Status = "rejected"
)

// Final reports whether no move leaves s.
func (s Status) Final() bool { return s == PickedUp || s == Rejected }

// Action is a move staff make on a ticket.
type Action string

// Actions, by the status they lead to.
const (
	Accept Action = "accept"
	Start  Action = "start"
	Finish Action = "ready"
	Pickup Action = "pickup"
	Reject Action = "reject"
)

// moves maps each action to the statuses it may leave and the status it leads to.
var moves = map[Action]struct {
	from []Status
	to   Status
	emit string
}{
	Accept: {[]Status{Queued}, Accepted, event.TicketAccepted},
	Start:  {[]Status{Accepted}, Preparing, event.TicketPreparing},
	Finish: {[]Status{Preparing}, Ready, event.TicketReady},
	Pickup: {[]Status{Ready}, PickedUp, event.TicketPickedUp},
	Reject: {[]Status{Queued, Accepted}, Rejected, event.TicketRejected},
}

// ParseAction is the action named a, or an InvalidError.
func ParseAction(a string) (Action, error) {
	if _, ok := moves[Action(a)]; !ok {
		return "", &InvalidError{Field: "action", Reason: "must be one of accept, start, ready, pickup, reject"}
	}
	return Action(a), nil
}

// Ticket is a paid order in its store's queue.
type Ticket struct {
	OrderID    string
	StoreID    string
	CustomerID string
	Period     string
	Items      []event.Item
	TotalCents int64
	Code       string
	Status     Status
	Reason     string
	// Seq is the queue's change number of the ticket's last change: the POS cursor.
	Seq int64
	// OverCapacity: the store had Limit or more open tickets when this one came in.
	OverCapacity bool
	// EstimatedReadyAt is honest, not a promise: when it came in, open tickets x minutes each.
	EstimatedReadyAt time.Time
	// Alerted: ticket.overdue was raised for it (once).
	Alerted   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// move applies a to t. A repeat of the move that led to t's status is no change (changed is
// false), so a staff double tap or a retried call answers the same ticket; any other move from a
// status it does not leave is a TransitionError.
func (t Ticket) move(a Action, reason string, now time.Time) (next Ticket, emit string, changed bool, err error) {
	m, ok := moves[a]
	if !ok {
		return t, "", false, &InvalidError{Field: "action", Reason: fmt.Sprintf("unknown action %q", a)}
	}
	if t.Status == m.to {
		return t, "", false, nil
	}
	for _, from := range m.from {
		if t.Status == from {
			t.Status, t.UpdatedAt = m.to, now
			if a == Reject {
				t.Reason = reason
			}
			return t, m.emit, true, nil
		}
	}
	return t, "", false, &TransitionError{OrderID: t.OrderID, From: t.Status, Action: a}
}

// event is the ticket's event of type typ.
func (t Ticket) event(typ string, at time.Time) event.Ticket {
	return event.Ticket{Type: typ, OrderID: t.OrderID, StoreID: t.StoreID, CustomerID: t.CustomerID, Period: t.Period,
		Code: t.Code, Status: string(t.Status), TotalCents: t.TotalCents, Reason: t.Reason, At: at}
}
