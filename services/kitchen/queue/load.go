package queue

import (
	"context"
	"strconv"
	"time"

	"github.com/canteen/canteen/services/internal/event"
)

// Load is what the store's customers were last told about its kitchen (event.StoreLoad): the
// busy switch, whether it is at its limit, and the wait estimate as shown (rounded by shownWait).
// Seq numbers the announcements so that a subscriber can drop a late one. Unsent marks an
// announcement saved with the change but not yet published: the load's outbox, which holds only
// the latest, because a newer announcement makes an unsent older one worthless.
type Load struct {
	Busy         bool
	OverCapacity bool
	Wait         time.Duration
	Seq          int64
	At           time.Time
	Unsent       bool
}

// shownWait rounds an estimate up to a step of about a tenth of it: a customer reads "about 25
// minutes", and a rush (every admission adds TicketTime) announces a new value every few
// admissions, not every one. Rounded up: an estimate is never shown shorter than it is.
func shownWait(d time.Duration) time.Duration {
	step := time.Minute
	switch {
	case d > 3*time.Hour:
		step = time.Hour
	case d > time.Hour:
		step = 15 * time.Minute
	case d > 10*time.Minute:
		step = 5 * time.Minute
	}
	return (d + step - 1) / step * step
}

// overCapacity: a new ticket now would be one beyond the store's limit (0 is no limit).
func (q *Queue) overCapacity(work int) bool {
	return q.Capacity.Limit > 0 && work >= q.Capacity.Limit
}

// announce makes a new announcement of the store's load when what customers should see differs
// from the last one, and reports whether it did. Called before every save of a change, so the
// announcement is in saved state before it is published.
func (q *Queue) announce(now time.Time, per time.Duration) bool {
	work := q.working()
	next := Load{Busy: q.Capacity.Busy, OverCapacity: q.overCapacity(work), Wait: shownWait(q.wait(work+1, per))}
	if next.Busy == q.Load.Busy && next.OverCapacity == q.Load.OverCapacity && next.Wait == q.Load.Wait {
		return false
	}
	next.Seq, next.At, next.Unsent = q.Load.Seq+1, now, true
	q.Load = next
	return true
}

// event is the announcement as published.
func (l Load) event(storeID string) event.StoreLoad {
	return event.StoreLoad{Type: event.StoreLoadChanged, StoreID: storeID, Busy: l.Busy, OverCapacity: l.OverCapacity,
		WaitSeconds: int64(l.Wait / time.Second), Seq: l.Seq, At: l.At}
}

// id names an announcement among the events Service.sent remembers as published.
func (l Load) id() string { return "load/" + strconv.FormatInt(l.Seq, 10) }

// publishLoad publishes the store's unsent load announcement and reports whether it went out;
// a failure leaves it unsent in the saved queue, for the next change or Tick (see commit).
func (s *Service) publishLoad(ctx context.Context, q Queue) bool {
	if !q.Load.Unsent {
		return false
	}
	if err := s.pub.PublishStoreLoad(ctx, q.Load.event(q.StoreID)); err != nil {
		s.log.Warn("store load kept unsent for the next try", "store", q.StoreID, "seq", q.Load.Seq, "err", err)
		return false
	}
	return true
}
