package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Paid records a paid delivery order as a job, once (a repeat changes nothing); a job the kitchen
// already marked ready starts waiting for a rider at once.
func (s *Service) Paid(ctx context.Context, p Paid) error {
	for field, id := range map[string]string{"order_id": p.OrderID, "zone": p.Zone} {
		if err := validID(field, id); err != nil {
			return err
		}
	}
	j, _, err := s.editJob(ctx, p.OrderID, true, func(j *Job) (bool, error) { return j.pay(p, s.now()), nil })
	if err != nil {
		return fmt.Errorf("paid %s: %w", p.OrderID, err)
	}
	return s.dispatchIfWaiting(ctx, j)
}

// Ready records the kitchen's ready mark: a paid job starts waiting for a rider; one not paid
// yet (order.paid comes on another topic, in any order) keeps the mark until it is.
func (s *Service) Ready(ctx context.Context, orderID string) error {
	if err := validID("order_id", orderID); err != nil {
		return err
	}
	j, _, err := s.editJob(ctx, orderID, true, func(j *Job) (bool, error) { return j.markReady(s.now()), nil })
	if err != nil {
		return fmt.Errorf("ready %s: %w", orderID, err)
	}
	return s.dispatchIfWaiting(ctx, j)
}

// Cancel ends the job of an order the store rejected or that was cancelled, and frees its rider.
// A job not known yet is remembered as cancelled, so that a later order.paid does not start it.
func (s *Service) Cancel(ctx context.Context, orderID, reason string) error {
	if err := validID("order_id", orderID); err != nil {
		return err
	}
	j, _, err := s.editJob(ctx, orderID, true, func(j *Job) (bool, error) { return j.cancel(reason, s.now()), nil })
	if err != nil {
		return fmt.Errorf("cancel %s: %w", orderID, err)
	}
	if j.Status == Cancelled && j.Zone != "" {
		return s.free(ctx, j)
	}
	return nil
}

// dispatchIfWaiting puts a waiting job in its zone's line and dispatches what the roster can.
// It is repeated by every redelivery of the event that made the job wait, and resumes an
// assignment the roster made but the job did not record (a crash between the two writes).
func (s *Service) dispatchIfWaiting(ctx context.Context, j Job) error {
	if j.Status != Waiting {
		return nil
	}
	r, as, err := s.editRoster(ctx, j.Zone, func(r *Roster) (bool, error) { return r.enqueue(j.OrderID, j.Previous), nil })
	if err != nil {
		return fmt.Errorf("dispatch %s: %w", j.OrderID, err)
	}
	if rider, held := r.Holder(j.OrderID); held && !slices.ContainsFunc(as, func(a Assignment) bool { return a.OrderID == j.OrderID }) {
		as = append(as, Assignment{OrderID: j.OrderID, RiderID: rider})
	}
	return s.apply(ctx, j.Zone, as)
}

// free takes a finished or cancelled job off its rider and out of the line, and gives the room
// it leaves to waiting jobs.
func (s *Service) free(ctx context.Context, j Job) error {
	// Read after the caller's relay: an event it could not publish keeps the job listed.
	cur, _, err := s.repo.Job(ctx, j.OrderID)
	unsent := err == nil && len(cur.Outbox) > 0
	_, as, err := s.editRoster(ctx, j.Zone, func(r *Roster) (bool, error) {
		released := r.release(j.OrderID)
		if unsent && !slices.Contains(r.Unsent, j.OrderID) {
			r.Unsent = append(r.Unsent, j.OrderID)
			return true, nil
		}
		return released, nil
	})
	if err != nil {
		return fmt.Errorf("free the rider of %s: %w", j.OrderID, err)
	}
	return s.apply(ctx, j.Zone, as)
}

