// Package stocktest holds what tests of inventory share: an in-memory Repository with a Dapr state
// store's token rules, and the contract suite every Repository must pass.
package stocktest

import (
	"context"
	"fmt"
	"maps"
	"slices"
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
	value  any // the reconciler's records (sweep.go), copied on the way in and out
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{recs: map[string]record{}} }

func bucketKey(it stock.Item, i int) string { return fmt.Sprintf("b/%s/%d", it, i) }

// Buckets implements stock.Repository.
func (m *Memory) Buckets(_ context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	bs, toks := make([]stock.Bucket, n), make([]stock.Token, n)
	for i := range n {
		r := m.recs[bucketKey(it, i)]
		bs[i], toks[i] = clone(r.bucket), r.tok
	}
	return bs, toks, nil
}

// PutBucket implements stock.Repository.
func (m *Memory) PutBucket(_ context.Context, it stock.Item, i int, b stock.Bucket, t stock.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.put(bucketKey(it, i), record{bucket: clone(b)}, t, false)
}

// PutBuckets implements stock.Repository.
func (m *Memory) PutBuckets(ctx context.Context, puts []stock.BucketPut, r *stock.Reservation) error {
	return PutEach(ctx, m, puts, r)
}

// PutEach writes a PutBuckets call one key at a time through repo's PutBucket and
// CreateReservation, every one of them tried, and returns the first error: a bulk write whose
// keys are each checked on their own, as on Redis. The record goes first, so that a kill
// part-way leaves it standing while holds it names are missing, the case its readers must mend.
// Test repositories that step in at PutBucket or CreateReservation (to kill or slow a write)
// write PutBuckets through it, so that each write meets them.
func PutEach(ctx context.Context, repo stock.Repository, puts []stock.BucketPut, r *stock.Reservation) error {
	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	if r != nil {
		keep(repo.CreateReservation(ctx, *r))
	}
	for _, p := range puts {
		keep(repo.PutBucket(ctx, p.Item, p.Index, p.Bucket, p.Token))
	}
	return first
}

// Reservation implements stock.Repository.
func (m *Memory) Reservation(_ context.Context, orderID string) (stock.Reservation, stock.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs["r/"+orderID]
	if !ok {
		return stock.Reservation{}, "", stock.ErrNotFound
	}
	return cloneReservation(r.resv), r.tok, nil
}

// CreateReservation implements stock.Repository.
func (m *Memory) CreateReservation(_ context.Context, r stock.Reservation) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.put("r/"+r.OrderID, record{resv: cloneReservation(r)}, "", true)
}

// PutReservation implements stock.Repository.
func (m *Memory) PutReservation(_ context.Context, r stock.Reservation, t stock.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.put("r/"+r.OrderID, record{resv: cloneReservation(r)}, t, false)
}

// Prepare implements stock.Repository.
func (m *Memory) Prepare(ctx context.Context, orderID string, its []stock.Item, counts []int) (stock.Prepared, error) {
	var p stock.Prepared
	for k, it := range its {
		bs, toks, _ := m.Buckets(ctx, it, counts[k])
		p.Buckets, p.Tokens = append(p.Buckets, bs), append(p.Tokens, toks)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs["r/"+orderID]; ok {
		c := cloneReservation(r.resv)
		p.Reservation = &c
	}
	return p, nil
}

// Restocked implements stock.Repository.
func (m *Memory) Restocked(_ context.Context, it stock.Item, restockID string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.recs["s/"+it.String()+"/"+restockID]
	return ok, nil
}

// PutRestocked implements stock.Repository.
func (m *Memory) PutRestocked(_ context.Context, it stock.Item, restockID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	m.recs["s/"+it.String()+"/"+restockID] = record{tok: stock.Token(strconv.Itoa(m.seq))}
	return nil
}

func cloneReservation(r stock.Reservation) stock.Reservation {
	r.Lines = slices.Clone(r.Lines)
	r.Parts = slices.Clone(r.Parts)
	return r
}

// clone copies a bucket's maps and slices: the caller's copy and the stored one never share them,
// as with a real store's encoded bytes.
func clone(b stock.Bucket) stock.Bucket {
	b.Parts = maps.Clone(b.Parts)
	b.Restocks = slices.Clone(b.Restocks)
	b.Returns = slices.Clone(b.Returns)
	return b
}

// put writes with first-write rules, as the contract states them: a token must match the stored
// one, and no token (or createOnly) writes only a key that does not exist yet.
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

// Publish implements stock.Publisher.
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
