package provider

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/canteen/canteen/services/internal/occ"
)

// Token is the storage's concurrency token (a Dapr ETag) for a record as it was read; writing
// with it succeeds only if nobody wrote in between. The zero Token creates a record that must not
// exist yet (occ.ErrConflict when it does).
type Token string

// Repository is where payments and the global fault switches live. Put* return occ.ErrConflict
// when the token is stale (or, creating, when the record exists).
type Repository interface {
	Payment(ctx context.Context, txnID string) (Payment, Token, error)
	PutPayment(ctx context.Context, p Payment, t Token) error
	// Faults returns the global switches; all off, with the zero Token, when none were ever set.
	Faults(ctx context.Context) (Faults, Token, error)
	PutFaults(ctx context.Context, f Faults, t Token) error
}

// Notifier delivers a dispatch asynchronously; Send returns at once.
type Notifier interface {
	Send(d Dispatch)
}

// Options are a Service's settings and sources of time and randomness (tests pin them).
type Options struct {
	NotifyDelay time.Duration // the notification delay when the delay switch is off
	Now         func() time.Time
	NewToken    func() string  // a fresh, unguessable pay token
	Shuffle     func([]Notice) // the order of out-of-order deliveries; random by default
}

// Service is the provider's use cases: what merchants, payers and tests call.
type Service struct {
	repo     Repository
	notifier Notifier
	opts     Options
}

// NewService returns a Service over repo that sends notifications through notifier.
func NewService(repo Repository, notifier Notifier, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Shuffle == nil {
		opts.Shuffle = func(ns []Notice) { rand.Shuffle(len(ns), func(i, j int) { ns[i], ns[j] = ns[j], ns[i] }) }
	}
	return &Service{repo: repo, notifier: notifier, opts: opts}
}

// up reads the global switches and refuses with ErrDown when the provider is down.
func (s *Service) up(ctx context.Context) (Faults, error) {
	f, _, err := s.repo.Faults(ctx)
	if err != nil {
		return Faults{}, fmt.Errorf("read fault switches: %w", err)
	}
	if f.Down {
		return Faults{}, ErrDown
	}
	return f, nil
}

// Create creates the payment of a merchant order; created is false when the order already had
// one of the same amount, which is returned as it is (same txn id and pay token).
func (s *Service) Create(ctx context.Context, in PaymentInput) (p Payment, created bool, err error) {
	if _, err := s.up(ctx); err != nil {
		return Payment{}, false, err
	}
	p, err = NewPayment(in, s.opts.NewToken(), s.opts.Now().UTC())
	if err != nil {
		return Payment{}, false, err
	}
	err = s.repo.PutPayment(ctx, p, "")
	if err == nil {
		return p, true, nil
	}
	if !errors.Is(err, occ.ErrConflict) {
		return Payment{}, false, fmt.Errorf("create payment of %q: %w", in.MerchantOrderID, err)
	}
	cur, _, err := s.repo.Payment(ctx, p.TxnID)
	if err != nil {
		return Payment{}, false, fmt.Errorf("read payment of %q: %w", in.MerchantOrderID, err)
	}
	if cur.AmountCents != in.AmountCents {
		return Payment{}, false, ErrOrderConflict
	}
	return cur, false, nil
}

// Payment returns one payment by transaction id.
func (s *Service) Payment(ctx context.Context, txnID string) (Payment, error) {
	if _, err := s.up(ctx); err != nil {
		return Payment{}, err
	}
	p, _, err := s.repo.Payment(ctx, txnID)
	return p, err
}

// PaymentByOrder returns the payment of a merchant order.
func (s *Service) PaymentByOrder(ctx context.Context, merchantOrderID string) (Payment, error) {
	p, err := s.Payment(ctx, TxnID(merchantOrderID))
	if err == nil && p.MerchantOrderID != merchantOrderID {
		return Payment{}, ErrNotFound // not reachable with SHA-256, but never answer another order
	}
	return p, err
}

