// Package providertest holds what tests of paysim share: an in-memory Repository, a Notifier
// that records dispatches, and the contract suite every Repository implementation must pass.
package providertest

import (
	"context"
	"strconv"
	"sync"

	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/paysim/provider"
)

// Memory is a provider.Repository in memory, with the same token rules as a Dapr state store used
// with first-write concurrency. It counts writes, which tests must not take on trust.
type Memory struct {
	mu       sync.Mutex
	seq      int
	payments map[string]stored[provider.Payment]
	faults   *stored[provider.Faults]
	writes   int
}

type stored[T any] struct {
	v   T
	tok provider.Token
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{payments: map[string]stored[provider.Payment]{}} }

func (m *Memory) Payment(_ context.Context, txnID string) (provider.Payment, provider.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.payments[txnID]
	if !ok {
		return provider.Payment{}, "", provider.ErrNotFound
	}
	return clonePayment(s.v), s.tok, nil
}

func (m *Memory) PutPayment(_ context.Context, p provider.Payment, t provider.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.payments[p.TxnID]
	if (ok && cur.tok != t) || (!ok && t != "") {
		return occ.ErrConflict
	}
	m.payments[p.TxnID] = stored[provider.Payment]{v: clonePayment(p), tok: m.next()}
	return nil
}

func (m *Memory) Faults(context.Context) (provider.Faults, provider.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.faults == nil {
		return provider.Faults{}, "", nil
	}
	return m.faults.v, m.faults.tok, nil
}

func (m *Memory) PutFaults(_ context.Context, f provider.Faults, t provider.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if (m.faults != nil && m.faults.tok != t) || (m.faults == nil && t != "") {
		return occ.ErrConflict
	}
	m.faults = &stored[provider.Faults]{v: f, tok: m.next()}
	return nil
}

// Writes is how many writes succeeded.
func (m *Memory) Writes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.writes
}

func (m *Memory) next() provider.Token {
	m.seq++
	m.writes++
	return provider.Token(strconv.Itoa(m.seq))
}

// clonePayment copies the slices and the faults, so that a caller changing what it read or wrote
// cannot change what is stored, as with a real store.
func clonePayment(p provider.Payment) provider.Payment {
	p.Refunds = append([]provider.Refund(nil), p.Refunds...)
	p.History = append([]provider.Change(nil), p.History...)
	if p.Faults != nil {
		f := *p.Faults
		p.Faults = &f
	}
	return p
}

// Notifier is a provider.Notifier that records what it was asked to send.
type Notifier struct {
	mu   sync.Mutex
	sent []provider.Dispatch
}

// Send records d.
func (n *Notifier) Send(d provider.Dispatch) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, d)
}

// Sent returns the dispatches recorded so far, oldest first.
func (n *Notifier) Sent() []provider.Dispatch {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]provider.Dispatch(nil), n.sent...)
}
