// Package dispatch is the delivery service's domain: delivery jobs of paid delivery orders, the
// riders of each campus zone and their rosters, dispatch to the least-loaded on-duty rider within
// capacity, the rider's moves (accept, picked up, delivered) and reassignment when an assigned
// rider does not accept in time. Standard library and the shared event contracts only.
package dispatch

import (
	"errors"
	"fmt"
)

// ErrNotFound: no such job, rider or zone.
var ErrNotFound = errors.New("not found")

// ErrUnknownRider: the rider named by a move is not registered.
var ErrUnknownRider = errors.New("unknown rider")

// ErrUnknownZone: a rider names a zone that was never set up.
var ErrUnknownZone = errors.New("unknown zone")

// ErrNotYours: the job is assigned to another rider (and never was this rider's).
var ErrNotYours = errors.New("the job is not assigned to this rider")

// ErrReassigned: the rider held the job once, did not accept it in time, and it went to
// another rider (a late accept).
var ErrReassigned = errors.New("the job was reassigned after the rider did not accept it in time")

// ErrRiderBusy: a rider with open jobs cannot change zone.
var ErrRiderBusy = errors.New("the rider has open jobs in its zone")

// InvalidError is bad input: Field names what is wrong.
type InvalidError struct {
	Field, Reason string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Reason }

// TransitionError is a move the job's status does not allow.
type TransitionError struct {
	OrderID string
	From    Status
	Action  Action
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("job %s is %s: cannot %s", e.OrderID, e.From, e.Action)
}
