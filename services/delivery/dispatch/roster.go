package dispatch

import (
	"slices"
	"sort"
)

// DefaultCapacity is a rider's limit of open jobs when none is given.
const DefaultCapacity = 3

// Roster is one campus zone's riders and the zone's ready jobs waiting for one. It is kept as a
// single record written with its ETag, so the two dispatch invariants (no rider over capacity,
// no job with two riders) are checks within one record, and first-write-wins makes concurrent
// dispatches in the zone serialise on it.
type Roster struct {
	Zone, Name string
	Seats      map[string]Seat
	// Waiting are ready jobs without a rider, oldest first.
	Waiting []Wait
	// Unsent are ended jobs (off their riders) whose events may not all be published yet: the
	// sweep relays them, since no rider's seat lists them any more.
	Unsent []string
}

// Seat is a rider's place in its zone's roster: its capacity, duty and open jobs (its load).
type Seat struct {
	Capacity int
	OnDuty   bool
	Jobs     []string
}

// Wait is a ready job waiting for a rider. Avoid are riders who let it go unaccepted: others
// are preferred, and they get it again only when no other rider is free.
type Wait struct {
	OrderID string
	Avoid   []string
}

// Assignment is a job given to a rider by the roster.
type Assignment struct {
	OrderID, RiderID string
}

// Holder is the rider holding the job, if one does.
func (r *Roster) Holder(orderID string) (string, bool) {
	for id, s := range r.Seats {
		if slices.Contains(s.Jobs, orderID) {
			return id, true
		}
	}
	return "", false
}

// enqueue puts a ready job in the waiting line unless it is already there or held.
func (r *Roster) enqueue(orderID string, avoid []string) bool {
	if _, held := r.Holder(orderID); held || slices.ContainsFunc(r.Waiting, func(w Wait) bool { return w.OrderID == orderID }) {
		return false
	}
	r.Waiting = append(r.Waiting, Wait{OrderID: orderID, Avoid: slices.Clone(avoid)})
	return true
}

// release takes the job off its rider and out of the waiting line.
func (r *Roster) release(orderID string) bool {
	changed := false
	for id, s := range r.Seats {
		if i := slices.Index(s.Jobs, orderID); i >= 0 {
			s.Jobs = slices.Delete(slices.Clone(s.Jobs), i, i+1)
			r.Seats[id] = s
			changed = true
		}
	}
	n := len(r.Waiting)
	r.Waiting = slices.DeleteFunc(r.Waiting, func(w Wait) bool { return w.OrderID == orderID })
	return changed || len(r.Waiting) != n
}

// assign gives waiting jobs, oldest first, to riders: each to the least-loaded on-duty rider
// with room (fewest open jobs; ties to the smallest rider id, so the choice is deterministic),
// preferring riders the job does not avoid. Jobs no rider has room for keep waiting.
func (r *Roster) assign() []Assignment {
	var out []Assignment
	kept := r.Waiting[:0:0]
	for _, w := range r.Waiting {
		rider, ok := r.leastLoaded(w.Avoid)
		if !ok {
			rider, ok = r.leastLoaded(nil)
		}
		if !ok {
			kept = append(kept, w)
			continue
		}
		s := r.Seats[rider]
		s.Jobs = append(slices.Clone(s.Jobs), w.OrderID)
		r.Seats[rider] = s
		out = append(out, Assignment{OrderID: w.OrderID, RiderID: rider})
	}
	r.Waiting = kept
	return out
}

// leastLoaded is the on-duty rider with room and the fewest jobs, not one of avoid.
func (r *Roster) leastLoaded(avoid []string) (string, bool) {
	ids := make([]string, 0, len(r.Seats))
	for id := range r.Seats {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	best, bestLoad := "", 0
	for _, id := range ids {
		s := r.Seats[id]
		if !s.OnDuty || len(s.Jobs) >= s.Capacity || slices.Contains(avoid, id) {
			continue
		}
		if best == "" || len(s.Jobs) < bestLoad {
			best, bestLoad = id, len(s.Jobs)
		}
	}
	return best, best != ""
}
