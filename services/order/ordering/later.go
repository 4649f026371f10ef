package ordering

import (
	"sync"
	"time"
)

// BatchDelay is how long the service lets work that can wait gather before it goes to the
// sidecar together: the clears of published events (outbox.go) and the expiry jobs of new orders
// (expiry.go). Every checkout of those 250 ms then shares one bulk read and write of the clears
// and one job, instead of paying for its own, off the checkout's path. Nobody waits for either
// (a job is due at the order's own payment time; an event waiting for its clear was published),
// so the window is long enough to gather the checkouts of a canteen's ordinary minutes too, not
// only of a rush (from 100 ms: 0.25 fewer sidecar operations a checkout at 76/s, 0.75 at 15/s,
// BENCHMARKS.md), and bounded by what waiting risks: it must stay well under
// outbox.OrphanAfter (an event not yet cleared looks pending, and once orphaned anyone relaying
// the order would publish it again), and what a killed process had queued is left to the slower
// ways back (the reconciler's sweep expires an order whose job was never scheduled).
const BatchDelay = 250 * time.Millisecond

// EventDelay is how long a new order's event (order.created) may wait, after its checkout was
// answered, to be published with the other checkouts' of that moment in one call: at 200
// checkouts a second, one publish for about four of them instead of one each. It is written in
// the order's record before the checkout is answered, so the wait delays it, never loses it, and
// no step of the order's lifecycle waits for it (only the status streams read it).
const EventDelay = 20 * time.Millisecond

// later gathers what concurrent requests queue, for one call to take it all: the first item of a
// batch arms a timer that runs fire delay later, unless a Flush took the batch first.
type later[T any] struct {
	mu    sync.Mutex
	items []T
	armed bool
}

// add queues items.
func (l *later[T]) add(delay time.Duration, fire func(), items ...T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, items...)
	if !l.armed {
		l.armed = true
		time.AfterFunc(delay, fire)
	}
}

// take returns what is queued and starts a new batch.
func (l *later[T]) take() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	items := l.items
	l.items, l.armed = nil, false
	return items
}
