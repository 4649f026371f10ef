// Package sidecar is the payment service's Dapr I/O: intents in a state store (each a single key
// written with its ETag, its pending events inside it), the index of open intents, publishing
// payment events, the provider's signing keys from a secret store, service invocation of the
// order service and the provider, the Jobs API for the reconciler, and the inbound callbacks
// (the reconciler's job, the orders subscription).
package sidecar

import (
	"context"
	"encoding/json"
	"fmt"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/payment/paying"
)

// Client is the part of the Dapr client the payment service's state and publishing use.
type Client interface {
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
	GetBulkState(ctx context.Context, store string, keys []string, meta map[string]string, parallelism int32) ([]*dapr.BulkStateItem, error)
	SaveBulkState(ctx context.Context, store string, items ...*dapr.SetStateItem) error
	PublishEvent(ctx context.Context, pubsub, topic string, data any, opts ...dapr.PublishEventOption) error
}

// Repository implements paying's Repository, Index, Reports and Publisher on a Dapr state store
// and the pub/sub component.
type Repository struct {
	Client     Client
	StateStore string
}

var (
	_ paying.Repository = (*Repository)(nil)
	_ paying.Index      = (*Repository)(nil)
	_ paying.Reports    = (*Repository)(nil)
	_ paying.Publisher  = (*Repository)(nil)
)

const intentPrefix = "payment:"

func intentKey(orderID string) string { return intentPrefix + orderID }

// Intent reads one intent.
func (r *Repository) Intent(ctx context.Context, orderID string) (paying.Intent, paying.Token, error) {
	var rec intentRecord
	etag, found, err := daprconn.Get(ctx, r.Client, r.StateStore, intentKey(orderID), &rec)
	switch {
	case err != nil:
		return paying.Intent{}, "", err
	case !found:
		return paying.Intent{}, "", paying.ErrNotFound
	}
	return rec.domain(orderID), paying.Token(etag), nil
}

// Intents reads the intents that exist among ids in one bulk call, keyed by order id.
func (r *Repository) Intents(ctx context.Context, ids []string) (map[string]paying.Intent, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = intentKey(id)
	}
	items, err := daprconn.GetBulk[intentRecord](ctx, r.Client, r.StateStore, keys)
	if err != nil {
		return nil, fmt.Errorf("read %d intents: %w", len(ids), err)
	}
	out := make(map[string]paying.Intent, len(items))
	for _, it := range items {
		id := it.Key[len(intentPrefix):]
		out[id] = it.Value.domain(id)
	}
	return out, nil
}

// Create writes a new intent, create-only on every store (a single-key first-write save).
func (r *Repository) Create(ctx context.Context, in paying.Intent) error {
	raw, err := json.Marshal(toIntentRecord(in))
	if err != nil {
		return err
	}
	return daprconn.Create(ctx, r.Client, r.StateStore, intentKey(in.OrderID), raw)
}

// Save writes the intent if its ETag is still t.
func (r *Repository) Save(ctx context.Context, in paying.Intent, t paying.Token) error {
	if t == "" {
		return fmt.Errorf("save payment of %s: no token", in.OrderID) // would silently be a create
	}
	raw, err := json.Marshal(toIntentRecord(in))
	if err != nil {
		return err
	}
	return daprconn.Save(ctx, r.Client, r.StateStore, intentKey(in.OrderID), raw, string(t))
}

// PublishPayment publishes a payment event to the payments topic. The CloudEvent id names the
// order and the change, so a republished event carries the id of the first.
func (r *Repository) PublishPayment(ctx context.Context, e event.Payment) error {
	return r.Client.PublishEvent(ctx, event.PubSub, event.TopicPayments, e,
		dapr.PublishEventWithMetadata(map[string]string{"cloudevent.id": e.OrderID + "/" + e.Type}))
}
