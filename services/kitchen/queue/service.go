package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/canteen/canteen/services/internal/event"
)

// Repository is where a store's queue lives: its hot state (the actor's state) and the archive
// of completed tickets (plain state keys, one per ticket, outside the actor's state).
type Repository interface {
	// Load is the store's queue, NewQueue(storeID) when it has none yet.
	Load(ctx context.Context, storeID string) (Queue, error)
	Save(ctx context.Context, q Queue) error
	Archive(ctx context.Context, t Ticket) error
	// Archived is a completed ticket of the store, ErrNotFound when there is none.
	Archived(ctx context.Context, storeID, orderID string) (Ticket, error)
}

// Publisher publishes ticket events on the tickets topic and store loads on the stores topic;
// publishing one twice must be harmless.
type Publisher interface {
	PublishTicket(ctx context.Context, e event.Ticket) error
	PublishStoreLoad(ctx context.Context, e event.StoreLoad) error
}

// Ticker drives Tick for a store while its queue needs it (a Dapr actor reminder): starting or
// stopping it again is harmless.
type Ticker interface {
	StartTicking(ctx context.Context, storeID string) error
	StopTicking(ctx context.Context, storeID string) error
}

// Config tunes estimates and alerts.
type Config struct {
	// TicketTime is how long one ticket takes the kitchen, for estimates.
	TicketTime time.Duration
	// AcceptAlertAfter is how long a ticket may wait queued before ticket.overdue is raised.
	AcceptAlertAfter time.Duration
	// MaxDone bounds the completed tickets kept for a POS that does not acknowledge.
	MaxDone int
}

// Service runs one store's queue at a time. Its callers (the store's actor) guarantee that calls
// for one store never overlap: every method loads, changes and saves without an ETag.
type Service struct {
	repo   Repository
	pub    Publisher
	ticker Ticker
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
}

// NewService returns the service; now is the clock (time.Now outside tests).
func NewService(repo Repository, pub Publisher, ticker Ticker, cfg Config, log *slog.Logger, now func() time.Time) *Service {
	if cfg.TicketTime <= 0 {
		cfg.TicketTime = 4 * time.Minute
	}
	if cfg.AcceptAlertAfter <= 0 {
		cfg.AcceptAlertAfter = 5 * time.Minute
	}
	if cfg.MaxDone <= 0 {
		cfg.MaxDone = 500
	}
	return &Service{repo: repo, pub: pub, ticker: ticker, cfg: cfg, log: log, now: now}
}

// Admit gives a paid order its ticket, once: admitting it again, even after it was picked up,
// answers the same ticket and changes nothing.
func (s *Service) Admit(ctx context.Context, o event.Order) (Ticket, error) {
	if o.OrderID == "" {
		return Ticket{}, &InvalidError{Field: "order_id", Reason: "is required"}
	}
	q, err := s.repo.Load(ctx, o.StoreID)
	if err != nil {
		return Ticket{}, err
	}
	if t, ok := q.find(o.OrderID); ok {
		return t, nil
	}
	if t, err := s.repo.Archived(ctx, o.StoreID, o.OrderID); !errors.Is(err, ErrNotFound) {
		return t, err
	}
	t, err := q.admit(o, s.now(), s.cfg.TicketTime)
	if err != nil {
		return Ticket{}, err
	}
	return t, s.commit(ctx, &q)
}

// Move makes a staff move on the store's ticket. A completed ticket is read from the archive:
// repeating its last move answers it, any other is a TransitionError.
func (s *Service) Move(ctx context.Context, storeID, orderID string, a Action, reason string) (Ticket, error) {
	q, err := s.repo.Load(ctx, storeID)
	if err != nil {
		return Ticket{}, err
	}
	t, ok := q.Open[orderID]
	if !ok {
		if t, err = s.repo.Archived(ctx, storeID, orderID); err != nil {
			return Ticket{}, err
		}
	}
	next, emit, changed, err := t.move(a, reason, s.now())
	if err != nil || !changed {
		return next, err
	}
	if next.Status.Final() {
		// Archived before it leaves the hot state, so that it is always in one of them.
		if err := s.repo.Archive(ctx, next); err != nil {
			return Ticket{}, fmt.Errorf("archive %s: %w", orderID, err)
		}
	}
	next = q.changed(next, emit, s.cfg.MaxDone)
	return next, s.commit(ctx, &q)
}

// commit saves the queue, with its reminder registered first when it needs one, then publishes
// the outbox: an event exists in saved state before it is published, never the other way.
func (s *Service) commit(ctx context.Context, q *Queue) error {
	q.announce(s.now(), s.cfg.TicketTime)
	if q.needsTick() && !q.Ticking {
		if err := s.ticker.StartTicking(ctx, q.StoreID); err != nil {
			return fmt.Errorf("start the reminder of %s: %w", q.StoreID, err)
		}
		q.Ticking = true
	}
	if err := s.repo.Save(ctx, *q); err != nil {
		return fmt.Errorf("save the queue of %s: %w", q.StoreID, err)
	}
	s.flush(ctx, q)
	return nil
}

// flush publishes the outbox in order and saves what is left. A failed publish, or a failed save
// after publishing, leaves events in the saved outbox for the next change or Tick to publish
// again; consumers deduplicate on (order_id, type).
func (s *Service) flush(ctx context.Context, q *Queue) {
	sent := 0
	for _, e := range q.Outbox {
		if err := s.pub.PublishTicket(ctx, e); err != nil {
			s.log.Warn("ticket event kept in the outbox for the next try", "store", q.StoreID, "order", e.OrderID, "type", e.Type, "err", err)
			break
		}
		sent++
	}
	if loadSent := s.publishLoad(ctx, q); sent == 0 && !loadSent {
		return
	}
	q.Outbox = append([]event.Ticket(nil), q.Outbox[sent:]...)
	if err := s.repo.Save(ctx, *q); err != nil {
		s.log.Warn("published events stay in the saved outbox and go out again", "store", q.StoreID, "count", sent, "err", err)
	}
}

// Tick is the store's reminder: it raises overdue alerts, publishes the outbox, and stops the
// reminder when the queue has nothing left to watch.
func (s *Service) Tick(ctx context.Context, storeID string) error {
	q, err := s.repo.Load(ctx, storeID)
	if err != nil {
		return err
	}
	if q.alertOverdue(s.now(), s.cfg.AcceptAlertAfter) > 0 {
		if err := s.repo.Save(ctx, q); err != nil {
			return fmt.Errorf("save the alerts of %s: %w", storeID, err)
		}
	}
	s.flush(ctx, &q)
	if q.needsTick() {
		return nil
	}
	if q.Ticking {
		// Saved before the reminder stops: a failed stop leaves a reminder that tries again,
		// never a queue that believes a reminder runs when none does.
		q.Ticking = false
		if err := s.repo.Save(ctx, q); err != nil {
			return fmt.Errorf("save the queue of %s: %w", storeID, err)
		}
	}
	return s.ticker.StopTicking(ctx, storeID)
}
