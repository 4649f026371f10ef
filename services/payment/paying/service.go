package paying

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// Token is the store's concurrency token (a Dapr ETag) for an intent as read.
type Token string

// Repository is where intents live: one key per order, so every write is atomic on any state
// store, and an intent's pending events (its outbox) travel in the same write as its change.
type Repository interface {
	Intent(ctx context.Context, orderID string) (Intent, Token, error) // ErrNotFound
	// Intents reads the intents that exist among ids in one call, keyed by order id.
	Intents(ctx context.Context, orderIDs []string) (map[string]Intent, error)
	// Create writes a new intent only if none exists for its order (occ.ErrConflict otherwise).
	Create(ctx context.Context, in Intent) error
	// Save writes the intent only if it is unchanged since it was read with t (occ.ErrConflict otherwise).
	Save(ctx context.Context, in Intent, t Token) error
}

// Index lists the open intents (the state API cannot list keys): an order id is marked before
// its intent is written and unmarked by the reconciler once the intent needs nothing more.
type Index interface {
	// Mark lists the order, or refreshes its mark, at time at.
	Mark(ctx context.Context, orderID string, at time.Time) error
	// Marked returns every listed order with the time of its mark.
	Marked(ctx context.Context) (map[string]time.Time, error)
	// Unmark unlists each order whose mark is still the time given (a refreshed mark stays).
	Unmark(ctx context.Context, marks map[string]time.Time) error
}

// Publisher sends a payment event to the payments topic.
type Publisher interface {
	PublishPayment(ctx context.Context, e event.Payment) error
}

// Order is what a payment needs to know of an order.
type Order struct {
	CustomerID      string
	Status          string
	AwaitingPayment bool // the order is pending payment
	TotalCents      int64
}

// Orders reads an order of a customer from the order service; ErrOrderNotFound when there is
// none (or it is another customer's).
type Orders interface {
	Order(ctx context.Context, orderID, customerID string) (Order, error)
}

// Provider is the payment provider. Every call is idempotent: Create by order id, Refund by
// refund id. Faults are ErrProviderUnavailable.
type Provider interface {
	// Create creates (or answers the existing) payment of the order: ErrAmountConflict for one of another amount.
	Create(ctx context.Context, orderID string, amountCents int64) (Notice, error)
	// Payment reads the payment txnID: ErrNoProviderPayment when the provider holds none.
	// (By transaction, not by order: Dapr keys a breaker by the invoked path, and a lookup's 404
	// on the path creations share would count against the breaker that guards them.)
	Payment(ctx context.Context, txnID string) (Notice, error)
	// Refund refunds amountCents of the payment txnID: ErrRefundRefused.
	Refund(ctx context.Context, txnID, refundID string, amountCents int64) error
}

// Config tunes the service.
type Config struct {
	// PendingAfter is how long an intent waits for the provider's notification before the
	// reconciler asks the provider itself.
	PendingAfter time.Duration
	// AbandonAfter is how long an unpaid intent is polled; then it is abandoned (well past the
	// order's own payment timeout).
	AbandonAfter time.Duration
}

// Deps are what the Service works with.
type Deps struct {
	Repository Repository
	Index      Index
	Publisher  Publisher
	Orders     Orders
	Provider   Provider
	Log        *slog.Logger
	Now        func() time.Time // the clock; time.Now in UTC when nil
}

// Service is the payment use cases.
type Service struct {
	repo     Repository
	index    Index
	pub      Publisher
	orders   Orders
	provider Provider
	log      *slog.Logger
	cfg      Config
	now      func() time.Time
}

