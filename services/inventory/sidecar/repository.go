// Package sidecar is inventory's Dapr I/O: stock buckets and reservation records in a Dapr state
// store, every write a single key guarded by its ETag with first-write concurrency, and stock
// events published to pub/sub.
package sidecar

import (
	"context"
	"encoding/json"
	"fmt"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/inventory/stock"
)

// Client is the part of the Dapr client inventory uses.
type Client interface {
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
	GetBulkState(ctx context.Context, store string, keys []string, meta map[string]string, parallelism int32) ([]*dapr.BulkStateItem, error)
	SaveBulkState(ctx context.Context, store string, items ...*dapr.SetStateItem) error
	PublishEvent(ctx context.Context, pubsub, topic string, data any, opts ...dapr.PublishEventOption) error
}

// Repository implements stock.Repository and stock.Publisher over a Dapr sidecar.
type Repository struct {
	Client     Client
	StateStore string
}

var (
	_ stock.Repository = (*Repository)(nil)
	_ stock.Publisher  = (*Repository)(nil)
)

func bucketKey(it stock.Item, i int) string {
	return fmt.Sprintf("stock:%s:%s:%s:%d", it.StoreID, it.DishID, it.Period, i)
}

func reservationKey(order string) string { return "resv:" + order }

// Buckets reads an item's buckets in one bulk call.
func (r *Repository) Buckets(ctx context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = bucketKey(it, i)
	}
	items, err := r.Client.GetBulkState(ctx, r.StateStore, keys, nil, int32(min(n, 16)))
	if err != nil {
		return nil, nil, fmt.Errorf("read buckets of %s: %w", it, err)
	}
	byKey := make(map[string]*dapr.BulkStateItem, len(items))
	for _, x := range items {
		if x.Error != "" {
			return nil, nil, fmt.Errorf("read %s: %s", x.Key, x.Error)
		}
		byKey[x.Key] = x
	}
	bs, toks := make([]stock.Bucket, n), make([]stock.Token, n)
	for i, k := range keys {
		x := byKey[k]
		if x == nil || len(x.Value) == 0 {
			continue
		}
		var rec bucketRecord
		if err := json.Unmarshal(x.Value, &rec); err != nil {
			return nil, nil, fmt.Errorf("decode %s: %w", k, err)
		}
		bs[i], toks[i] = rec.domain(), stock.Token(x.Etag)
	}
	return bs, toks, nil
}

// PutBucket writes one bucket with the token it was read with ("" for a new bucket).
func (r *Repository) PutBucket(ctx context.Context, it stock.Item, i int, b stock.Bucket, t stock.Token) error {
	key := bucketKey(it, i)
	if t == "" {
		return r.create(ctx, key, toBucketRecord(b))
	}
	return r.save(ctx, key, toBucketRecord(b), t)
}

// Reservation reads an order's reservation record.
func (r *Repository) Reservation(ctx context.Context, order string) (stock.Reservation, stock.Token, error) {
	it, err := r.Client.GetState(ctx, r.StateStore, reservationKey(order), nil)
	if err != nil {
		return stock.Reservation{}, "", fmt.Errorf("read reservation %s: %w", order, err)
	}
	if len(it.Value) == 0 {
		return stock.Reservation{}, "", stock.ErrNotFound
	}
	var rec reservationRecord
	if err := json.Unmarshal(it.Value, &rec); err != nil {
		return stock.Reservation{}, "", fmt.Errorf("decode reservation %s: %w", order, err)
	}
	return rec.domain(order), stock.Token(it.Etag), nil
}

// CreateReservation writes a record only where none exists.
func (r *Repository) CreateReservation(ctx context.Context, res stock.Reservation) error {
	return r.create(ctx, reservationKey(res.OrderID), toReservationRecord(res))
}

// create writes key only where it does not exist yet. A first-write save without an ETag is
// refused when the key exists (Redis: by the first-write flag the same kind of save left;
// PostgreSQL: by the insert), but stores report that refusal as a plain error (Redis: Internal,
// after the sidecar's own retries), so it is told from a fault by reading the key back.
func (r *Repository) create(ctx context.Context, key string, v any) error {
	err := r.save(ctx, key, v, "")
	if err == nil {
		return nil
	}
	cur, rerr := r.Client.GetState(ctx, r.StateStore, key, nil)
	if rerr == nil && len(cur.Value) > 0 {
		return fmt.Errorf("create %s: %w", key, occ.ErrConflict)
	}
	return err
}

// PutReservation updates a record with the token it was read with.
func (r *Repository) PutReservation(ctx context.Context, res stock.Reservation, t stock.Token) error {
	return r.save(ctx, reservationKey(res.OrderID), toReservationRecord(res), t)
}

// Publish sends a stock event to the stock topic.
func (r *Repository) Publish(ctx context.Context, e event.Stock) error {
	return r.Client.PublishEvent(ctx, event.PubSub, event.TopicStock, e)
}

// save writes v under key with first-write concurrency, so that the ETag is enforced (the SDK's
// default, last-write, makes stores ignore it); a stale ETag comes back as codes.Aborted.
func (r *Repository) save(ctx context.Context, key string, v any, t stock.Token) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return daprconn.Save(ctx, r.Client, r.StateStore, key, data, string(t))
}
