// Package catalogtest holds what tests of the menu service share: an in-memory Repository and the
// contract suite every Repository implementation must pass.
package catalogtest

import (
	"context"
	"strconv"
	"sync"

	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/menu/catalog"
)

// Memory is a catalog.Repository in memory, with the same token rules as a Dapr state store used
// with first-write concurrency.
type Memory struct {
	mu     sync.Mutex
	seq    int
	stores map[string]versioned[catalog.Store]
	dishes map[string]versioned[catalog.Dish]
}

type versioned[T any] struct {
	v   T
	tok catalog.Token
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{stores: map[string]versioned[catalog.Store]{}, dishes: map[string]versioned[catalog.Dish]{}}
}

func (m *Memory) Store(_ context.Context, id string) (catalog.Store, catalog.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.stores[id]
	if !ok {
		return catalog.Store{}, "", catalog.ErrNotFound
	}
	return s.v, s.tok, nil
}

func (m *Memory) PutStore(_ context.Context, s catalog.Store, t catalog.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return put(m, m.stores, s.ID, s, t)
}

func (m *Memory) Dish(_ context.Context, storeID, id string) (catalog.Dish, catalog.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.dishes[storeID+"/"+id]
	if !ok {
		return catalog.Dish{}, "", catalog.ErrNotFound
	}
	return d.v, d.tok, nil
}

func (m *Memory) PutDish(_ context.Context, d catalog.Dish, t catalog.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return put(m, m.dishes, d.StoreID+"/"+d.ID, d, t)
}

func (m *Memory) Dishes(_ context.Context, storeID string, ids []string) ([]catalog.Dish, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []catalog.Dish
	for _, id := range ids {
		if d, ok := m.dishes[storeID+"/"+id]; ok {
			out = append(out, d.v)
		}
	}
	return out, nil
}

func put[T any](m *Memory, into map[string]versioned[T], key string, v T, t catalog.Token) error {
	if cur, ok := into[key]; (ok && t != "" && cur.tok != t) || (!ok && t != "") {
		return occ.ErrConflict
	}
	m.seq++
	into[key] = versioned[T]{v: v, tok: catalog.Token(strconv.Itoa(m.seq))}
	return nil
}
