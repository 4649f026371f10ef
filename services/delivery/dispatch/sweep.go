package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Report is what one sweep found and did.
type Report struct {
	Zones, Assigned, Resumed, Freed, Expired, Relayed int
}

// Sweep is the periodic repair (a recurring Dapr job), so that nothing is stuck after a lost
// message or a crash between two writes: in every zone it gives waiting jobs to riders with room,
// resumes assignments the roster made but a job did not record, frees riders of jobs that ended,
// expires assignments whose accept timer was lost, and relays events left pending.
func (s *Service) Sweep(ctx context.Context) (Report, error) {
	var rep Report
	zones, err := s.repo.Zones(ctx)
	if err != nil {
		return rep, fmt.Errorf("list zones: %w", err)
	}
	var errs []error
	for _, zone := range zones {
		rep.Zones++
		if err := s.sweepZone(ctx, zone, &rep); err != nil {
			errs = append(errs, fmt.Errorf("zone %s: %w", zone, err))
		}
	}
	return rep, errors.Join(errs...)
}

func (s *Service) sweepZone(ctx context.Context, zone string, rep *Report) error {
	r, as, err := s.editRoster(ctx, zone, func(*Roster) (bool, error) { return false, nil })
	if err != nil {
		return err
	}
	rep.Assigned += len(as)
	errs := []error{s.apply(ctx, zone, as), s.relayUnsent(ctx, zone, r.Unsent, rep)}
	var held []string
	for _, seat := range r.Seats {
		held = append(held, seat.Jobs...)
	}
	jobs, err := s.repo.Jobs(ctx, held)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	now := s.now()
	for rider, seat := range r.Seats {
		for _, oid := range seat.Jobs {
			j, ok := jobs[oid]
			switch {
			case !ok || !j.Open():
				rep.Freed++
				errs = append(errs, s.free(ctx, Job{OrderID: oid, Zone: zone}))
			case j.Status == Waiting && len(j.Previous) > 0 && j.Previous[len(j.Previous)-1] == rider:
				rep.Expired++
				errs = append(errs, s.requeue(ctx, j))
			case j.Status == Waiting:
				rep.Resumed++
				errs = append(errs, s.apply(ctx, zone, []Assignment{{OrderID: oid, RiderID: rider}}))
			case j.Status == Assigned && now.Sub(j.AssignedAt) > 2*s.cfg.AcceptWithin:
				rep.Expired++
				errs = append(errs, s.AcceptExpired(ctx, oid, j.Attempt))
			case len(j.Outbox) > 0:
				rep.Relayed++
				s.relay(ctx, j, "")
			}
		}
	}
	return errors.Join(errs...)
}

// relayUnsent relays the pending events of ended jobs and unlists those with none left.
func (s *Service) relayUnsent(ctx context.Context, zone string, ids []string, rep *Report) error {
	if len(ids) == 0 {
		return nil
	}
	jobs, err := s.repo.Jobs(ctx, ids)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if len(j.Outbox) > 0 {
			rep.Relayed++
			s.relay(ctx, j, "")
		}
	}
	if jobs, err = s.repo.Jobs(ctx, ids); err != nil {
		return err
	}
	_, as, err := s.editRoster(ctx, zone, func(r *Roster) (bool, error) {
		n := len(r.Unsent)
		r.Unsent = slices.DeleteFunc(r.Unsent, func(id string) bool { return len(jobs[id].Outbox) == 0 })
		return len(r.Unsent) != n, nil
	})
	if err != nil {
		return err
	}
	return s.apply(ctx, zone, as)
}
