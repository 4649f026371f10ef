package dispatch

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// Token is a record's version as read (its ETag): a save with a stale one is occ.ErrConflict.
type Token string

// Repository keeps jobs, zone rosters, the rider -> zone directory and the list of zones.
type Repository interface {
	Job(ctx context.Context, orderID string) (Job, Token, error)
	Jobs(ctx context.Context, orderIDs []string) (map[string]Job, error)
	CreateJob(ctx context.Context, j Job) error
	SaveJob(ctx context.Context, j Job, t Token) error
	Roster(ctx context.Context, zone string) (Roster, Token, error)
	CreateRoster(ctx context.Context, r Roster) error
	SaveRoster(ctx context.Context, r Roster, t Token) error
	RiderZone(ctx context.Context, riderID string) (string, error)
	SetRiderZone(ctx context.Context, riderID, zone string) error
	Zones(ctx context.Context) ([]string, error)
	AddZone(ctx context.Context, zone string) error
}

// Publisher publishes delivery events on the deliveries topic.
type Publisher interface {
	PublishDelivery(ctx context.Context, e event.DeliveryJob) error
}

// Timers schedules the accept timer of an assignment: AcceptExpired(orderID, attempt) is to be
// called after the accept window, at least once, even across restarts (a Dapr job).
type Timers interface {
	AcceptBy(ctx context.Context, orderID string, attempt int, after time.Duration) error
}

// Config is the service's tunables.
type Config struct {
	// AcceptWithin is how long an assigned rider has to accept before the job goes to another.
	AcceptWithin time.Duration
}

// Deps is what the service is built from; Now defaults to time.Now.
type Deps struct {
	Repository Repository
	Publisher  Publisher
	Timers     Timers
	Log        *slog.Logger
	Now        func() time.Time
}

// Service is the delivery use cases.
type Service struct {
	repo   Repository
	pub    Publisher
	timers Timers
	log    *slog.Logger
	now    func() time.Time
	cfg    Config
	// zones serialises this replica's writes of one zone's roster. Not for correctness (the
	// roster's ETag is): without it, a lunch rush of concurrent ready events on one zone would
	// mostly meet conflicts and exhaust their retries; with it, only replicas contend.
	zones sync.Map // zone -> *sync.Mutex
}

// NewService builds the service; AcceptWithin defaults to 2 minutes.
func NewService(d Deps, cfg Config) *Service {
	if cfg.AcceptWithin <= 0 {
		cfg.AcceptWithin = 2 * time.Minute
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{repo: d.Repository, pub: d.Publisher, timers: d.Timers, log: d.Log, now: d.Now, cfg: cfg}
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// validID checks an id from outside, as every Canteen id: 1-64 letters, digits, '-' or '_'.
func validID(field, id string) error {
	if !idPattern.MatchString(id) {
		return &InvalidError{Field: field, Reason: "must be 1-64 letters, digits, '-' or '_'"}
	}
	return nil
}

// editJob reads the job (a fresh Unpaid placeholder when absent and create is set), lets fn
// change it, and saves it with its ETag when fn reports a change, retrying on conflicts.
func (s *Service) editJob(ctx context.Context, orderID string, create bool, fn func(j *Job) (bool, error)) (Job, bool, error) {
	var (
		out     Job
		changed bool
	)
	err := occ.Retry(ctx, func(ctx context.Context) error {
		j, tok, err := s.repo.Job(ctx, orderID)
		fresh := errors.Is(err, ErrNotFound) && create
		switch {
		case fresh:
			now := s.now()
			j = Job{OrderID: orderID, Status: Unpaid, CreatedAt: now, UpdatedAt: now}
		case err != nil:
			return err
		}
		ch, err := fn(&j)
		if err != nil {
			return err
		}
		out, changed = j, ch
		switch {
		case !ch && !fresh:
			return nil
		case fresh:
			return s.repo.CreateJob(ctx, j)
		}
		return s.repo.SaveJob(ctx, j, tok)
	})
	return out, changed, err
}

// editRoster changes the zone's roster by fn (which reports whether it changed anything), then
// gives waiting jobs to riders with room, and saves it with its ETag when anything changed. It
// returns the roster as saved and the assignments made; the caller applies them to the jobs.
func (s *Service) editRoster(ctx context.Context, zone string, fn func(r *Roster) (bool, error)) (Roster, []Assignment, error) {
	mu, _ := s.zones.LoadOrStore(zone, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	var (
		out Roster
		as  []Assignment
	)
	err := occ.Retry(ctx, func(ctx context.Context) error {
		r, tok, err := s.repo.Roster(ctx, zone)
		if errors.Is(err, ErrNotFound) {
			return ErrUnknownZone
		}
		if err != nil {
			return err
		}
		if r.Seats == nil {
			r.Seats = map[string]Seat{}
		}
		changed, err := fn(&r)
		if err != nil {
			return err
		}
		as = r.assign()
		out = r
		if !changed && len(as) == 0 {
			return nil
		}
		return s.repo.SaveRoster(ctx, r, tok)
	})
	return out, as, err
}
