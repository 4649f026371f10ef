// Package dispatchtest holds test doubles of the delivery service's ports: an in-memory
// Repository and Publisher that count what tests must check, a recording Timers, and
// RunRepositoryContract, the suite every Repository passes.
package dispatchtest

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// Memory is an in-memory Repository and Publisher with versioned records, as a store with ETags.
type Memory struct {
	mu        sync.Mutex
	jobs      map[string]versioned[dispatch.Job]
	rosters   map[string]versioned[dispatch.Roster]
	riders    map[string]string
	zones     []string
	version   int
	Published []event.DeliveryJob
	// RosterSaves counts roster writes that took (tests of contention read it).
	RosterSaves int
	publishDown bool
}

// SetPublishDown makes every publish fail (down) or succeed again.
func (m *Memory) SetPublishDown(down bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.publishDown = down
}

type versioned[T any] struct {
	v   T
	tag string
}

var (
	_ dispatch.Repository = (*Memory)(nil)
	_ dispatch.Publisher  = (*Memory)(nil)
)

// NewMemory returns an empty store.
func NewMemory() *Memory {
	return &Memory{jobs: map[string]versioned[dispatch.Job]{}, rosters: map[string]versioned[dispatch.Roster]{}, riders: map[string]string{}}
}

func (m *Memory) tag() string { m.version++; return strconv.Itoa(m.version) }

// Job reads one job (a deep copy).
func (m *Memory) Job(_ context.Context, id string) (dispatch.Job, dispatch.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.jobs[id]
	if !ok {
		return dispatch.Job{}, "", dispatch.ErrNotFound
	}
	return cloneJob(r.v), dispatch.Token(r.tag), nil
}

// Jobs reads the jobs among ids that exist.
func (m *Memory) Jobs(_ context.Context, ids []string) (map[string]dispatch.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]dispatch.Job{}
	for _, id := range ids {
		if r, ok := m.jobs[id]; ok {
			out[id] = cloneJob(r.v)
		}
	}
	return out, nil
}

// CreateJob stores a new job; occ.ErrConflict when it exists.
func (m *Memory) CreateJob(_ context.Context, j dispatch.Job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.jobs[j.OrderID]; ok {
		return occ.ErrConflict
	}
	m.jobs[j.OrderID] = versioned[dispatch.Job]{cloneJob(j), m.tag()}
	return nil
}

// SaveJob stores the job if t is its current version.
func (m *Memory) SaveJob(_ context.Context, j dispatch.Job, t dispatch.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.jobs[j.OrderID]; !ok || r.tag != string(t) {
		return occ.ErrConflict
	}
	m.jobs[j.OrderID] = versioned[dispatch.Job]{cloneJob(j), m.tag()}
	return nil
}

// Roster reads a zone's roster (a deep copy).
func (m *Memory) Roster(_ context.Context, zone string) (dispatch.Roster, dispatch.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rosters[zone]
	if !ok {
		return dispatch.Roster{}, "", dispatch.ErrNotFound
	}
	return cloneRoster(r.v), dispatch.Token(r.tag), nil
}

// CreateRoster stores a new roster; occ.ErrConflict when it exists.
func (m *Memory) CreateRoster(_ context.Context, r dispatch.Roster) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rosters[r.Zone]; ok {
		return occ.ErrConflict
	}
	m.rosters[r.Zone] = versioned[dispatch.Roster]{cloneRoster(r), m.tag()}
	return nil
}

// SaveRoster stores the roster if t is its current version.
func (m *Memory) SaveRoster(_ context.Context, r dispatch.Roster, t dispatch.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.rosters[r.Zone]; !ok || cur.tag != string(t) {
		return occ.ErrConflict
	}
	m.rosters[r.Zone] = versioned[dispatch.Roster]{cloneRoster(r), m.tag()}
	m.RosterSaves++
	return nil
}

// RiderZone is the rider's zone.
func (m *Memory) RiderZone(_ context.Context, id string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	z, ok := m.riders[id]
	if !ok {
		return "", dispatch.ErrNotFound
	}
	return z, nil
}

// SetRiderZone records the rider's zone.
func (m *Memory) SetRiderZone(_ context.Context, id, zone string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.riders[id] = zone
	return nil
}

// Zones lists the zones.
func (m *Memory) Zones(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.zones), nil
}

// AddZone lists a zone once.
func (m *Memory) AddZone(_ context.Context, zone string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !slices.Contains(m.zones, zone) {
		m.zones = append(m.zones, zone)
	}
	return nil
}

// PublishDelivery records the event.
func (m *Memory) PublishDelivery(_ context.Context, e event.DeliveryJob) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.publishDown {
		return errors.New("pub/sub unreachable")
	}
	m.Published = append(m.Published, e)
	return nil
}

// Events is a copy of what was published.
func (m *Memory) Events() []event.DeliveryJob {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.Published)
}

func cloneJob(j dispatch.Job) dispatch.Job {
	j.Previous, j.Outbox = slices.Clone(j.Previous), slices.Clone(j.Outbox)
	return j
}

func cloneRoster(r dispatch.Roster) dispatch.Roster {
	seats := make(map[string]dispatch.Seat, len(r.Seats))
	for id, s := range r.Seats {
		s.Jobs = slices.Clone(s.Jobs)
		seats[id] = s
	}
	r.Seats = seats
	r.Waiting, r.Unsent = slices.Clone(r.Waiting), slices.Clone(r.Unsent)
	for i := range r.Waiting {
		r.Waiting[i].Avoid = slices.Clone(r.Waiting[i].Avoid)
	}
	return r
}

// Timer is one scheduled accept timer.
type Timer struct {
	OrderID string
	Attempt int
	After   time.Duration
}

// Timers records the accept timers scheduled; tests fire them by calling AcceptExpired.
type Timers struct {
	mu  sync.Mutex
	set []Timer
}

// AcceptBy records the timer.
func (t *Timers) AcceptBy(_ context.Context, orderID string, attempt int, after time.Duration) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.set = append(t.set, Timer{orderID, attempt, after})
	return nil
}

// Scheduled is a copy of the timers scheduled so far.
func (t *Timers) Scheduled() []Timer {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.set)
}