// NewService returns a Service.
func NewService(d Deps, cfg Config) *Service {
	now := d.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.PendingAfter <= 0 {
		cfg.PendingAfter = 30 * time.Second
	}
	if cfg.AbandonAfter <= 0 {
		cfg.AbandonAfter = time.Hour
	}
	return &Service{repo: d.Repository, index: d.Index, pub: d.Publisher, orders: d.Orders, provider: d.Provider, log: d.Log, cfg: cfg, now: now}
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

const idRule = "must be 1-64 letters, digits, '-' or '_'"

// Create returns the order's payment, creating it at the provider on the first call (created
// reports that). The amount is the order's total as the order service says it; only an order
// pending payment can be paid. The intent is written (creating) before the provider is asked, so
// a repeat, on any replica, or the reconciler resumes where a crash or an outage stopped; the
// provider is idempotent by order id, so a resumed creation makes no second payment.
func (s *Service) Create(ctx context.Context, orderID, customerID string) (in Intent, created bool, err error) {
	switch {
	case !idPattern.MatchString(customerID):
		return Intent{}, false, &InvalidError{Field: "X-Customer-Id", Reason: idRule}
	case !idPattern.MatchString(orderID):
		return Intent{}, false, &InvalidError{Field: "order_id", Reason: idRule}
	}
	in, _, err = s.repo.Intent(ctx, orderID)
	if err == nil {
		return s.existing(ctx, in, customerID)
	}
	if !errors.Is(err, ErrNotFound) {
		return Intent{}, false, err
	}
	o, err := s.orders.Order(ctx, orderID, customerID)
	if err != nil {
		return Intent{}, false, err
	}
	if !o.AwaitingPayment || o.TotalCents <= 0 {
		return Intent{}, false, &NotPayableError{OrderStatus: o.Status}
	}
	now := s.now()
	in = Intent{OrderID: orderID, CustomerID: customerID, AmountCents: o.TotalCents, Status: Creating, CreatedAt: now, UpdatedAt: now}
	// Listed first: an intent is never out of the reconciler's sight. A mark without an intent
	// (a crash right here) is unlisted by the reconciler.
	if err := s.index.Mark(ctx, orderID, now); err != nil {
		return Intent{}, false, fmt.Errorf("list payment of %s: %w", orderID, err)
	}
	err = s.repo.Create(ctx, in)
	if errors.Is(err, occ.ErrConflict) { // a concurrent first request wrote it
		cur, _, err := s.repo.Intent(ctx, orderID)
		if err != nil {
			return Intent{}, false, err
		}
		return s.existing(ctx, cur, customerID)
	}
	if err != nil {
		return Intent{}, false, fmt.Errorf("create payment of %s: %w", orderID, err)
	}
	in, err = s.open(ctx, in)
	return in, true, err
}

// existing answers a repeated create with the intent there is, resuming one still creating.
func (s *Service) existing(ctx context.Context, in Intent, customerID string) (Intent, bool, error) {
	if in.CustomerID != customerID {
		return Intent{}, false, ErrOrderNotFound
	}
	// Creating: the provider was never asked, or its answer was lost. Pending without a pay token:
	// the reconciler learnt of the payment by reading it, and a read carries no token; the
	// provider's create answers the same payment again, with its token.
	if in.Status == Creating || in.Status == Pending && in.PayToken == "" {
		in, err := s.open(ctx, in)
		return in, false, err
	}
	s.relay(ctx, in, "") // a first attempt that died after a change may have left its event unsent
	return in.withoutOutbox(), false, nil
}

// open asks the provider for the intent's payment (the same one again for a repeat) and records
// what it answers. On a provider fault the intent stays creating.
func (s *Service) open(ctx context.Context, in Intent) (Intent, error) {
	n, err := s.provider.Create(ctx, in.OrderID, in.AmountCents)
	if err != nil {
		return Intent{}, fmt.Errorf("create payment of %s at the provider: %w", in.OrderID, err)
	}
	return s.learn(ctx, in.OrderID, n)
}

// learn applies what the provider said about the order's payment, as a notification would.
func (s *Service) learn(ctx context.Context, orderID string, n Notice) (Intent, error) {
	return s.update(ctx, orderID, func(cur Intent) (Intent, string, bool, error) {
		if err := cur.check(n); err != nil {
			return cur, "", false, err
		}
		next, typ, changed := cur.apply(n, s.now())
		return next, typ, changed, nil
	})
}

// Get returns one of the customer's payments.
func (s *Service) Get(ctx context.Context, orderID, customerID string) (Intent, error) {
	in, _, err := s.repo.Intent(ctx, orderID)
	if err == nil && in.CustomerID != customerID {
		return Intent{}, ErrNotFound
	}
	return in.withoutOutbox(), err
}

// update applies change to the stored intent with its ETag, the event it announces pending in the
// same write, retrying on a concurrent change; then relays the event. change reports whether it
// changed anything; an unchanged intent is not written.
func (s *Service) update(ctx context.Context, orderID string, change func(Intent) (Intent, string, bool, error)) (Intent, error) {
	var (
		out Intent
		typ string
	)
	err := occ.Retry(ctx, func(ctx context.Context) error {
		cur, tok, err := s.repo.Intent(ctx, orderID)
		if err != nil {
			return err
		}
		next, t, changed, err := change(cur)
		if err != nil || !changed {
			out, typ = cur, ""
			return err
		}
		if cur.Status.mayReopen() && next.open() {
			// It may have been unlisted: listed again first, so the reconciler sees it.
			if err := s.index.Mark(ctx, orderID, s.now()); err != nil {
				return fmt.Errorf("list payment of %s again: %w", orderID, err)
			}
		}
		if t != "" {
			next.Outbox = append(next.Outbox, paymentEvent(t, next))
		}
		out, typ = next, t
		return s.repo.Save(ctx, next, tok)
	})
	if err != nil {
		return Intent{}, err
	}
	s.relay(ctx, out, typ)
	return out.withoutOutbox(), nil
}
