package queue

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// Repository is where a store's queue lives: its hot state (one record per store, written with
// its version) and the archive of completed tickets (one record per ticket).
type Repository interface {
	// Load is the store's queue, NewQueue(storeID) when it has none yet, with its Version.
	Load(ctx context.Context, storeID string) (Queue, error)
	// Save writes q if the stored queue is still the one loaded as q.Version (a new one: if there
	// is none); occ.ErrConflict otherwise.
	Save(ctx context.Context, q Queue) error
	Archive(ctx context.Context, t Ticket) error
	// Archived is the completed tickets of the store among orderIDs, by order id (absent ones
	// are not in the map).
	Archived(ctx context.Context, storeID string, orderIDs ...string) (map[string]Ticket, error)
}

// Publisher publishes ticket events on the tickets topic (all of them or an error) and store
// loads on the stores topic; publishing one twice must be harmless.
type Publisher interface {
	PublishTickets(ctx context.Context, evs []event.Ticket) error
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

// Service runs stores' queues. Its callers (each store's actor) run one call of a store at a
// time, so the version a save carries meets a conflict only when two hosts ran the same store at
// once (placement moving actors when a host joins or dies); the loser loads again and redoes its
// change.
type Service struct {
	repo   Repository
	pub    Publisher
	ticker Ticker
	cfg    Config
	log    *slog.Logger
	now    func() time.Time

	// sent is, per store, the events this replica published that are still in the saved outbox
	// (and the store's load announcement, by Load.id): the next save of the store leaves them
	// out. Clearing them in the same write as the next change, instead of a second write after
	// every publish, halves the writes of a rush; lost with the process, they are only published
	// again (consumers deduplicate).
	mu   sync.Mutex
	sent map[string]map[string]bool
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
	return &Service{repo: repo, pub: pub, ticker: ticker, cfg: cfg, log: log, now: now, sent: map[string]map[string]bool{}}
}

// Admission is the outcome of one order's admission: its ticket, or why it cannot have one.
type Admission struct {
	Ticket Ticket
	Err    error
}

// Admit gives each paid order of the store its ticket, once: admitting one again, even after it
// was picked up, answers the same ticket and changes nothing. All of them are one change of the
// queue (one read, one write, one publish): a rush's admissions arrive in batches.
func (s *Service) Admit(ctx context.Context, storeID string, orders []event.Order) ([]Admission, error) {
	out := make([]Admission, len(orders))
	err := s.update(ctx, storeID, func(q *Queue) (bool, error) {
		clear(out)
		var unseen []string
		for i, o := range orders {
			switch t, ok := q.find(o.OrderID); {
			case o.OrderID == "":
				out[i].Err = &InvalidError{Field: "order_id", Reason: "is required"}
			case o.StoreID != storeID:
				out[i].Err = &InvalidError{Field: "store_id", Reason: "is not this queue's store"}
			case ok:
				out[i].Ticket = t
			default:
				unseen = append(unseen, o.OrderID)
			}
		}
		if len(unseen) == 0 {
			return false, nil
		}
		archived, err := s.repo.Archived(ctx, storeID, unseen...)
		if err != nil {
			return false, err
		}
		changed := false
		for i, o := range orders {
			if out[i].Err != nil || out[i].Ticket.OrderID != "" {
				continue
			}
			if t, ok := archived[o.OrderID]; ok {
				out[i].Ticket = t
				continue
			}
			if t, ok := q.find(o.OrderID); ok { // the same order twice in one batch
				out[i].Ticket = t
				continue
			}
			out[i].Ticket, out[i].Err = q.admit(o, s.now(), s.cfg.TicketTime)
			changed = changed || out[i].Err == nil
		}
		return changed, nil
	})
	return out, err
}

// Move makes a staff move on the store's ticket. A completed ticket is read from the archive:
// repeating its last move answers it, any other is a TransitionError.
func (s *Service) Move(ctx context.Context, storeID, orderID string, a Action, reason string) (Ticket, error) {
	var next Ticket
	err := s.update(ctx, storeID, func(q *Queue) (bool, error) {
		t, ok := q.Open[orderID]
		if !ok {
			var err error
			if t, err = s.archived(ctx, storeID, orderID); err != nil {
				return false, err
			}
		}
		var (
			emit    string
			changed bool
			err     error
		)
		next, emit, changed, err = t.move(a, reason, s.now())
		if err != nil || !changed {
			return false, err
		}
		if next.Status.Final() {
			// Archived before it leaves the hot state, so that it is always in one of them.
			if err := s.repo.Archive(ctx, next); err != nil {
				return false, fmt.Errorf("archive %s: %w", orderID, err)
			}
		}
		next = q.changed(next, emit, s.cfg.MaxDone)
		return true, nil
	})
	return next, err
}

// archived is one completed ticket of the store, ErrNotFound when there is none.
func (s *Service) archived(ctx context.Context, storeID, orderID string) (Ticket, error) {
	got, err := s.repo.Archived(ctx, storeID, orderID)
	if err != nil {
		return Ticket{}, err
	}
	t, ok := got[orderID]
	if !ok {
		return Ticket{}, ErrNotFound
	}
	return t, nil
}

// load is the store's queue without the outbox events this replica has published already.
func (s *Service) load(ctx context.Context, storeID string) (Queue, error) {
	q, err := s.repo.Load(ctx, storeID)
	if err != nil {
		return Queue{}, err
	}
	s.mu.Lock()
	sent := s.sent[storeID]
	s.mu.Unlock()
	if len(sent) > 0 {
		kept := q.Outbox[:0:0]
		for _, e := range q.Outbox {
			if !sent[e.ID()] {
				kept = append(kept, e)
			}
		}
		q.Outbox = kept
		if q.Load.Unsent && sent[q.Load.id()] {
			q.Load.Unsent = false
		}
	}
	return q, nil
}

// update loads the store's queue, lets change change it, and commits it if it did; a conflict
// with another host's write of the store loads again and redoes the change.
func (s *Service) update(ctx context.Context, storeID string, change func(q *Queue) (bool, error)) error {
	return occ.Retry(ctx, func(ctx context.Context) error {
		q, err := s.load(ctx, storeID)
		if err != nil {
			return err
		}
		changed, err := change(&q)
		if err != nil || !changed {
			return err
		}
		return s.commit(ctx, q)
	})
}

// commit saves the queue, with its reminder registered first when it needs one, then publishes
// the outbox and the store's load if it changed: an event exists in saved state before it is
// published, never the other way. A failed publish leaves it saved for the next change or Tick.
func (s *Service) commit(ctx context.Context, q Queue) error {
	q.announce(s.now(), s.cfg.TicketTime)
	if q.needsTick() && !q.Ticking {
		if err := s.ticker.StartTicking(ctx, q.StoreID); err != nil {
			return fmt.Errorf("start the reminder of %s: %w", q.StoreID, err)
		}
		q.Ticking = true
	}
	if err := s.repo.Save(ctx, q); err != nil {
		return fmt.Errorf("save the queue of %s: %w", q.StoreID, err)
	}
	sent := map[string]bool{}
	if len(q.Outbox) > 0 {
		if err := s.pub.PublishTickets(ctx, q.Outbox); err != nil {
			s.log.Warn("ticket events kept in the outbox for the next try", "store", q.StoreID, "count", len(q.Outbox), "err", err)
		} else {
			for _, e := range q.Outbox {
				sent[e.ID()] = true
			}
		}
	}
	if s.publishLoad(ctx, q) {
		sent[q.Load.id()] = true
	}
	s.mu.Lock()
	s.sent[q.StoreID] = sent
	s.mu.Unlock()
	return nil
}

// Tick is the store's reminder: it raises overdue alerts, publishes what the outbox still holds,
// clears what was published, and stops the reminder when the queue has nothing left to watch.
func (s *Service) Tick(ctx context.Context, storeID string) error {
	idle := false
	s.mu.Lock()
	clearing := len(s.sent[storeID]) > 0 // published events this save leaves out of the outbox
	s.mu.Unlock()
	err := s.update(ctx, storeID, func(q *Queue) (bool, error) {
		alerts := q.alertOverdue(s.now(), s.cfg.AcceptAlertAfter)
		// Saved before the reminder stops: a failed stop leaves a reminder that tries again,
		// never a queue that believes a reminder runs when none does.
		idle = q.Ticking && !q.needsTick()
		if idle {
			q.Ticking = false
		}
		return alerts > 0 || clearing || len(q.Outbox) > 0 || q.Load.Unsent || idle, nil
	})
	if err != nil || !idle {
		return err
	}
	return s.ticker.StopTicking(ctx, storeID)
}
