// Package queuetest holds what tests of the kitchen need: Memory, an in-memory Repository,
// Publisher and Ticker that count what tests must not take on trust, and RunRepositoryContract,
// the suite every Repository passes.
package queuetest

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/kitchen/queue"
)

// Memory keeps queues and archived tickets in maps, as deep copies (a JSON round trip, as a real
// store would), records published events, and can be told to fail publishing.
type Memory struct {
	mu        sync.Mutex
	queues    map[string][]byte
	versions  map[string]int
	archive   map[string][]byte
	Published []event.Ticket
	Loads     []event.StoreLoad
	Saves     int
	Ticking   map[string]bool
	// PublishErr, when set, fails every publish.
	PublishErr error
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{queues: map[string][]byte{}, versions: map[string]int{}, archive: map[string][]byte{}, Ticking: map[string]bool{}}
}

var (
	_ queue.Repository = (*Memory)(nil)
	_ queue.Publisher  = (*Memory)(nil)
	_ queue.Ticker     = (*Memory)(nil)
)

// Load reads the store's queue.
func (m *Memory) Load(_ context.Context, storeID string) (queue.Queue, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	raw, ok := m.queues[storeID]
	if !ok {
		return queue.NewQueue(storeID), nil
	}
	var q queue.Queue
	err := json.Unmarshal(raw, &q)
	q.Version = strconv.Itoa(m.versions[storeID])
	return q, err
}

// Save writes the store's queue if its Version is still the stored one.
func (m *Memory) Save(_ context.Context, q queue.Queue) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.versions[q.StoreID]; q.Version != "" && (!ok || q.Version != strconv.Itoa(cur)) || q.Version == "" && ok {
		return occ.ErrConflict
	}
	q.Version = ""
	raw, err := json.Marshal(q)
	if err != nil {
		return err
	}
	m.queues[q.StoreID] = raw
	m.versions[q.StoreID]++
	m.Saves++
	return nil
}

// Archive writes a completed ticket.
func (m *Memory) Archive(_ context.Context, t queue.Ticket) error {
	raw, err := json.Marshal(t)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.archive[t.StoreID+"/"+t.OrderID] = raw
	return err
}

// Archived reads completed tickets.
func (m *Memory) Archived(_ context.Context, storeID string, orderIDs ...string) (map[string]queue.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]queue.Ticket{}
	for _, id := range orderIDs {
		if raw, ok := m.archive[storeID+"/"+id]; ok {
			var t queue.Ticket
			if err := json.Unmarshal(raw, &t); err != nil {
				return nil, err
			}
			out[id] = t
		}
	}
	return out, nil
}

// PublishTickets records evs in Published, or fails with PublishErr.
func (m *Memory) PublishTickets(_ context.Context, evs []event.Ticket) error {
	return record(m, &m.Published, evs...)
}

// PublishStoreLoad records e in Loads, or fails with PublishErr.
func (m *Memory) PublishStoreLoad(_ context.Context, e event.StoreLoad) error {
	return record(m, &m.Loads, e)
}

// record appends published events to their list, or fails with PublishErr.
func record[E any](m *Memory, list *[]E, evs ...E) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.PublishErr != nil {
		return m.PublishErr
	}
	*list = append(*list, evs...)
	return nil
}

// StartTicking marks the store's reminder on.
func (m *Memory) StartTicking(_ context.Context, storeID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Ticking[storeID] = true
	return nil
}

// StopTicking marks it off.
func (m *Memory) StopTicking(_ context.Context, storeID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.Ticking, storeID)
	return nil
}

// Events is the published events of an order, by type, in order.
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

// ErrDown is the error Memory's publisher fails with when told to.
var ErrDown = errors.New("pub/sub down")