// Pay pays a pending payment with its token: succeeded, or failed when the decline switch is on,
// and the notification of the new version is scheduled. Paying again answers the payment as it
// is and notifies nothing more.
func (s *Service) Pay(ctx context.Context, txnID, token string) (Payment, error) {
	global, err := s.up(ctx)
	if err != nil {
		return Payment{}, err
	}
	if token == "" {
		return Payment{}, invalid("pay_token", "is required")
	}
	var (
		out    Payment
		faults Faults
		moved  bool
	)
	err = occ.Retry(ctx, func(ctx context.Context) error {
		p, tok, err := s.repo.Payment(ctx, txnID)
		if err != nil {
			return err
		}
		if !p.TokenMatches(token) {
			return ErrInvalidToken
		}
		if out, moved = p, p.Status == Pending; !moved {
			return nil
		}
		faults = effective(p, global)
		next := Succeeded
		if faults.Decline {
			next = Failed
		}
		out = p.transition(next, s.opts.Now().UTC())
		return s.repo.PutPayment(ctx, out, tok)
	})
	if err != nil {
		return Payment{}, err
	}
	if moved {
		s.notify(out, faults)
	}
	return out, nil
}

// Refund gives back amount of a succeeded payment under the merchant's refund id; repeating it
// answers the same refund. The refund of what is left makes the payment refunded (a new version,
// notified).
func (s *Service) Refund(ctx context.Context, txnID, refundID string, amount int64) (Refund, error) {
	global, err := s.up(ctx)
	if err != nil {
		return Refund{}, err
	}
	if err := text("refund_id", refundID, MaxRefundIDLen, true); err != nil {
		return Refund{}, err
	}
	if amount < 1 || amount > MaxAmountCents {
		return Refund{}, invalid("amount_cents", "must be between 1 and %d", MaxAmountCents)
	}
	var (
		out   Payment
		moved bool
	)
	err = occ.Retry(ctx, func(ctx context.Context) error {
		p, tok, err := s.repo.Payment(ctx, txnID)
		if err != nil {
			return err
		}
		if r, ok := p.Refund(refundID); ok {
			out, moved = p, false
			if r.AmountCents != amount {
				return ErrRefundConflict
			}
			return nil
		}
		if out, err = p.addRefund(refundID, amount, s.opts.Now().UTC()); err != nil {
			return err
		}
		moved = out.Version != p.Version
		return s.repo.PutPayment(ctx, out, tok)
	})
	if err != nil {
		return Refund{}, err
	}
	if moved {
		s.notify(out, effective(out, global))
	}
	r, _ := out.Refund(refundID)
	return r, nil
}

// Faults returns the global fault switches.
func (s *Service) Faults(ctx context.Context) (Faults, error) {
	f, _, err := s.repo.Faults(ctx)
	return f, err
}

// SetFaults replaces the global fault switches.
func (s *Service) SetFaults(ctx context.Context, f Faults) (Faults, error) {
	if err := f.Validate(false); err != nil {
		return Faults{}, err
	}
	err := occ.Retry(ctx, func(ctx context.Context) error {
		_, tok, err := s.repo.Faults(ctx)
		if err != nil {
			return err
		}
		return s.repo.PutFaults(ctx, f, tok)
	})
	return f, err
}

// SetPaymentFaults replaces one payment's fault switches, which then apply to it instead of the
// global ones (all off exempts it from global faults). They act on what happens next: its pay
// and its refund's notification.
func (s *Service) SetPaymentFaults(ctx context.Context, txnID string, f Faults) (Faults, error) {
	if _, err := s.up(ctx); err != nil {
		return Faults{}, err
	}
	if err := f.Validate(true); err != nil {
		return Faults{}, err
	}
	err := occ.Retry(ctx, func(ctx context.Context) error {
		p, tok, err := s.repo.Payment(ctx, txnID)
		if err != nil {
			return err
		}
		p.Faults = &f
		return s.repo.PutPayment(ctx, p, tok)
	})
	return f, err
}

// notify hands the latest change of p to the notifier, as the switches f plan it.
func (s *Service) notify(p Payment, f Faults) {
	if d, ok := plan(p, f, s.opts.NotifyDelay, s.opts.Shuffle); ok {
		s.notifier.Send(d)
	}
}
