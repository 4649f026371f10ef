package ordering

import (
	"context"
	"slices"
	"time"
)

// Expiry is an order's payment timeout: the order expires if it is still unpaid At.
type Expiry struct {
	Order Order
	At    time.Time
}

// Scheduler fires Expire for orders at their times, durably (it survives restarts of every
// process). One call schedules a batch, which it may give the scheduler as one job.
type Scheduler interface {
	ScheduleExpiries(ctx context.Context, es []Expiry) error
}

const (
	// maxExpiryBatch bounds the orders of one call to the Scheduler.
	maxExpiryBatch = 100
	// maxQueuedExpiries bounds the expiries kept in memory while the scheduler refuses them;
	// beyond it the oldest are left to the reconciler's sweep (see Statuses).
	maxQueuedExpiries = 100_000
	// expiryRetryDelay is how long expiries the scheduler refused wait before they are tried again.
	expiryRetryDelay = 5 * time.Second
)

// expireLater queues the order's expiry for the next batch (BatchDelay from the first one
// queued): the checkout does not wait for the scheduler, and the expiries of a lunch rush's
// checkouts are one job every BatchDelay instead of one each. An expiry that dies with its process
// before it was scheduled is not lost: inventory's reconciler asks about every order that holds
// stock, and Statuses expires an order whose payment time has passed (a never-stored order's
// stock goes back after the payment time and the reconciler's margin).
func (s *Service) expireLater(o Order) {
	s.expiries.add(s.batchDelay, timed(s.flushExpiries), Expiry{Order: o, At: o.CreatedAt.Add(s.timeout)})
}

// flushExpiries gives the scheduler the queued expiries, a batch at a time. A batch it refuses
// (the scheduler unreachable) is queued again, tried again expiryRetryDelay later (or with the
// next checkouts' batch).
func (s *Service) flushExpiries(ctx context.Context) {
	var failed []Expiry
	for batch := range slices.Chunk(s.expiries.take(), maxExpiryBatch) {
		if err := s.sched.ScheduleExpiries(ctx, batch); err != nil {
			s.log.Warn("expiry jobs not scheduled; queued again", "orders", len(batch), "err", err)
			failed = append(failed, batch...)
		}
	}
	if len(failed) == 0 {
		return
	}
	if drop := len(failed) - maxQueuedExpiries; drop > 0 {
		s.log.Error("too many expiry jobs unscheduled; the oldest are left to the reconciler's sweep", "orders", drop)
		failed = failed[drop:]
	}
	s.expiries.add(expiryRetryDelay, timed(s.flushExpiries), failed...)
}

// overdue reports whether o is unpaid past its payment time.
func (s *Service) overdue(o Order) bool {
	return o.Status == PendingPayment && !s.now().Before(o.CreatedAt.Add(s.timeout))
}
