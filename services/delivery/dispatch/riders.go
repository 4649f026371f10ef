package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Zone is a campus zone riders work in.
type Zone struct {
	ID, Name string
}

// Rider is a rider's seat in its zone with its open jobs.
type Rider struct {
	ID, Zone string
	Capacity int
	OnDuty   bool
	Jobs     []Job
}

// PutZone creates the zone or renames it.
func (s *Service) PutZone(ctx context.Context, id, name string) (Zone, error) {
	if err := validID("zone_id", id); err != nil {
		return Zone{}, err
	}
	if name = strings.TrimSpace(name); name == "" || len(name) > 100 {
		return Zone{}, &InvalidError{Field: "name", Reason: "must be 1-100 characters"}
	}
	_, _, err := s.editRoster(ctx, id, func(r *Roster) (bool, error) {
		if r.Name == name {
			return false, nil
		}
		r.Name = name
		return true, nil
	})
	if errors.Is(err, ErrUnknownZone) {
		err = s.repo.CreateRoster(ctx, Roster{Zone: id, Name: name, Seats: map[string]Seat{}})
		if err != nil { // a concurrent create: try the rename again
			_, _, err = s.editRoster(ctx, id, func(r *Roster) (bool, error) { r.Name = name; return true, nil })
		}
	}
	if err != nil {
		return Zone{}, fmt.Errorf("put zone %s: %w", id, err)
	}
	// Listed after the roster exists, so the sweep never lists a zone that is not there.
	if err := s.repo.AddZone(ctx, id); err != nil {
		return Zone{}, fmt.Errorf("list zone %s: %w", id, err)
	}
	return Zone{ID: id, Name: name}, nil
}

// PutRider registers the rider in its zone, or changes its capacity (0: DefaultCapacity) or its
// zone (only with no open jobs: ErrRiderBusy). A new rider starts off duty.
func (s *Service) PutRider(ctx context.Context, id, zone string, capacity int) (Rider, error) {
	if err := validID("rider_id", id); err != nil {
		return Rider{}, err
	}
	if err := validID("zone", zone); err != nil {
		return Rider{}, err
	}
	if capacity == 0 {
		capacity = DefaultCapacity
	}
	if capacity < 1 || capacity > 100 {
		return Rider{}, &InvalidError{Field: "capacity", Reason: "must be 1-100"}
	}
	old, err := s.repo.RiderZone(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Rider{}, err
	}
	if _, _, err := s.repo.Roster(ctx, zone); errors.Is(err, ErrNotFound) {
		return Rider{}, ErrUnknownZone
	} else if err != nil {
		return Rider{}, err
	}
	if old != "" && old != zone {
		// Leave the old zone first: a rider is never seated in two zones.
		_, _, err := s.editRoster(ctx, old, func(r *Roster) (bool, error) {
			seat, ok := r.Seats[id]
			if ok && len(seat.Jobs) > 0 {
				return false, ErrRiderBusy
			}
			delete(r.Seats, id)
			return ok, nil
		})
		if err != nil && !errors.Is(err, ErrUnknownZone) {
			return Rider{}, fmt.Errorf("rider %s leaves %s: %w", id, old, err)
		}
	}
	r, as, err := s.editRoster(ctx, zone, func(r *Roster) (bool, error) {
		seat := r.Seats[id]
		if seat.Capacity == capacity {
			return false, nil
		}
		seat.Capacity = capacity
		r.Seats[id] = seat
		return true, nil
	})
	if err != nil {
		return Rider{}, fmt.Errorf("seat rider %s in %s: %w", id, zone, err)
	}
	// The directory last: until it names the zone, the rider cannot go on duty or move jobs.
	if err := s.repo.SetRiderZone(ctx, id, zone); err != nil {
		return Rider{}, err
	}
	if err := s.apply(ctx, zone, as); err != nil {
		s.log.Warn("assignments after a capacity change not all recorded; the sweep resumes them", "zone", zone, "err", err)
	}
	return s.rider(ctx, id, r)
}

// SetDuty puts the rider on or off duty. On duty, waiting jobs of the zone go to it at once; off
// duty, it keeps the jobs it has and gets no new ones.
func (s *Service) SetDuty(ctx context.Context, id string, on bool) (Rider, error) {
	zone, err := s.riderZone(ctx, id)
	if err != nil {
		return Rider{}, err
	}
	r, as, err := s.editRoster(ctx, zone, func(r *Roster) (bool, error) {
		seat, ok := r.Seats[id]
		if !ok {
			return false, ErrNotFound
		}
		if seat.OnDuty == on {
			return false, nil
		}
		seat.OnDuty = on
		r.Seats[id] = seat
		return true, nil
	})
	if err != nil {
		return Rider{}, fmt.Errorf("duty of rider %s: %w", id, err)
	}
	if err := s.apply(ctx, zone, as); err != nil {
		s.log.Warn("assignments after a rider came on duty not all recorded; the sweep resumes them", "zone", zone, "err", err)
	}
	return s.rider(ctx, id, r)
}

// Rider reads the rider with its open jobs.
func (s *Service) Rider(ctx context.Context, id string) (Rider, error) {
	zone, err := s.riderZone(ctx, id)
	if err != nil {
		return Rider{}, err
	}
	r, _, err := s.repo.Roster(ctx, zone)
	if err != nil {
		return Rider{}, err
	}
	return s.rider(ctx, id, r)
}

func (s *Service) riderZone(ctx context.Context, id string) (string, error) {
	if err := validID("rider_id", id); err != nil {
		return "", err
	}
	return s.repo.RiderZone(ctx, id)
}

// rider is the rider's view from its zone's roster, its jobs read in one bulk read.
func (s *Service) rider(ctx context.Context, id string, r Roster) (Rider, error) {
	seat, ok := r.Seats[id]
	if !ok {
		return Rider{}, ErrNotFound
	}
	out := Rider{ID: id, Zone: r.Zone, Capacity: seat.Capacity, OnDuty: seat.OnDuty, Jobs: []Job{}}
	jobs, err := s.repo.Jobs(ctx, seat.Jobs)
	if err != nil {
		return Rider{}, err
	}
	for _, oid := range seat.Jobs {
		if j, ok := jobs[oid]; ok {
			out.Jobs = append(out.Jobs, j)
		}
	}
	return out, nil
}
