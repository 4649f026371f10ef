// Package sidecar is the notification service's Dapr I/O: streams in the state store (a head per
// stream, written with its ETag and first-write, and immutable pages written create-only) and the
// subscriptions to the orders and tickets topics.
package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/notification/feed"
)

// Client is the part of the Dapr client the repository uses.
type Client interface {
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
	SaveBulkState(ctx context.Context, store string, items ...*dapr.SetStateItem) error
}

// Repository implements feed.Repository on a Dapr state store.
type Repository struct {
	Client     Client
	StateStore string
}

var _ feed.Repository = (*Repository)(nil)

// Lifetimes in the store. An order's stream is of interest for days at most; a store's head is
// its sequence and never expires (a new one would reuse ids that clients hold). Pages are read
// only while among the last feed.KeepPages, which a busy store passes in minutes, so a day is
// plenty and keeps the key count of a store bounded by a day's traffic.
const (
	orderHeadTTL = 7 * 24 * 3600
	pageTTL      = 24 * 3600
)

func headKey(s feed.Stream) string { return "stream:" + s.String() }

func pageKey(s feed.Stream, n int64) string { return headKey(s) + ":page:" + strconv.FormatInt(n, 10) }

// Head reads a stream's head.
func (r *Repository) Head(ctx context.Context, s feed.Stream) (feed.Head, feed.Token, error) {
	var rec headRecord
	etag, found, err := daprconn.Get(ctx, r.Client, r.StateStore, headKey(s), &rec)
	if err != nil || !found {
		return feed.Head{}, "", err
	}
	return rec.domain(), feed.Token(etag), nil
}

// SaveHead writes the head with its ETag and first-write; with no token, create-only.
func (r *Repository) SaveHead(ctx context.Context, s feed.Stream, h feed.Head, t feed.Token) error {
	raw, err := json.Marshal(toHeadRecord(h))
	if err != nil {
		return err
	}
	ttl := 0
	if s.Kind == feed.KindOrder {
		ttl = orderHeadTTL
	}
	if t == "" {
		return daprconn.CreateTTL(ctx, r.Client, r.StateStore, headKey(s), raw, ttl)
	}
	return daprconn.SaveTTL(ctx, r.Client, r.StateStore, headKey(s), raw, string(t), ttl)
}

// SavePage writes a sealed page create-only: a page that exists already holds the same events
// (its content is decided by the head it came from), so finding it is success.
func (r *Repository) SavePage(ctx context.Context, s feed.Stream, p feed.Page) error {
	raw, err := json.Marshal(toEventRecords(p.Events))
	if err != nil {
		return err
	}
	err = daprconn.CreateTTL(ctx, r.Client, r.StateStore, pageKey(s, p.N), raw, pageTTL)
	if errors.Is(err, occ.ErrConflict) {
		return nil
	}
	return err
}

// Page reads page n.
func (r *Repository) Page(ctx context.Context, s feed.Stream, n int64) (feed.Page, bool, error) {
	var recs []eventRecord
	_, found, err := daprconn.Get(ctx, r.Client, r.StateStore, pageKey(s, n), &recs)
	if err != nil || !found {
		return feed.Page{}, false, err
	}
	return feed.Page{N: n, Events: domainEvents(recs)}, true, nil
}

// headRecord and eventRecord are the stored shapes: short names, since every event of a
// stream's head is rewritten with each append.
type headRecord struct {
	Next     int64         `json:"next"`
	Customer string        `json:"customer,omitempty"`
	Events   []eventRecord `json:"events,omitempty"`
}

type eventRecord struct {
	ID         int64     `json:"id"`
	Type       string    `json:"type"`
	OrderID    string    `json:"order"`
	StoreID    string    `json:"store"`
	CustomerID string    `json:"customer,omitempty"`
	At         time.Time `json:"at"`
	// Data is the published payload as a JSON string, not embedded JSON: PostgreSQL keeps a JSON
	// value as jsonb and gives it back re-spaced and re-escaped; a string comes back byte for byte.
	Data    string `json:"data"`
	InStore bool   `json:"in_store,omitempty"`
}

func toHeadRecord(h feed.Head) headRecord {
	return headRecord{Next: h.Next, Customer: h.Customer, Events: toEventRecords(h.Events)}
}

func (rec headRecord) domain() feed.Head {
	return feed.Head{Next: rec.Next, Customer: rec.Customer, Events: domainEvents(rec.Events)}
}

func toEventRecords(evs []feed.Event) []eventRecord {
	out := make([]eventRecord, len(evs))
	for i, e := range evs {
		out[i] = eventRecord{ID: e.ID, Type: e.Type, OrderID: e.OrderID, StoreID: e.StoreID, CustomerID: e.CustomerID, At: e.At, Data: string(e.Data), InStore: e.InStore}
	}
	return out
}

func domainEvents(recs []eventRecord) []feed.Event {
	if len(recs) == 0 {
		return nil
	}
	out := make([]feed.Event, len(recs))
	for i, r := range recs {
		out[i] = feed.Event{ID: r.ID, Type: r.Type, OrderID: r.OrderID, StoreID: r.StoreID, CustomerID: r.CustomerID, At: r.At, Data: []byte(r.Data), InStore: r.InStore}
	}
	return out
}
