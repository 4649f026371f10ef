package ordering

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// Token is the store's concurrency token (a Dapr ETag) for an order as read.
type Token string

// Repository is where orders live. Every write is one key, so it is atomic on any state store,
// and an order's pending events (its outbox) travel in the same write as the change they announce.
type Repository interface {
	Order(ctx context.Context, id string) (Order, Token, error) // ErrNotFound
	// Orders reads the orders that exist among ids in one call, keyed by id, each with its token.
	Orders(ctx context.Context, ids []string) (map[string]Stored, error)
	// Create writes a new order only if none exists under its id (occ.ErrConflict otherwise).
	Create(ctx context.Context, o Order) error
	// Save writes the order only if it is unchanged since it was read with t (occ.ErrConflict otherwise).
	Save(ctx context.Context, o Order, t Token) error
	// SaveAll is Save of many orders in one call: each is written only if unchanged since it was
	// read with its token. An error says that some may not have been written (a conflict or a
	// fault); the caller reads them again to tell which.
	SaveAll(ctx context.Context, orders []Stored) error
	// Lookup reads the order o names (its ID, CustomerID, StoreID and Period set) and, in the same
	// call, what indexing it will need: ErrNotFound, with that Placement, when it does not exist.
	Lookup(ctx context.Context, o Order) (Order, Placement, error)
	// CreateIndexed is Create and Index of a new order, in one write where the Placement p that a
	// Lookup of it read is still current: occ.ErrConflict when another order exists under its id.
	CreateIndexed(ctx context.Context, o Order, p Placement) error
	// Index records the order under its customer and its store's day; idempotent.
	Index(ctx context.Context, o Order) error
	List(ctx context.Context, q Query) ([]Order, error)
}

// Stored is an order as read, with the token a write of it must name.
type Stored struct {
	Order Order
	Token Token
}

// Placement is what a Repository's Lookup read for indexing a new order; only that repository
// knows what it holds.
type Placement any

// Publisher sends an order event to the orders topic.
type Publisher interface {
	PublishOrder(ctx context.Context, e event.Order) error
	// PublishOrders publishes evs in one call and answers each event's outcome (errs[i] for
	// evs[i]): the broker may take some and refuse others.
	PublishOrders(ctx context.Context, evs []event.Order) (errs []error)
}

// Query selects orders: a customer's (newest first) or a store's on one date.
type Query struct {
	CustomerID    string
	StoreID, Date string
	Limit         int
	// Through is the latest sale date a customer's list reaches (set by List: pre-orders included).
	Through time.Time
}

// Dish is what checkout needs to know of a menu entry.
type Dish struct {
	PriceCents int64
	Orderable  bool
}

// Menu gives a store's current prices, whether it takes orders, and its kitchen's load;
// ErrUnknownStore for an unknown store.
type Menu interface {
	StoreMenu(ctx context.Context, storeID string) (StoreMenu, error)
}

// Inventory reserves and releases an order's stock, idempotently by order id. Inventory's record
// of the order decides: Release answers ErrStockSold when the units were sold (paid) first.
type Inventory interface {
	Reserve(ctx context.Context, o Order) error // *SoldOutError, ErrKeyReused, ErrExpired, or an error to retry later
	Release(ctx context.Context, o Order) error // ErrStockSold, or an error to retry later
	// Confirm sells the order's held units (on payment): ErrStockReleased when inventory released
	// them first (the order expired or was cancelled), or an error to retry later.
	Confirm(ctx context.Context, o Order) error
}

// Service is the order use cases.
type Service struct {
	repo    Repository
	pub     Publisher
	menu    Menu
	inv     Inventory
	sched   Scheduler
	log     *slog.Logger
	timeout time.Duration // how long an order may stay unpaid
	now     func() time.Time

	clears     later[sentEvents]   // published events not yet cleared from their orders (outbox.go)
	expiries   later[Expiry]       // expiries not yet scheduled (expiry.go)
	batchDelay time.Duration       // BatchDelay, or Deps.BatchDelay
	announces  later[announcement] // new orders' events not yet published (outbox.go)
	eventDelay time.Duration       // Deps.EventDelay
}

// Deps are what the Service works with.
type Deps struct {
	Repository Repository
	Publisher  Publisher
	Menu       Menu
	Inventory  Inventory
	Scheduler  Scheduler
	Log        *slog.Logger
	Now        func() time.Time // the clock; time.Now in UTC when nil
	// BatchDelay replaces the package's BatchDelay when positive (tests that flush themselves).
	BatchDelay time.Duration
	// EventDelay is how long a new order's event waits to go out with others' (the package's
	// EventDelay in a service under load); 0 publishes it before Checkout returns.
	EventDelay time.Duration
}

// NewService returns a Service; unpaid orders expire after timeout.
func NewService(d Deps, timeout time.Duration) *Service {
	now := d.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	batchDelay := BatchDelay
	if d.BatchDelay > 0 {
		batchDelay = d.BatchDelay
	}
	return &Service{repo: d.Repository, pub: d.Publisher, menu: d.Menu, inv: d.Inventory, sched: d.Scheduler, log: d.Log,
		timeout: timeout, now: now, batchDelay: batchDelay, eventDelay: d.EventDelay}
}

// PaymentTimeout is how long an order may stay unpaid.
func (s *Service) PaymentTimeout() time.Duration { return s.timeout }

