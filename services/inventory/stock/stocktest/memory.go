// Package stocktest holds what tests of inventory share: an in-memory Repository with a Dapr state
// store's token rules, and the contract suite every Repository must pass.
package stocktest

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"sync"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/inventory/stock"
)

// Memory is a stock.Repository in memory.
type Memory struct {
	mu   sync.Mutex
	seq  int
	recs map[string]record
}

type record struct {
	bucket stock.Bucket
	resv   stock.Reservation
	tok    stock.Token
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{recs: map[string]record{}} }

func bucketKey(it stock.Item, i int) string { return fmt.Sprintf("b/%s/%d", it, i) }

func (m *Memory) Buckets(_ context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	bs, toks := make([]stock.Bucket, n), make([]stock.Token, n)
	for i := range n {
		r := m.recs[bucketKey(it, i)]
		bs[i], toks[i] = r.bucket, r.tok
		bs[i].Holds = maps.Clone(r.bucket.Holds)
	}
	return bs, toks, nil
}

func (m *Memory) PutBucket(_ context.Context, it stock.Item, i int, b stock.Bucket, t stock.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b.Holds = maps.Clone(b.Holds)
	return m.put(bucketKey(it, i), record{bucket: b}, t, false)
}

func (m *Memory) Reservation(_ context.Context, orderID string) (stock.Reservation, stock.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs["r/"+orderID]
	if !ok {
		return stock.Reservation{}, "", stock.ErrNotFound
	}
	return r.resv, r.tok, nil
}

func (m *Memory) CreateReservation(_ context.Context, r stock.Reservation) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.put("r/"+r.OrderID, record{resv: r}, "", true)
}

func (m *Memory) PutReservation(_ context.Context, r stock.Reservation, t stock.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.put("r/"+r.OrderID, record{resv: r}, t, false)
}

// put writes with first-write rules: a token must match the stored one; createOnly refuses an
// existing key; no token and not createOnly writes a new key (an existing one is a conflict too,
// as the sidecar repository cannot tell "new" from "exists" without a token).
func (m *Memory) put(key string, r record, t stock.Token, createOnly bool) error {
	cur, ok := m.recs[key]
	if (ok && (createOnly || cur.tok != t)) || (!ok && t != "") {
		return occ.ErrConflict
	}
	m.seq++
	r.tok = stock.Token(strconv.Itoa(m.seq))
	m.recs[key] = r
	return nil
}

// Events records published stock events.
type Events struct {
	mu  sync.Mutex
	All []event.Stock
}

func (e *Events) Publish(_ context.Context, ev event.Stock) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.All = append(e.All, ev)
	return nil
}

// Types returns the published event types in order.
func (e *Events) Types() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.All {
		out = append(out, ev.Type)
	}
	return out
}
