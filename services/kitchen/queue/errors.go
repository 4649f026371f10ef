package queue

import (
	"errors"
	"fmt"
)

// ErrNotFound: the store's queue has no such ticket (nor its archive): also a ticket of another store.
var ErrNotFound = errors.New("no such ticket in this store")

// InvalidError is input that can never be taken: Field names what is wrong.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return e.Field + " " + e.Reason }

// TransitionError is a move the ticket's status does not allow (picking up a queued ticket).
type TransitionError struct {
	OrderID string
	From    Status
	Action  Action
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("ticket %s is %s: %s is not allowed", e.OrderID, e.From, e.Action)
}
