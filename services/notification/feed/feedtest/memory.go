// Package feedtest holds what tests of the notification service share: an in-memory Repository with
// the same token rules as the real store, and the contract suite every Repository must pass (run
// on the fake here and on the real sidecar in services/notification/sidecar).
package feedtest

import (
	"context"
	"slices"
	"strconv"
	"sync"

	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/notification/feed"
)

// Memory is an in-memory feed.Repository. It counts what tests must not take on trust: the head
// writes that succeeded and the pages written.
type Memory struct {
	mu         sync.Mutex
	heads      map[feed.Stream]feed.Head
	versions   map[feed.Stream]int
	pages      map[feed.Stream]map[int64]feed.Page
	HeadWrites int
	PageWrites int
}

var _ feed.Repository = (*Memory)(nil)

// NewMemory returns an empty store.
func NewMemory() *Memory {
	return &Memory{heads: map[feed.Stream]feed.Head{}, versions: map[feed.Stream]int{}, pages: map[feed.Stream]map[int64]feed.Page{}}
}

// Head reads a stream's head.
func (m *Memory) Head(_ context.Context, s feed.Stream) (feed.Head, feed.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, ok := m.heads[s]
	if !ok {
		return feed.Head{}, "", nil
	}
	h.Events = cloneEvents(h.Events)
	return h, feed.Token(strconv.Itoa(m.versions[s])), nil
}

// SaveHead writes the head if its version is still t ("" only where there is none).
func (m *Memory) SaveHead(_ context.Context, s feed.Stream, h feed.Head, t feed.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, exists := m.heads[s]
	if (t == "" && exists) || (t != "" && (!exists || string(t) != strconv.Itoa(m.versions[s]))) {
		return occ.ErrConflict
	}
	h.Events = cloneEvents(h.Events)
	m.heads[s] = h
	m.versions[s]++
	m.HeadWrites++
	return nil
}

// SavePage writes a page.
func (m *Memory) SavePage(_ context.Context, s feed.Stream, p feed.Page) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pages[s] == nil {
		m.pages[s] = map[int64]feed.Page{}
	}
	p.Events = cloneEvents(p.Events)
	m.pages[s][p.N] = p
	m.PageWrites++
	return nil
}

// Page reads a page.
func (m *Memory) Page(_ context.Context, s feed.Stream, n int64) (feed.Page, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.pages[s][n]
	p.Events = cloneEvents(p.Events)
	return p, ok, nil
}

// Expire forgets page n of s, as the store's TTL would.
func (m *Memory) Expire(s feed.Stream, n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.pages[s], n)
}

func cloneEvents(evs []feed.Event) []feed.Event {
	out := slices.Clone(evs)
	for i := range out {
		out[i].Data = slices.Clone(out[i].Data)
	}
	return out
}
