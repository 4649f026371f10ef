package paying

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// The reconciler makes every intent end without relying on one notification: a periodic sweep
// reads the listed (open) intents, asks the provider about those pending longer than
// PendingAfter and settles them as a notification would (or resumes a creation the provider
// never got), retries due refunds, publishes orphaned events, abandons intents unpaid past
// AbandonAfter, and unlists intents that need nothing more. It only makes the moves the service
// makes, forward-only and idempotent, so a sweep run twice, or on two replicas at once, changes
// nothing the first did not.

// Reports keeps the last sweep's report, for the operators' endpoint of any replica.
type Reports interface {
	LastReport(ctx context.Context) (Report, error) // ErrNotFound before the first sweep
	PutReport(ctx context.Context, r Report) error
}

// Report is what one sweep found and did.
type Report struct {
	StartedAt, FinishedAt time.Time
	Listed                int // order ids in the index
	Polled                int // intents the provider was asked about
	Settled               int // intents the provider's answer moved on
	Resumed               int // creations the provider had not got, made now
	Refunded              int // due refunds made
	Abandoned             int // intents unpaid past AbandonAfter
	Unlisted              int // intents (or stray marks) taken off the index
	Errors                int
	ErrorSamples          []string
}

// maxErrorSamples and maxPolls keep a sweep and its report small whatever it finds; intents left
// over are polled by the next sweep.
const (
	maxErrorSamples = 10
	maxPolls        = 200
	pageSize        = 100
)

// markGrace is how old a mark must be before the reconciler may unlist it: Create marks just
// before it writes the intent, and a refund or a late payment marks again just before its write,
// so a younger mark may belong to a write in flight.
const markGrace = time.Minute

func (r *Report) failed(err error) {
	r.Errors++
	if len(r.ErrorSamples) < maxErrorSamples {
		r.ErrorSamples = append(r.ErrorSamples, err.Error())
	}
}

// Reconciler sweeps the open intents; see above.
type Reconciler struct {
	svc     *Service
	reports Reports
	log     *slog.Logger
	// running serialises this replica's sweeps: a job tick arriving while one runs is skipped
	// (TrySweep), an operator's sweep waits for it (Sweep).
	running sync.Mutex
}

// NewReconciler returns the reconciler of svc's intents, keeping its reports in reports.
func NewReconciler(svc *Service, reports Reports, log *slog.Logger) *Reconciler {
	return &Reconciler{svc: svc, reports: reports, log: log}
}

// Sweep runs one sweep, after any this replica is running, and returns its report. Faults met on
// single intents are in the report; an error means the sweep could not run at all.
func (r *Reconciler) Sweep(ctx context.Context) (Report, error) {
	r.running.Lock()
	defer r.running.Unlock()
	return r.sweep(ctx)
}

// TrySweep runs a sweep unless this replica is running one already (ran false).
func (r *Reconciler) TrySweep(ctx context.Context) (rep Report, ran bool, err error) {
	if !r.running.TryLock() {
		return Report{}, false, nil
	}
	defer r.running.Unlock()
	rep, err = r.sweep(ctx)
	return rep, true, err
}

// LastReport returns the report of the last sweep of any replica; ErrNotFound before the first.
func (r *Reconciler) LastReport(ctx context.Context) (Report, error) {
	return r.reports.LastReport(ctx)
}

func (r *Reconciler) sweep(ctx context.Context) (Report, error) {
	s := r.svc
	now := s.now()
	rep := Report{StartedAt: now}
	marks, err := s.index.Marked(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("read the open intents: %w", err)
	}
	rep.Listed = len(marks)
	done := map[string]time.Time{}
	for page := range slices.Chunk(slices.Sorted(maps.Keys(marks)), pageSize) {
		intents, err := s.repo.Intents(ctx, page)
		if err != nil {
			rep.failed(fmt.Errorf("read %d intents: %w", len(page), err))
			continue
		}
		for _, id := range page {
			in, found := intents[id]
			if err := r.visit(ctx, in, found, now, &rep); err != nil {
				rep.failed(fmt.Errorf("order %s: %w", id, err))
				continue
			}
			if now.Sub(marks[id]) > markGrace && (!found || !in.open()) {
				done[id] = marks[id] // what it was when read: a later write may still change it
			}
		}
	}
	// Unlisted only when the intent as read needed nothing more; one this sweep moved on is
	// looked at again by the next sweep, and unlisted then.
	if err := s.index.Unmark(ctx, done); err != nil {
		rep.failed(fmt.Errorf("unlist %d intents: %w", len(done), err))
	} else {
		rep.Unlisted = len(done)
	}
	rep.FinishedAt = s.now()
	if err := r.reports.PutReport(ctx, rep); err != nil {
		r.log.Warn("reconciler report not kept", "err", err)
	}
	return rep, nil
}

// visit does what one intent needs; a changed intent is marked so that it is not unlisted yet.
func (r *Reconciler) visit(ctx context.Context, in Intent, found bool, now time.Time, rep *Report) error {
	s := r.svc
	if !found {
		return nil
	}
	s.relay(ctx, in, "") // orphaned events: their relay died with its process
	switch {
	case in.Status == RefundPending:
		if err := s.refund(ctx, in); err != nil {
			return err
		}
		rep.Refunded++
	case in.polled() && now.Sub(in.UpdatedAt) >= s.cfg.PendingAfter:
		if rep.Polled >= maxPolls {
			return nil
		}
		rep.Polled++
		return r.settle(ctx, in, now, rep)
	}
	return nil
}

// settle asks the provider about an intent that has waited too long and applies its answer.
func (r *Reconciler) settle(ctx context.Context, in Intent, now time.Time, rep *Report) error {
	s := r.svc
	var out Intent
	if in.Status == Creating {
		// The provider may never have got the creation, or its answer was lost: create again.
		// The provider's create is idempotent by order id and answers the payment it holds, so
		// no lookup first. A lookup of a payment the provider never got is a 404, which Dapr's
		// breaker counts as a failure like any non-2xx answer: a few such intents kept the
		// breaker open after the provider came back (seen in the e2e suite).
		o, err := s.open(ctx, in)
		if err != nil {
			return err
		}
		rep.Resumed++
		out = o
	} else {
		n, err := s.provider.Payment(ctx, in.TxnID)
		if err != nil {
			return err
		}
		if out, err = s.learn(ctx, in.OrderID, n); err != nil {
			return err
		}
	}
	if out.Status != in.Status {
		rep.Settled++
	}
	switch {
	case out.Status == RefundPending:
		if err := s.refund(ctx, out); err != nil {
			return err
		}
		rep.Refunded++
	case (out.Status == Pending || out.Status == Creating) && now.Sub(out.CreatedAt) >= s.cfg.AbandonAfter:
		if _, err := s.update(ctx, in.OrderID, func(cur Intent) (Intent, string, bool, error) {
			if !cur.Status.canBecome(Abandoned) || cur.Status == Abandoned {
				return cur, "", false, nil
			}
			cur.Status, cur.UpdatedAt = Abandoned, s.now()
			return cur, "", true, nil
		}); err != nil {
			return err
		}
		s.log.Info("payment abandoned: unpaid past the abandon time; a late payment still settles it", "order", in.OrderID)
		rep.Abandoned++
	}
	return nil
}