// Checkout places an order, or returns the one this customer already placed with this key
// (created reports which). Prices come from the menu, then stock is reserved (idempotent by
// order id, so a repeat of a created order reserves nothing new); a checkout refused by either
// then looks for its order alone (replayIfPlaced), an accepted one reads it together with what
// indexing it needs (Lookup) just before it would create it, so that the index keys it read
// are seldom changed by another order before its write: read before the reservation, a flash
// sale's orders of one store found them changed nearly every time, and each paid for indexing
// on its own. Then the payment timeout is queued for the scheduler (expireLater), and the
// order is created (create-only, with its order.created event in the same write, and indexed in
// the same call to the store): concurrent duplicates all reserve the same order id, one creates,
// and the rest answer the order it created. A crash after reserving leaves a hold that the expiry
// job or, if the crash came before the job, inventory's reconciler returns; a refused attempt
// (sold out) leaves nothing behind, not even a job. A checkout still running when its payment
// time is up finds the expiry's record in its order's place and answers ErrExpired (see Expire).
// The order it creates carries the Warnings of the store's menu (a busy kitchen); a replay does
// not.
func (s *Service) Checkout(ctx context.Context, req CheckoutRequest) (o Order, created bool, err error) {
	if err := req.Validate(); err != nil {
		return Order{}, false, err
	}
	id, hash := req.OrderID(), req.Hash()
	o, warned, err := s.price(ctx, req)
	if err != nil {
		// Refused by the menu (sold out, busy, not on it) or the menu unreachable. Read alone,
		// the order is what a flash sale's sold-out storm costs: one small read per attempt.
		return s.replayIfPlaced(ctx, id, hash, err)
	}
	o.ID, o.RequestHash = id, hash
	if err := s.inv.Reserve(ctx, o); err != nil {
		// Sold out, or inventory's record of a created order says otherwise by now (released
		// when it expired, or reserved for another body under a reused key).
		return s.replayIfPlaced(ctx, id, hash, err)
	}
	cur, placement, err := s.repo.Lookup(ctx, Order{ID: id, CustomerID: req.CustomerID, StoreID: req.StoreID, Period: req.Period})
	if err == nil {
		return s.replay(ctx, cur, hash)
	} else if !errors.Is(err, ErrNotFound) {
		return Order{}, false, err
	}
	s.expireLater(o)
	o.UpdatedAt = s.now() // the moment of the change, which its event carries
	err = s.create(ctx, o, orderEvent(event.OrderCreated, o), placement)
	if errors.Is(err, occ.ErrConflict) { // a concurrent duplicate created it first
		cur, _, err := s.repo.Order(ctx, id)
		if err != nil {
			return Order{}, false, err
		}
		return s.replay(ctx, cur, hash)
	}
	if err != nil {
		return Order{}, false, fmt.Errorf("create order %s: %w", id, err)
	}
	o.Warnings = warned // told in this answer only, never stored
	return o, true, nil
}

// replayIfPlaced answers a checkout refused with err: with the order, when a checkout with this
// customer and key created one (a repeat is answered that order all the same), else err.
func (s *Service) replayIfPlaced(ctx context.Context, id, hash string, err error) (Order, bool, error) {
	cur, _, rerr := s.repo.Order(ctx, id)
	switch {
	case rerr == nil:
		return s.replay(ctx, cur, hash)
	case !errors.Is(rerr, ErrNotFound):
		return Order{}, false, rerr
	}
	return Order{}, false, err
}

// replay answers a repeated checkout with the order the first one created.
func (s *Service) replay(ctx context.Context, o Order, hash string) (Order, bool, error) {
	if o.inPlaceOfCheckout() { // this checkout's payment time ran out before it stored the order
		return Order{}, false, ErrExpired
	}
	if o.RequestHash != hash {
		return Order{}, false, ErrKeyReused
	}
	s.relay(ctx, o) // a first attempt that died after creating may have left its event unsent
	return o.withoutOutbox(), false, s.repo.Index(ctx, o)
}

// price builds the pending order from the menu's current prices, with what the customer should be
// warned of.
func (s *Service) price(ctx context.Context, req CheckoutRequest) (Order, []Warning, error) {
	m, err := s.menu.StoreMenu(ctx, req.StoreID)
	if err != nil {
		return Order{}, nil, err
	}
	if m.Busy {
		return Order{}, nil, ErrStoreBusy
	}
	now := s.now()
	o := Order{CustomerID: req.CustomerID, StoreID: req.StoreID, Period: req.Period, Delivery: req.Delivery, Status: PendingPayment, CreatedAt: now, UpdatedAt: now}
	for i, it := range req.Items {
		d, ok := m.Dishes[it.DishID]
		if !ok {
			return Order{}, nil, &NotOnMenuError{Field: fmt.Sprintf("items[%d].dish_id", i), DishID: it.DishID}
		}
		if !d.Orderable {
			return Order{}, nil, &SoldOutError{DishID: it.DishID}
		}
		o.Items = append(o.Items, Item{DishID: it.DishID, Quantity: it.Quantity, PriceCents: d.PriceCents})
		o.TotalCents += it.Quantity * d.PriceCents
	}
	return o, warnings(m.Kitchen), nil
}

// Get returns one of the customer's orders.
func (s *Service) Get(ctx context.Context, id, customerID string) (Order, error) {
	o, _, err := s.repo.Order(ctx, id)
	if err == nil && o.CustomerID != customerID {
		return Order{}, ErrNotFound
	}
	return o.withoutOutbox(), err
}

// List returns orders matching q.
func (s *Service) List(ctx context.Context, q Query) ([]Order, error) {
	q.Through = s.now().AddDate(0, 1, 0) // orders for next month's periods count too
	orders, err := s.repo.List(ctx, q)
	for i := range orders {
		orders[i] = orders[i].withoutOutbox()
	}
	return orders, err
}
