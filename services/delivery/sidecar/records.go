package sidecar

import (
	"time"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/internal/event"
)

// jobRecord is a job's stored JSON form: the contract with any other implementation reading this
// store, changed only with a migration.
type jobRecord struct {
	StoreID    string              `json:"store_id,omitempty"`
	CustomerID string              `json:"customer_id,omitempty"`
	Zone       string              `json:"zone,omitempty"`
	Building   string              `json:"building,omitempty"`
	Status     string              `json:"status"`
	Ready      bool                `json:"ready,omitempty"`
	RiderID    string              `json:"rider_id,omitempty"`
	Attempt    int                 `json:"attempt,omitempty"`
	Previous   []string            `json:"previous,omitempty"`
	AssignedAt time.Time           `json:"assigned_at,omitzero"`
	Reason     string              `json:"reason,omitempty"`
	CreatedAt  time.Time           `json:"created_at"`
	UpdatedAt  time.Time           `json:"updated_at"`
	Outbox     []event.DeliveryJob `json:"outbox,omitempty"`
}

func toJobRecord(j dispatch.Job) jobRecord {
	return jobRecord{StoreID: j.StoreID, CustomerID: j.CustomerID, Zone: j.Zone, Building: j.Building, Status: string(j.Status), Ready: j.Ready,
		RiderID: j.RiderID, Attempt: j.Attempt, Previous: j.Previous, AssignedAt: j.AssignedAt, Reason: j.Reason,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, Outbox: j.Outbox}
}

func (r jobRecord) domain(orderID string) dispatch.Job {
	return dispatch.Job{OrderID: orderID, StoreID: r.StoreID, CustomerID: r.CustomerID, Zone: r.Zone, Building: r.Building,
		Status: dispatch.Status(r.Status), Ready: r.Ready, RiderID: r.RiderID, Attempt: r.Attempt, Previous: r.Previous,
		AssignedAt: r.AssignedAt, Reason: r.Reason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Outbox: r.Outbox}
}

// rosterRecord is a zone's roster as stored.
type rosterRecord struct {
	Name    string                `json:"name"`
	Seats   map[string]seatRecord `json:"seats"`
	Waiting []waitRecord          `json:"waiting,omitempty"`
	Unsent  []string              `json:"unsent,omitempty"`
}

type seatRecord struct {
	Capacity int      `json:"capacity"`
	OnDuty   bool     `json:"on_duty"`
	Jobs     []string `json:"jobs,omitempty"`
}

type waitRecord struct {
	OrderID string   `json:"order_id"`
	Avoid   []string `json:"avoid,omitempty"`
}

func toRosterRecord(r dispatch.Roster) rosterRecord {
	rec := rosterRecord{Name: r.Name, Seats: make(map[string]seatRecord, len(r.Seats)), Unsent: r.Unsent}
	for id, s := range r.Seats {
		rec.Seats[id] = seatRecord{Capacity: s.Capacity, OnDuty: s.OnDuty, Jobs: s.Jobs}
	}
	for _, w := range r.Waiting {
		rec.Waiting = append(rec.Waiting, waitRecord{OrderID: w.OrderID, Avoid: w.Avoid})
	}
	return rec
}

func (r rosterRecord) domain(zone string) dispatch.Roster {
	out := dispatch.Roster{Zone: zone, Name: r.Name, Seats: make(map[string]dispatch.Seat, len(r.Seats)), Unsent: r.Unsent}
	for id, s := range r.Seats {
		out.Seats[id] = dispatch.Seat{Capacity: s.Capacity, OnDuty: s.OnDuty, Jobs: s.Jobs}
	}
	for _, w := range r.Waiting {
		out.Waiting = append(out.Waiting, dispatch.Wait{OrderID: w.OrderID, Avoid: w.Avoid})
	}
	return out
}

// riderRecord is the rider directory's entry: the zone whose roster seats the rider.
type riderRecord struct {
	Zone string `json:"zone"`
}
