// Package ordertest holds what tests of the order service share: an in-memory Repository and
// Publisher with the same ETag rules as the real store, and the contract suite every Repository
// must pass (run on the fake here and on the real sidecar in services/order/sidecar).
package ordertest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/order/ordering"
)

// Memory is an in-memory ordering.Repository and ordering.Publisher. It counts what tests must
// not take on trust: creates that succeeded and every event published.
type Memory struct {
	mu         sync.Mutex
	orders     map[string]ordering.Order
	versions   map[string]int
	indexed    map[string][]string
	Creates    int // successful creates
	BulkReads  int // calls of Orders
	BulkWrites int // calls of SaveAll
	Lookups    int // calls of Lookup
	// BeforeSaveAll, when set, runs as SaveAll starts (another writer getting in between).
	BeforeSaveAll func()
	Published     []event.Order // every event published, duplicates included
	PublishCalls  int           // calls of PublishOrders
	FailPublish   bool          // make PublishOrder and PublishOrders fail (a broker outage)
}

var (
	_ ordering.Repository = (*Memory)(nil)
	_ ordering.Publisher  = (*Memory)(nil)
)

// NewMemory returns an empty store.
func NewMemory() *Memory {
	return &Memory{orders: map[string]ordering.Order{}, versions: map[string]int{}, indexed: map[string][]string{}}
}

// Order reads one order.
func (m *Memory) Order(_ context.Context, id string) (ordering.Order, ordering.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[id]
	if !ok {
		return ordering.Order{}, "", ordering.ErrNotFound
	}
	return clone(o), ordering.Token(strconv.Itoa(m.versions[id])), nil
}

// Orders reads the orders among ids that exist, with their tokens.
func (m *Memory) Orders(_ context.Context, ids []string) (map[string]ordering.Stored, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.BulkReads++
	out := map[string]ordering.Stored{}
	for _, id := range ids {
		if o, ok := m.orders[id]; ok {
			out[id] = ordering.Stored{Order: clone(o), Token: ordering.Token(strconv.Itoa(m.versions[id]))}
		}
	}
	return out, nil
}

// Create writes a new order, refusing an existing id.
func (m *Memory) Create(_ context.Context, o ordering.Order) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.orders[o.ID]; ok {
		return occ.ErrConflict
	}
	m.orders[o.ID], m.versions[o.ID] = clone(o), 1
	m.Creates++
	return nil
}

// Save writes the order if t is its current token.
func (m *Memory) Save(_ context.Context, o ordering.Order, t ordering.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.orders[o.ID]; !ok || string(t) != strconv.Itoa(m.versions[o.ID]) {
		return occ.ErrConflict
	}
	m.orders[o.ID] = clone(o)
	m.versions[o.ID]++
	return nil
}

// SaveAll writes each order whose token is current, as a store's bulk save does (each on its
// own), and fails if any was not.
func (m *Memory) SaveAll(_ context.Context, orders []ordering.Stored) error {
	if m.BeforeSaveAll != nil {
		m.BeforeSaveAll()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.BulkWrites++
	var stale []string
	for _, st := range orders {
		if _, ok := m.orders[st.Order.ID]; !ok || string(st.Token) != strconv.Itoa(m.versions[st.Order.ID]) {
			stale = append(stale, st.Order.ID)
			continue
		}
		m.orders[st.Order.ID] = clone(st.Order)
		m.versions[st.Order.ID]++
	}
	if stale != nil {
		return fmt.Errorf("save %v: %w", stale, occ.ErrConflict)
	}
	return nil
}

// Lookup reads the order; it has no placement to offer.
func (m *Memory) Lookup(ctx context.Context, o ordering.Order) (ordering.Order, ordering.Placement, error) {
	m.mu.Lock()
	m.Lookups++
	m.mu.Unlock()
	got, _, err := m.Order(ctx, o.ID)
	return got, nil, err
}

// CreateIndexed is Create, then Index.
func (m *Memory) CreateIndexed(ctx context.Context, o ordering.Order, _ ordering.Placement) error {
	if err := m.Create(ctx, o); err != nil {
		return err
	}
	return m.Index(ctx, o)
}

// Index records the order under its customer and store-day.
func (m *Memory) Index(_ context.Context, o ordering.Order) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range []string{"c:" + o.CustomerID, "s:" + o.StoreID + ":" + o.Date()} {
		if !slices.Contains(m.indexed[k], o.ID) {
			m.indexed[k] = append(m.indexed[k], o.ID)
		}
	}
	return nil
}

// List answers a query from the index.
func (m *Memory) List(_ context.Context, q ordering.Query) ([]ordering.Order, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := "c:" + q.CustomerID
	if q.StoreID != "" {
		k = "s:" + q.StoreID + ":" + q.Date
	}
	var out []ordering.Order
	for _, id := range m.indexed[k] {
		out = append(out, clone(m.orders[id]))
	}
	sort.Slice(out, func(a, b int) bool { return out[a].CreatedAt.Before(out[b].CreatedAt) })
	if q.StoreID == "" {
		slices.Reverse(out)
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// PublishOrder records the event.
func (m *Memory) PublishOrder(_ context.Context, e event.Order) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailPublish {
		return errBroker
	}
	m.Published = append(m.Published, e)
	return nil
}

// PublishOrders records the events, or fails them all with FailPublish.
func (m *Memory) PublishOrders(_ context.Context, evs []event.Order) []error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.PublishCalls++
	errs := make([]error, len(evs))
	for i, e := range evs {
		if m.FailPublish {
			errs[i] = errBroker
			continue
		}
		m.Published = append(m.Published, e)
	}
	return errs
}

// Events returns the types of the order's published events, in order.
func (m *Memory) Events(orderID string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, e := range m.Published {
		if e.OrderID == orderID {
			out = append(out, e.Type)
		}
	}
	return out
}

// SetFailPublish switches the broker outage on or off.
func (m *Memory) SetFailPublish(fail bool) {
	m.mu.Lock()
	m.FailPublish = fail
	m.mu.Unlock()
}

type brokerError struct{}

func (brokerError) Error() string { return "broker unavailable" }

var errBroker = brokerError{}

func clone(o ordering.Order) ordering.Order {
	o.Items = slices.Clone(o.Items)
	o.Outbox = slices.Clone(o.Outbox)
	if o.Delivery != nil {
		d := *o.Delivery
		o.Delivery = &d
	}
	return o
}
