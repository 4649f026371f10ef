package queue

import (
	"sort"
	"time"

	"github.com/canteen/canteen/services/internal/event"
)

// keptDays is how many sale days' code counters a queue keeps: a paid order for a day older than
// the latest seven would restart that day's codes, and no order lives that long unserved.
const keptDays = 7

// Queue is a store's hot state, the actor's one state key, small whatever the day's volume: the
// open tickets, the completed ones the POS has not acknowledged yet (archived, kept here without
// their items), the code counter of recent sale days, the change counter, the POS's acknowledged
// cursor, capacity, the outbox of events saved but not yet published, and the announced load.
type Queue struct {
	StoreID  string
	Open     map[string]Ticket
	Done     []Ticket
	Days     map[string]int
	Seq      int64
	Acked    int64
	Capacity Capacity
	Outbox   []event.Ticket
	// Load is the store's load as last announced, with its own one-event outbox (see load.go).
	Load Load
	// Ticking: the store's reminder is registered (see Service.Tick).
	Ticking bool
	// Version is the stored version this queue was loaded as ("" for a new one): its save
	// succeeds only if nothing was saved since.
	Version string
}

// Capacity is what staff set: Limit open tickets (0: no limit) before the store counts as over
// capacity, and Busy, a store that says it is slower than usual (estimates double).
type Capacity struct {
	Limit int
	Busy  bool
}

// NewQueue is the empty queue of a store that has had no ticket yet.
func NewQueue(storeID string) Queue {
	return Queue{StoreID: storeID, Open: map[string]Ticket{}, Days: map[string]int{}}
}

// working counts the tickets the kitchen still has to make (queued, accepted, preparing).
func (q *Queue) working() int {
	n := 0
	for _, t := range q.Open {
		if t.Status != Ready {
			n++
		}
	}
	return n
}

// wait is the honest estimate for work tickets: each takes per (twice that when busy), one after
// the other: a canteen line cooks in order, and staff can tune per (TICKET_MINUTES).
func (q *Queue) wait(work int, per time.Duration) time.Duration {
	if q.Capacity.Busy {
		per *= 2
	}
	return time.Duration(work) * per
}

// admit makes the order's ticket: the next code of its sale day, its estimate, and ticket.queued.
func (q *Queue) admit(o event.Order, now time.Time, per time.Duration) (Ticket, error) {
	day, err := SaleDay(o.Period)
	if err != nil {
		return Ticket{}, err
	}
	if o.StoreID != q.StoreID {
		return Ticket{}, &InvalidError{Field: "store_id", Reason: "is not this queue's store"}
	}
	q.Days[day]++
	q.pruneDays()
	work := q.working()
	q.Seq++
	t := Ticket{OrderID: o.OrderID, StoreID: o.StoreID, CustomerID: o.CustomerID, Period: o.Period, Items: o.Items,
		TotalCents: o.TotalCents, Code: PickupCode(q.Days[day]), Status: Queued, Seq: q.Seq,
		OverCapacity: q.overCapacity(work), EstimatedReadyAt: now.Add(q.wait(work+1, per)),
		CreatedAt: now, UpdatedAt: now}
	q.Open[t.OrderID] = t
	q.Outbox = append(q.Outbox, t.event(event.TicketQueued, now))
	return t, nil
}

func (q *Queue) pruneDays() {
	if len(q.Days) <= keptDays {
		return
	}
	days := make([]string, 0, len(q.Days))
	for d := range q.Days {
		days = append(days, d)
	}
	sort.Strings(days)
	for _, d := range days[:len(days)-keptDays] {
		delete(q.Days, d)
	}
}

// changed records t's change: a new Seq, its event, and a final ticket moved to Done.
func (q *Queue) changed(t Ticket, emit string, maxDone int) Ticket {
	q.Seq++
	t.Seq = q.Seq
	q.Outbox = append(q.Outbox, t.event(emit, t.UpdatedAt))
	if !t.Status.Final() {
		q.Open[t.OrderID] = t
		return t
	}
	delete(q.Open, t.OrderID)
	stub := t
	stub.Items = nil
	q.Done = append(q.Done, stub)
	if len(q.Done) > maxDone {
		// The POS has not acknowledged these for a long time; they stay readable in the archive.
		q.Done = append([]Ticket(nil), q.Done[len(q.Done)-maxDone:]...)
	}
	return t
}

// find is the order's ticket in the hot state: open, or completed and not yet acknowledged.
func (q *Queue) find(orderID string) (Ticket, bool) {
	if t, ok := q.Open[orderID]; ok {
		return t, true
	}
	for _, t := range q.Done {
		if t.OrderID == orderID {
			return t, true
		}
	}
	return Ticket{}, false
}

// open is the open tickets, in change order.
func (q *Queue) open() []Ticket {
	out := make([]Ticket, 0, len(q.Open))
	for _, t := range q.Open {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// since is the tickets changed after cursor, in change order.
func (q *Queue) since(cursor int64) []Ticket {
	var out []Ticket
	for _, t := range q.Open {
		if t.Seq > cursor {
			out = append(out, t)
		}
	}
	for _, t := range q.Done {
		if t.Seq > cursor {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// ack records that the POS has every change up to cursor; acknowledged completed tickets leave
// the hot state. Acks only move forward, so a late or repeated ack changes nothing.
func (q *Queue) ack(cursor int64) (bool, error) {
	if cursor < 0 || cursor > q.Seq {
		return false, &InvalidError{Field: "cursor", Reason: "must be a cursor this queue gave (0 to the latest)"}
	}
	if cursor <= q.Acked {
		return false, nil
	}
	q.Acked = cursor
	kept := q.Done[:0:0]
	for _, t := range q.Done {
		if t.Seq > cursor {
			kept = append(kept, t)
		}
	}
	q.Done = kept
	return true, nil
}

// alertOverdue raises ticket.overdue, once, for every queued ticket older than after.
func (q *Queue) alertOverdue(now time.Time, after time.Duration) int {
	n := 0
	for id, t := range q.Open {
		if t.Status == Queued && !t.Alerted && now.Sub(t.CreatedAt) >= after {
			t.Alerted = true
			q.Open[id] = t
			alert := t.event(event.TicketOverdue, now)
			alert.Reason = "queued for " + now.Sub(t.CreatedAt).Round(time.Second).String() + " without being accepted"
			q.Outbox = append(q.Outbox, alert)
			n++
		}
	}
	return n
}

// needsTick: the reminder has work, an event to publish or a queued ticket to watch.
func (q *Queue) needsTick() bool {
	if len(q.Outbox) > 0 || q.Load.Unsent {
		return true
	}
	for _, t := range q.Open {
		if t.Status == Queued && !t.Alerted {
			return true
		}
	}
	return false
}
