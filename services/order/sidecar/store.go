// Package sidecar is the order service's Dapr I/O: orders in a state store whose outbox publishes
// each order event in the same transaction as the order's change, service invocation of menu and
// inventory, and the Jobs API for payment timeouts.
package sidecar

import (
	"context"
	"encoding/json"
	"fmt"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/order/ordering"
)

// StateClient is the part of the Dapr client the order store uses.
type StateClient interface {
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
	GetBulkState(ctx context.Context, store string, keys []string, meta map[string]string, parallelism int32) ([]*dapr.BulkStateItem, error)
	SaveBulkState(ctx context.Context, store string, items ...*dapr.SetStateItem) error
	ExecuteStateTransaction(ctx context.Context, store string, meta map[string]string, ops []*dapr.StateOperation) error
}

// Store implements ordering.Store on a Dapr state store configured with an outbox to the orders topic.
type Store struct {
	Client     StateClient
	StateStore string
}

var _ ordering.Store = (*Store)(nil)

func orderKey(id string) string { return "order:" + id }

// Order reads one order.
func (s *Store) Order(ctx context.Context, id string) (ordering.Order, ordering.Token, error) {
	it, err := s.Client.GetState(ctx, s.StateStore, orderKey(id), nil)
	if err != nil {
		return ordering.Order{}, "", fmt.Errorf("read order %s: %w", id, err)
	}
	if len(it.Value) == 0 {
		return ordering.Order{}, "", ordering.ErrNotFound
	}
	var rec orderRecord
	if err := json.Unmarshal(it.Value, &rec); err != nil {
		return ordering.Order{}, "", fmt.Errorf("decode order %s: %w", id, err)
	}
	return rec.domain(id), ordering.Token(it.Etag), nil
}

// Save writes the order with its ETag (first-write) and, through the outbox, its event: a second
// operation on the same key marked as the outbox projection is what subscribers receive.
func (s *Store) Save(ctx context.Context, o ordering.Order, t ordering.Token, e event.Order) error {
	rec, err := json.Marshal(toOrderRecord(o))
	if err != nil {
		return err
	}
	ev, err := json.Marshal(e)
	if err != nil {
		return err
	}
	item := &dapr.SetStateItem{Key: orderKey(o.ID), Value: rec, Options: daprconn.FirstWrite}
	if t != "" {
		item.Etag = &dapr.ETag{Value: string(t)}
	}
	ops := []*dapr.StateOperation{
		{Type: dapr.StateOperationTypeUpsert, Item: item},
		{Type: dapr.StateOperationTypeUpsert, Item: &dapr.SetStateItem{
			Key: orderKey(o.ID), Value: ev,
			Metadata: map[string]string{"outbox.projection": "true", "contentType": "application/json"},
		}},
	}
	err = s.Client.ExecuteStateTransaction(ctx, s.StateStore, nil, ops)
	if err == nil || t == "" {
		return err
	}
	// Transactions report a stale ETag as a plain error: tell a conflict by reading the key back.
	if _, cur, rerr := s.Order(ctx, o.ID); rerr == nil && cur != t {
		return fmt.Errorf("save order %s: %w", o.ID, occ.ErrConflict)
	}
	return err
}
