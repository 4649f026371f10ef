package ordering

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// Token is the store's concurrency token (a Dapr ETag) for an order as read; "" for a new order.
type Token string

// Store is where orders live. Save writes the order and its event in one transaction (the Dapr
// outbox); with a token it writes only if the order is unchanged (occ.ErrConflict otherwise), with
// none it writes unconditionally: checkout's first write, where concurrent duplicates of one
// request write the same order under the same id.
type Store interface {
	Order(ctx context.Context, id string) (Order, Token, error) // ErrNotFound
	Save(ctx context.Context, o Order, t Token, e event.Order) error
	// Index records the order under its customer and its store's day; idempotent.
	Index(ctx context.Context, o Order) error
	List(ctx context.Context, q Query) ([]Order, error)
}

// Query selects orders: a customer's (newest first) or a store's on one date.
type Query struct {
	CustomerID    string
	StoreID, Date string
	Limit         int
}

// Dish is what checkout needs to know of a menu entry.
type Dish struct {
	PriceCents int64
	Orderable  bool
}

// Menu gives a store's current prices; ErrNotFound for an unknown store.
type Menu interface {
	Dishes(ctx context.Context, storeID string) (dishes map[string]Dish, busy bool, err error)
}

// Inventory reserves and releases an order's stock, idempotently by order id.
type Inventory interface {
	Reserve(ctx context.Context, o Order) error // *SoldOutError, or an error to retry later
	Release(ctx context.Context, o Order) error
}

// Scheduler fires Expire for an order at a time, durably (it survives restarts of every process).
type Scheduler interface {
	ScheduleExpiry(ctx context.Context, o Order, at time.Time) error
}

// Service is the order use cases.
type Service struct {
	store   Store
	menu    Menu
	inv     Inventory
	sched   Scheduler
	timeout time.Duration // how long an order may stay unpaid
	now     func() time.Time
}

// NewService returns a Service; unpaid orders expire after timeout.
func NewService(store Store, menu Menu, inv Inventory, sched Scheduler, timeout time.Duration) *Service {
	return &Service{store: store, menu: menu, inv: inv, sched: sched, timeout: timeout, now: func() time.Time { return time.Now().UTC() }}
}

// Checkout places an order, or returns the one this customer already placed with this key
// (created reports which). Prices come from the menu. Stock is reserved before the order is
// stored, and the expiry is scheduled before stock is reserved, so a crash at any point leaves
// either a stored order whose expiry releases its stock, or stock that the expiry releases.
func (s *Service) Checkout(ctx context.Context, req CheckoutRequest) (o Order, created bool, err error) {
	if err := req.Validate(); err != nil {
		return Order{}, false, err
	}
	id, hash := req.OrderID(), req.Hash()
	if o, _, err := s.store.Order(ctx, id); err == nil {
		if o.RequestHash != hash {
			return Order{}, false, ErrKeyReused
		}
		return o, false, s.store.Index(ctx, o)
	} else if !errors.Is(err, ErrNotFound) {
		return Order{}, false, err
	}

	dishes, busy, err := s.menu.Dishes(ctx, req.StoreID)
	if err != nil {
		return Order{}, false, err
	}
	if busy {
		return Order{}, false, ErrStoreBusy
	}
	now := s.now()
	o = Order{ID: id, CustomerID: req.CustomerID, StoreID: req.StoreID, Period: req.Period, Status: PendingPayment, RequestHash: hash, CreatedAt: now, UpdatedAt: now}
	for i, it := range req.Items {
		d, ok := dishes[it.DishID]
		if !ok {
			return Order{}, false, &InvalidError{Field: fmt.Sprintf("items[%d].dish_id", i), Reason: "is not on this store's menu"}
		}
		if !d.Orderable {
			return Order{}, false, &SoldOutError{DishID: it.DishID}
		}
		o.Items = append(o.Items, Item{DishID: it.DishID, Quantity: it.Quantity, PriceCents: d.PriceCents})
		o.TotalCents += it.Quantity * d.PriceCents
	}

	if err := s.sched.ScheduleExpiry(ctx, o, now.Add(s.timeout)); err != nil {
		return Order{}, false, fmt.Errorf("schedule expiry of %s: %w", id, err)
	}
	if err := s.inv.Reserve(ctx, o); err != nil {
		return Order{}, false, err
	}
	if err := s.store.Save(ctx, o, "", orderEvent(event.OrderCreated, o)); err != nil {
		return Order{}, false, fmt.Errorf("save order %s: %w", id, err)
	}
	return o, true, s.store.Index(ctx, o)
}

// Get returns one of the customer's orders.
func (s *Service) Get(ctx context.Context, id, customerID string) (Order, error) {
	o, _, err := s.store.Order(ctx, id)
	if err == nil && o.CustomerID != customerID {
		return Order{}, ErrNotFound
	}
	return o, err
}

// Cancel cancels the customer's unpaid order; inventory releases its stock on the event.
func (s *Service) Cancel(ctx context.Context, id, customerID string) (Order, error) {
	return s.transition(ctx, id, func(o Order) (Order, error) {
		if o.CustomerID != customerID {
			return Order{}, ErrNotFound
		}
		return o.Transition(Cancelled, s.now())
	}, event.OrderCancelled)
}

// Expire ends an order still unpaid when its payment time is up (fired by the scheduler, at least
// once). An order that never got stored (its checkout died after reserving) has its stock
// released directly; a paid or cancelled one is left alone.
func (s *Service) Expire(ctx context.Context, pending Order) error {
	_, err := s.transition(ctx, pending.ID, func(o Order) (Order, error) { return o.Transition(Expired, s.now()) }, event.OrderExpired)
	var illegal *IllegalTransitionError
	switch {
	case errors.Is(err, ErrNotFound):
		return s.inv.Release(ctx, pending)
	case errors.As(err, &illegal):
		return nil
	}
	return err
}

// transition applies change to the stored order with its ETag and emits the event in the same
// transaction, retrying on a concurrent change.
func (s *Service) transition(ctx context.Context, id string, change func(Order) (Order, error), eventType string) (Order, error) {
	var out Order
	err := occ.Retry(ctx, func(ctx context.Context) error {
		o, tok, err := s.store.Order(ctx, id)
		if err != nil {
			return err
		}
		if out, err = change(o); err != nil {
			return err
		}
		return s.store.Save(ctx, out, tok, orderEvent(eventType, out))
	})
	return out, err
}

// List returns orders matching q.
func (s *Service) List(ctx context.Context, q Query) ([]Order, error) { return s.store.List(ctx, q) }

func orderEvent(typ string, o Order) event.Order {
	e := event.Order{Type: typ, OrderID: o.ID, CustomerID: o.CustomerID, StoreID: o.StoreID, Period: o.Period, Status: string(o.Status), TotalCents: o.TotalCents, At: o.UpdatedAt}
	for _, it := range o.Items {
		e.Items = append(e.Items, event.Item{DishID: it.DishID, Quantity: it.Quantity, PriceCents: it.PriceCents})
	}
	return e
}
