// Package sidecar is the menu service's Dapr I/O: stores and dishes in a Dapr state store, every
// write guarded by the ETag it was read with and first-write concurrency.
package sidecar

import (
	"context"
	"encoding/json"
	"fmt"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/menu/catalog"
)

// Client is the part of the Dapr client the repository uses.
type Client interface {
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
	GetBulkState(ctx context.Context, store string, keys []string, meta map[string]string, parallelism int32) ([]*dapr.BulkStateItem, error)
	SaveBulkState(ctx context.Context, store string, items ...*dapr.SetStateItem) error
}

// Repository implements catalog.Repository on the Dapr state store named StateStore.
type Repository struct {
	Client     Client
	StateStore string
}

var _ catalog.Repository = (*Repository)(nil)

func storeKey(id string) string         { return "store:" + id }
func dishKey(storeID, id string) string { return "dish:" + storeID + ":" + id }

// Store reads a store; catalog.ErrNotFound when there is none.
func (r *Repository) Store(ctx context.Context, id string) (catalog.Store, catalog.Token, error) {
	var rec storeRecord
	tok, err := r.get(ctx, storeKey(id), &rec)
	return rec.domain(id), tok, err
}

// PutStore writes a store with the token it was read with ("" to create).
func (r *Repository) PutStore(ctx context.Context, s catalog.Store, t catalog.Token) error {
	return r.put(ctx, storeKey(s.ID), toStoreRecord(s), t)
}

// Dish reads a dish; catalog.ErrNotFound when there is none.
func (r *Repository) Dish(ctx context.Context, storeID, id string) (catalog.Dish, catalog.Token, error) {
	var rec dishRecord
	tok, err := r.get(ctx, dishKey(storeID, id), &rec)
	return rec.domain(storeID, id), tok, err
}

// PutDish writes a dish with the token it was read with ("" to create).
func (r *Repository) PutDish(ctx context.Context, d catalog.Dish, t catalog.Token) error {
	return r.put(ctx, dishKey(d.StoreID, d.ID), toDishRecord(d), t)
}

// Dishes reads many dishes in one bulk call, skipping ids with no record.
func (r *Repository) Dishes(ctx context.Context, storeID string, ids []string) ([]catalog.Dish, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = dishKey(storeID, id)
	}
	items, err := r.Client.GetBulkState(ctx, r.StateStore, keys, nil, 8)
	if err != nil {
		return nil, fmt.Errorf("bulk get %d dishes: %w", len(keys), err)
	}
	byKey := make(map[string]*dapr.BulkStateItem, len(items))
	for _, it := range items {
		if it.Error != "" {
			return nil, fmt.Errorf("get %s: %s", it.Key, it.Error)
		}
		byKey[it.Key] = it
	}
	out := make([]catalog.Dish, 0, len(ids))
	for i, id := range ids {
		it := byKey[keys[i]]
		if it == nil || len(it.Value) == 0 {
			continue
		}
		var rec dishRecord
		if err := json.Unmarshal(it.Value, &rec); err != nil {
			return nil, fmt.Errorf("decode %s: %w", it.Key, err)
		}
		out = append(out, rec.domain(storeID, id))
	}
	return out, nil
}

func (r *Repository) get(ctx context.Context, key string, dst any) (catalog.Token, error) {
	etag, found, err := daprconn.Get(ctx, r.Client, r.StateStore, key, dst)
	switch {
	case err != nil:
		return "", err
	case !found:
		return "", catalog.ErrNotFound
	}
	return catalog.Token(etag), nil
}

// put saves v under key. With a token the save succeeds only while the stored ETag equals it, which
// needs first-write concurrency: the SDK's default is last-write, under which stores ignore the ETag.
// Without a token it writes a new key (ids are fresh UUIDs).
func (r *Repository) put(ctx context.Context, key string, v any, t catalog.Token) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return daprconn.Save(ctx, r.Client, r.StateStore, key, data, string(t))
}