// apply records the roster's assignments in the jobs: each job is assigned, its accept timer
// scheduled and its event relayed. A job that ended meanwhile is taken off the roster again.
// It goes on past a failure (the roster holds the assignment; a repeat or the sweep resumes it).
func (s *Service) apply(ctx context.Context, zone string, as []Assignment) error {
	var errs []error
	for _, a := range as {
		j, changed, err := s.editJob(ctx, a.OrderID, false, func(j *Job) (bool, error) { return j.assign(a.RiderID, s.now()), nil })
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("assign %s to %s: %w", a.OrderID, a.RiderID, err))
			continue
		case !j.Open():
			errs = append(errs, s.free(ctx, j))
			continue
		case !changed:
			continue
		}
		if err := s.timers.AcceptBy(ctx, j.OrderID, j.Attempt, s.cfg.AcceptWithin); err != nil {
			// The sweep expires an assignment whose window passed without a timer.
			s.log.Warn("accept timer not scheduled; the sweep will expire the assignment", "order", j.OrderID, "err", err)
		}
		s.relay(ctx, j, j.Outbox[len(j.Outbox)-1].EventType())
	}
	return errors.Join(errs...)
}

// AcceptExpired is the accept timer of assignment attempt: if the rider has not accepted, the job
// goes back to the line (avoiding that rider) and on to another rider, the first one's load freed.
// A late timer (the job accepted, reassigned or ended) changes nothing. Repeats are safe.
func (s *Service) AcceptExpired(ctx context.Context, orderID string, attempt int) error {
	j, _, err := s.editJob(ctx, orderID, false, func(j *Job) (bool, error) { return j.expire(attempt, s.now()), nil })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("expire %s/%d: %w", orderID, attempt, err)
	}
	if j.Status != Waiting || j.Attempt != attempt || len(j.Previous) == 0 {
		return nil
	}
	return s.requeue(ctx, j)
}

// requeue takes a waiting job off the rider who let it go (the last of Previous), if the roster
// still has it there, and puts it back in the line.
func (s *Service) requeue(ctx context.Context, j Job) error {
	last := j.Previous[len(j.Previous)-1]
	_, as, err := s.editRoster(ctx, j.Zone, func(r *Roster) (bool, error) {
		released := false
		if holder, held := r.Holder(j.OrderID); held && holder == last {
			released = r.release(j.OrderID)
		}
		queued := r.enqueue(j.OrderID, j.Previous)
		return released || queued, nil
	})
	if err != nil {
		return fmt.Errorf("requeue %s: %w", j.OrderID, err)
	}
	return s.apply(ctx, j.Zone, as)
}

// Move is a rider's move on its job. Unknown rider: ErrUnknownRider; a job never this rider's:
// ErrNotYours; a job it let go: ErrReassigned; a move the status does not allow: TransitionError.
func (s *Service) Move(ctx context.Context, orderID, riderID string, a Action) (Job, error) {
	if err := validID("order_id", orderID); err != nil {
		return Job{}, err
	}
	if err := validID("X-Rider-Id", riderID); err != nil {
		return Job{}, err
	}
	if _, err := s.repo.RiderZone(ctx, riderID); errors.Is(err, ErrNotFound) {
		return Job{}, ErrUnknownRider
	} else if err != nil {
		return Job{}, err
	}
	j, changed, err := s.editJob(ctx, orderID, false, func(j *Job) (bool, error) {
		if j.Status == Unpaid {
			return false, ErrNotFound
		}
		return j.move(riderID, a, s.now())
	})
	if err != nil {
		return Job{}, err
	}
	if changed {
		s.relay(ctx, j, j.Outbox[len(j.Outbox)-1].EventType())
	}
	if j.Status == Delivered {
		// Also on a repeat: the first delivered may have died before freeing the rider.
		if err := s.free(ctx, j); err != nil {
			return Job{}, err
		}
	}
	return j, nil
}

// Job reads a job; a placeholder of an order not paid yet is not found.
func (s *Service) Job(ctx context.Context, orderID string) (Job, error) {
	if err := validID("order_id", orderID); err != nil {
		return Job{}, err
	}
	j, _, err := s.repo.Job(ctx, orderID)
	if err == nil && j.Status == Unpaid {
		err = ErrNotFound
	}
	return j, err
}
