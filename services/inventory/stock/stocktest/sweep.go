package stocktest

import (
	"context"
	"maps"
	"slices"

	"github.com/canteen/canteen/services/inventory/stock"
)

// The reconciler's index and state in memory, with the same token rules as buckets.

// IndexedDates implements stock.Repository.
func (m *Memory) IndexedDates(context.Context) ([]stock.IndexedDate, stock.Token, error) {
	v, t := m.get("idx/dates")
	d, _ := v.([]stock.IndexedDate)
	return slices.Clone(d), t, nil
}

// PutIndexedDates implements stock.Repository.
func (m *Memory) PutIndexedDates(_ context.Context, dates []stock.IndexedDate, t stock.Token) error {
	return m.set("idx/dates", slices.Clone(dates), t)
}

// IndexedItems implements stock.Repository.
func (m *Memory) IndexedItems(_ context.Context, date string) ([]stock.Item, stock.Token, error) {
	v, t := m.get("idx/items/" + date)
	items, _ := v.([]stock.Item)
	return slices.Clone(items), t, nil
}

// PutIndexedItems implements stock.Repository.
func (m *Memory) PutIndexedItems(_ context.Context, date string, items []stock.Item, t stock.Token) error {
	return m.set("idx/items/"+date, slices.Clone(items), t)
}

// SweepState implements stock.Repository.
func (m *Memory) SweepState(context.Context) (stock.SweepState, stock.Token, error) {
	v, t := m.get("sweep")
	st, _ := v.(stock.SweepState)
	return cloneSweep(st), t, nil
}

// PutSweepState implements stock.Repository.
func (m *Memory) PutSweepState(_ context.Context, st stock.SweepState, t stock.Token) error {
	return m.set("sweep", cloneSweep(st), t)
}

func (m *Memory) get(key string) (any, stock.Token) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.recs[key]
	return r.value, r.tok
}

func (m *Memory) set(key string, v any, t stock.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.put(key, record{value: v}, t, false)
}

func cloneSweep(st stock.SweepState) stock.SweepState {
	st.FirstAbsent = maps.Clone(st.FirstAbsent)
	if st.Last != nil {
		last := *st.Last
		last.ByReason = maps.Clone(last.ByReason)
		last.Fixes = slices.Clone(last.Fixes)
		last.ErrorSamples = slices.Clone(last.ErrorSamples)
		st.Last = &last
	}
	return st
}
