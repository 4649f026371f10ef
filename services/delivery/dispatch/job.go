package dispatch

import (
	"slices"
	"time"

	"github.com/canteen/canteen/services/internal/event"
)

// Status is where a delivery job is.
type Status string

// Job statuses. Unpaid is a placeholder that remembers what arrived before order.paid (the
// kitchen's ready mark, or a cancellation); it is not announced and never dispatched.
const (
	Unpaid    Status = "unpaid"
	Pending   Status = "pending"   // paid, the kitchen has not marked it ready
	Waiting   Status = "waiting"   // ready, no rider free yet
	Assigned  Status = "assigned"  // offered to a rider, who must accept within the accept window
	Accepted  Status = "accepted"  // the rider took it
	PickedUp  Status = "picked_up" // the rider has the food
	Delivered Status = "delivered"
	Cancelled Status = "cancelled"
)

// Action is a rider's move.
type Action string

// The rider's moves, in order.
const (
	Accept  Action = "accept"
	PickUp  Action = "picked-up"
	Deliver Action = "delivered"
)

// ParseAction reads a move named in a request.
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case Accept, PickUp, Deliver:
		return a, nil
	}
	return "", &InvalidError{Field: "action", Reason: "must be accept, picked-up or delivered"}
}

// Job is the delivery of one paid delivery order. Outbox holds the events of its changes not yet
// published, written in the same write as the change (services/internal/outbox).
type Job struct {
	OrderID, StoreID, CustomerID string
	Zone, Building               string
	Status                       Status
	// Ready is the kitchen's ready mark, remembered when it comes before order.paid.
	Ready   bool
	RiderID string
	// Attempt counts assignments (1 for the first rider); it names the accept timer of each.
	Attempt int
	// Previous are the riders who held the job and let it go unaccepted: a late accept is 409.
	Previous   []string
	AssignedAt time.Time
	Reason     string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Outbox     []event.DeliveryJob
}

// Open reports whether the job may still be dispatched or moved.
func (j Job) Open() bool { return j.Status != Delivered && j.Status != Cancelled && j.Status != Unpaid }

// Paid is what order.paid says about a delivery order.
type Paid struct {
	OrderID, StoreID, CustomerID, Zone, Building string
}

// pay records the paid order: a new job, or the placeholder filled in. changed is false for a
// repeat, or when a cancellation came first.
func (j *Job) pay(p Paid, now time.Time) (changed bool) {
	if j.Status != Unpaid && j.Status != "" {
		return false
	}
	j.OrderID, j.StoreID, j.CustomerID, j.Zone, j.Building = p.OrderID, p.StoreID, p.CustomerID, p.Zone, p.Building
	j.Status = Pending
	if j.Ready {
		j.Status = Waiting
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = now
	}
	j.UpdatedAt = now
	return true
}

// markReady records the kitchen's ready mark: a pending job starts waiting for a rider.
func (j *Job) markReady(now time.Time) (changed bool) {
	if j.Ready {
		return false
	}
	j.Ready, j.UpdatedAt = true, now
	if j.Status == Pending {
		j.Status = Waiting
	}
	return true
}

// assign offers the waiting job to rider; false when the job no longer waits (a repeat).
func (j *Job) assign(rider string, now time.Time) bool {
	if j.Status != Waiting {
		return false
	}
	j.Status, j.RiderID, j.AssignedAt, j.UpdatedAt = Assigned, rider, now, now
	j.Attempt++
	j.announce(event.DeliveryAssigned, now)
	return true
}

// expire takes the job back from a rider who did not accept assignment attempt in time. false
// when that assignment is over anyway (accepted, reassigned, cancelled): the timer is late.
func (j *Job) expire(attempt int, now time.Time) bool {
	if j.Status != Assigned || j.Attempt != attempt {
		return false
	}
	j.Previous = append(j.Previous, j.RiderID)
	j.Status, j.RiderID, j.UpdatedAt = Waiting, "", now
	return true
}

// move applies a rider's move. Repeating the move the job last made answers it unchanged
// (changed false), so a rider's app may retry.
func (j *Job) move(rider string, a Action, now time.Time) (changed bool, err error) {
	if j.RiderID != rider {
		if slices.Contains(j.Previous, rider) {
			return false, ErrReassigned
		}
		return false, ErrNotYours
	}
	from, to, typ := map[Action]Status{Accept: Assigned, PickUp: Accepted, Deliver: PickedUp}[a],
		map[Action]Status{Accept: Accepted, PickUp: PickedUp, Deliver: Delivered}[a],
		map[Action]string{Accept: event.DeliveryAccepted, PickUp: event.DeliveryPickedUp, Deliver: event.DeliveryDelivered}[a]
	switch j.Status {
	case to:
		return false, nil
	case from:
		j.Status, j.UpdatedAt = to, now
		j.announce(typ, now)
		return true, nil
	}
	return false, &TransitionError{OrderID: j.OrderID, From: j.Status, Action: a}
}

// cancel ends a job the food of which will not go out (the store rejected it, the order was
// cancelled). A job already picked up or delivered is past cancelling: false.
func (j *Job) cancel(reason string, now time.Time) bool {
	switch j.Status {
	case PickedUp, Delivered, Cancelled:
		return false
	}
	j.Status, j.Reason, j.UpdatedAt = Cancelled, reason, now
	return true
}

// announce keeps the event of a change in the job's outbox.
func (j *Job) announce(typ string, now time.Time) {
	j.Outbox = append(j.Outbox, event.DeliveryJob{Type: typ, OrderID: j.OrderID, StoreID: j.StoreID, CustomerID: j.CustomerID,
		Zone: j.Zone, Building: j.Building, RiderID: j.RiderID, Attempt: j.Attempt, Status: string(j.Status), At: now})
}
