package sidecar

import (
	"fmt"
	"time"

	"github.com/canteen/canteen/services/kitchen/queue"
)

// The actor's method inputs and answers: JSON between the client (any replica) and the actor.

// MoveRequest names a ticket and, for Move, the action and a rejection's reason.
type MoveRequest struct {
	OrderID string `json:"order_id"`
	Action  string `json:"action,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// CapacityRequest is the store's limit and busy flag.
type CapacityRequest struct {
	Limit int  `json:"limit"`
	Busy  bool `json:"busy"`
}

// CursorRequest is a POS cursor: for Changes, nil means "after the last acknowledged one".
type CursorRequest struct {
	Cursor *int64 `json:"cursor,omitempty"`
}

// Refusal is a business refusal carried in an answer, turned back into the domain's error by
// the client: the SDK answers a method's error as a bare 500.
type Refusal struct {
	Kind    string `json:"kind"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

const (
	refusedInvalid    = "invalid"
	refusedNotFound   = "not_found"
	refusedTransition = "transition" // Field is the action, Message the status it was refused from
)

// TicketAnswer is a ticket, or a refusal.
type TicketAnswer struct {
	Ticket  ticketRecord `json:"ticket"`
	Refusal *Refusal     `json:"refusal,omitempty"`
}

// AdmitAnswer is a batch's admissions: a ticket or a refusal for each order, in order.
type AdmitAnswer struct {
	Tickets []TicketAnswer `json:"tickets"`
}

// ViewAnswer is a queue view, or a refusal.
type ViewAnswer struct {
	Limit        int            `json:"limit"`
	Busy         bool           `json:"busy"`
	Working      int            `json:"working"`
	OverCapacity bool           `json:"over_capacity"`
	WaitSeconds  int64          `json:"wait_seconds"`
	Tickets      []ticketRecord `json:"tickets"`
	Refusal      *Refusal       `json:"refusal,omitempty"`
}

// PageAnswer is a POS page, or a refusal.
type PageAnswer struct {
	Tickets []ticketRecord `json:"tickets"`
	Cursor  int64          `json:"cursor"`
	Refusal *Refusal       `json:"refusal,omitempty"`
}

// err is the domain error r stands for (orderID names the ticket of a transition).
func (r *Refusal) err(orderID string) error {
	switch {
	case r == nil:
		return nil
	case r.Kind == refusedTransition:
		return &queue.TransitionError{OrderID: orderID, From: queue.Status(r.Message), Action: queue.Action(r.Field)}
	case r.Kind == refusedNotFound:
		return queue.ErrNotFound
	case r.Kind == refusedInvalid:
		return &queue.InvalidError{Field: r.Field, Reason: r.Message}
	}
	return fmt.Errorf("the store actor answered an unknown refusal %q: %s", r.Kind, r.Message)
}

func (v ViewAnswer) domain(storeID string) queue.View {
	return queue.View{StoreID: storeID, Capacity: queue.Capacity{Limit: v.Limit, Busy: v.Busy}, Working: v.Working,
		OverCapacity: v.OverCapacity, Wait: time.Duration(v.WaitSeconds) * time.Second, Tickets: ticketsOf(v.Tickets)}
}
