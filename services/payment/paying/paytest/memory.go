// Package paytest holds what tests of the payment service share: an in-memory Repository, Index,
// Reports and Publisher with the same ETag rules as the real store, a fake provider that behaves
// as the paysim contract says, and the contract suite every Repository must pass (run on the fake
// here and on the real sidecar in services/payment/sidecar).
package paytest

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/payment/paying"
)

// Memory is an in-memory paying.Repository, Index, Reports and Publisher. It counts what tests
// must not take on trust: writes and every event published.
type Memory struct {
	mu          sync.Mutex
	intents     map[string]paying.Intent
	versions    map[string]int
	marks       map[string]time.Time
	report      *paying.Report
	Writes      int             // successful creates and saves of intents
	Published   []event.Payment // every event published, duplicates included
	FailPublish bool            // make PublishPayment fail (a broker outage)
}

var (
	_ paying.Repository = (*Memory)(nil)
	_ paying.Index      = (*Memory)(nil)
	_ paying.Reports    = (*Memory)(nil)
	_ paying.Publisher  = (*Memory)(nil)
)

// NewMemory returns an empty store.
func NewMemory() *Memory {
	return &Memory{intents: map[string]paying.Intent{}, versions: map[string]int{}, marks: map[string]time.Time{}}
}

// Intent reads one intent.
func (m *Memory) Intent(_ context.Context, id string) (paying.Intent, paying.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in, ok := m.intents[id]
	if !ok {
		return paying.Intent{}, "", paying.ErrNotFound
	}
	return clone(in), paying.Token(strconv.Itoa(m.versions[id])), nil
}

// Intents reads the intents among ids that exist.
func (m *Memory) Intents(_ context.Context, ids []string) (map[string]paying.Intent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]paying.Intent{}
	for _, id := range ids {
		if in, ok := m.intents[id]; ok {
			out[id] = clone(in)
		}
	}
	return out, nil
}

// Create writes a new intent, refusing an existing order id.
func (m *Memory) Create(_ context.Context, in paying.Intent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.intents[in.OrderID]; ok {
		return occ.ErrConflict
	}
	m.intents[in.OrderID], m.versions[in.OrderID] = clone(in), 1
	m.Writes++
	return nil
}

// Save writes the intent if t is its current token.
func (m *Memory) Save(_ context.Context, in paying.Intent, t paying.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.intents[in.OrderID]; !ok || string(t) != strconv.Itoa(m.versions[in.OrderID]) {
		return occ.ErrConflict
	}
	m.intents[in.OrderID] = clone(in)
	m.versions[in.OrderID]++
	m.Writes++
	return nil
}

// Mark lists the order at time at.
func (m *Memory) Mark(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.marks[id] = at
	return nil
}

// Marked returns the listed orders.
func (m *Memory) Marked(context.Context) (map[string]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]time.Time, len(m.marks))
	for k, v := range m.marks {
		out[k] = v
	}
	return out, nil
}

// Unmark unlists the orders whose mark is unchanged.
func (m *Memory) Unmark(_ context.Context, marks map[string]time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, at := range marks {
		if cur, ok := m.marks[id]; ok && cur.Equal(at) {
			delete(m.marks, id)
		}
	}
	return nil
}

// LastReport returns the last report kept.
func (m *Memory) LastReport(context.Context) (paying.Report, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.report == nil {
		return paying.Report{}, paying.ErrNotFound
	}
	r := *m.report
	r.ErrorSamples = slices.Clone(r.ErrorSamples)
	return r, nil
}

// PutReport keeps r.
func (m *Memory) PutReport(_ context.Context, r paying.Report) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.ErrorSamples = slices.Clone(r.ErrorSamples)
	m.report = &r
	return nil
}

// ErrBroker is what PublishPayment fails with while FailPublish is set.
var ErrBroker = errors.New("broker unavailable")

// PublishPayment records the event.
func (m *Memory) PublishPayment(_ context.Context, e event.Payment) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailPublish {
		return ErrBroker
	}
	m.Published = append(m.Published, e)
	return nil
}

// SetFailPublish switches the broker outage on or off.
func (m *Memory) SetFailPublish(fail bool) {
	m.mu.Lock()
	m.FailPublish = fail
	m.mu.Unlock()
}

// Events returns the types of the order's published events, in order, duplicates included.
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

// Listed reports whether the order is in the index of open intents.
func (m *Memory) Listed(orderID string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.marks[orderID]
	return ok
}

// WriteCount returns Writes under the lock.
func (m *Memory) WriteCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.Writes
}

func clone(in paying.Intent) paying.Intent {
	in.Outbox = slices.Clone(in.Outbox)
	return in
}
