// Package sidecar is inventory's Dapr I/O: stock buckets, reservation records and restock records
// in a Dapr state store, every write a single key guarded by its ETag with first-write
// concurrency, and stock events published to pub/sub.
package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

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
	// Keep is how long reservation records and restock records are kept after the day
	// of their (latest) sale period, and at least after their last write; DefaultKeep when 0.
	// They then expire by the store's TTL (Dapr's ttlInSeconds, which Redis and PostgreSQL
	// honour). Buckets never expire: they are the stock.
	Keep time.Duration
}

// DefaultKeep: an order is paid or expires within minutes of its reservation, and its events and
// retries settle within hours; a week past the sale period leaves the reconciler and any audit
// ample time, after which nothing can ask about the order any more.
const DefaultKeep = 7 * 24 * time.Hour

var (
	_ stock.Repository = (*Repository)(nil)
	_ stock.Publisher  = (*Repository)(nil)
)

func bucketKey(it stock.Item, i int) string {
	return fmt.Sprintf("stock:%s:%s:%s:%d", it.StoreID, it.DishID, it.Period, i)
}

func reservationKey(order string) string { return "resv:" + order }

func restockKey(it stock.Item, id string) string {
	return fmt.Sprintf("restocked:%s:%s:%s:%s", it.StoreID, it.DishID, it.Period, id)
}

// ttl is the time to live, in seconds, of a record about lines of these periods: Keep past the
// end of the latest period's day, and never less than Keep from now.
func (r *Repository) ttl(lines []stock.Line) int {
	keep := r.Keep
	if keep <= 0 {
		keep = DefaultKeep
	}
	until := time.Now().Add(keep)
	for _, l := range lines {
		day, err := time.Parse("2006-01-02", l.Period[:min(len(l.Period), 10)])
		if err == nil && day.Add(24*time.Hour+keep).After(until) {
			until = day.Add(24*time.Hour + keep)
		}
	}
	return int(time.Until(until).Seconds()) + 1
}

// Buckets reads an item's buckets in one bulk call.
func (r *Repository) Buckets(ctx context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	keys := bucketKeys(it, n)
	got, err := r.bulk(ctx, keys)
	if err != nil {
		return nil, nil, fmt.Errorf("read buckets of %s: %w", it, err)
	}
	return decodeBuckets(got, keys)
}

func bucketKeys(it stock.Item, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = bucketKey(it, i)
	}
	return keys
}

// bulk reads keys in one call and returns the present ones by key.
func (r *Repository) bulk(ctx context.Context, keys []string) (map[string]*dapr.BulkStateItem, error) {
	items, err := r.Client.GetBulkState(ctx, r.StateStore, keys, nil, int32(min(len(keys), 16)))
	if err != nil {
		return nil, err
	}
	got := make(map[string]*dapr.BulkStateItem, len(items))
	for _, x := range items {
		if x.Error != "" {
			return nil, fmt.Errorf("read %s: %s", x.Key, x.Error)
		}
		if len(x.Value) > 0 {
			got[x.Key] = x
		}
	}
	return got, nil
}

// decodeBuckets decodes the buckets of keys (bucketKeys) from a bulk read; an absent one is the
// zero Bucket with no token.
func decodeBuckets(got map[string]*dapr.BulkStateItem, keys []string) ([]stock.Bucket, []stock.Token, error) {
	bs, toks := make([]stock.Bucket, len(keys)), make([]stock.Token, len(keys))
	for i, k := range keys {
		x := got[k]
		if x == nil {
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
		return r.create(ctx, key, toBucketRecord(b), 0)
	}
	return r.save(ctx, key, toBucketRecord(b), t, 0)
}

// PutBuckets writes several buckets in one bulk save, each item with its own token, and with res
// the order's reservation record, create-only, in the same save.
func (r *Repository) PutBuckets(ctx context.Context, puts []stock.BucketPut, res *stock.Reservation) error {
	items := make([]*dapr.SetStateItem, len(puts), len(puts)+1)
	for i, p := range puts {
		data, err := json.Marshal(toBucketRecord(p.Bucket))
		if err != nil {
			return fmt.Errorf("encode bucket %d of %s: %w", p.Index, p.Item, err)
		}
		items[i] = daprconn.FirstWriteItem(bucketKey(p.Item, p.Index), data, string(p.Token))
	}
	if res != nil {
		data, err := json.Marshal(toReservationRecord(*res))
		if err != nil {
			return fmt.Errorf("encode reservation %s: %w", res.OrderID, err)
		}
		item := daprconn.FirstWriteItem(reservationKey(res.OrderID), data, "")
		item.Metadata = map[string]string{"ttlInSeconds": strconv.Itoa(r.ttl(res.Lines))}
		items = append(items, item)
	}
	// Any error, a conflict included, is the caller's cue to read the buckets again: it is not
	// told apart (stock.Repository.PutBuckets).
	if err := r.Client.SaveBulkState(ctx, r.StateStore, items...); err != nil {
		return fmt.Errorf("save %d buckets: %w", len(puts), err)
	}
	return nil
}

// Reservation reads an order's reservation record.
func (r *Repository) Reservation(ctx context.Context, order string) (stock.Reservation, stock.Token, error) {
	var rec reservationRecord
	etag, found, err := daprconn.Get(ctx, r.Client, r.StateStore, reservationKey(order), &rec)
	switch {
	case err != nil:
		return stock.Reservation{}, "", err
	case !found:
		return stock.Reservation{}, "", stock.ErrNotFound
	}
	return rec.domain(order), stock.Token(etag), nil
}

// CreateReservation writes a record only where none exists.
func (r *Repository) CreateReservation(ctx context.Context, res stock.Reservation) error {
	return r.create(ctx, reservationKey(res.OrderID), toReservationRecord(res), r.ttl(res.Lines))
}

// Prepare reads an order's record and the items' buckets in one bulk call.
func (r *Repository) Prepare(ctx context.Context, order string, its []stock.Item, counts []int) (stock.Prepared, error) {
	keys := []string{reservationKey(order)}
	for k, it := range its {
		keys = append(keys, bucketKeys(it, counts[k])...)
	}
	got, err := r.bulk(ctx, keys)
	if err != nil {
		return stock.Prepared{}, fmt.Errorf("read reservation and buckets of %s: %w", order, err)
	}
	var p stock.Prepared
	if x := got[keys[0]]; x != nil {
		var rec reservationRecord
		if err := json.Unmarshal(x.Value, &rec); err != nil {
			return stock.Prepared{}, fmt.Errorf("decode reservation %s: %w", order, err)
		}
		d := rec.domain(order)
		p.Reservation = &d
	}
	rest := keys[1:]
	for _, n := range counts {
		bs, toks, err := decodeBuckets(got, rest[:n])
		if err != nil {
			return stock.Prepared{}, err
		}
		p.Buckets, p.Tokens, rest = append(p.Buckets, bs), append(p.Tokens, toks), rest[n:]
	}
	return p, nil
}

// Restocked reports whether the restock's record exists.
func (r *Repository) Restocked(ctx context.Context, it stock.Item, id string) (bool, error) {
	x, err := r.Client.GetState(ctx, r.StateStore, restockKey(it, id), nil)
	if err != nil {
		return false, fmt.Errorf("read restock %s of %s: %w", id, it, err)
	}
	return len(x.Value) > 0, nil
}

// PutRestocked writes the restock's record; one already there is the same record.
func (r *Repository) PutRestocked(ctx context.Context, it stock.Item, id string) error {
	err := r.create(ctx, restockKey(it, id), restockRecord{RestockID: id}, r.ttl([]stock.Line{{Item: it}}))
	if errors.Is(err, occ.ErrConflict) {
		return nil
	}
	return err
}

// create writes key only where it does not exist yet (occ.ErrConflict where it does).
func (r *Repository) create(ctx context.Context, key string, v any, ttl int) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return daprconn.CreateTTL(ctx, r.Client, r.StateStore, key, data, ttl)
}

// PutReservation updates a record with the token it was read with.
func (r *Repository) PutReservation(ctx context.Context, res stock.Reservation, t stock.Token) error {
	return r.save(ctx, reservationKey(res.OrderID), toReservationRecord(res), t, r.ttl(res.Lines))
}

// Publish sends a stock event to the stock topic.
func (r *Repository) Publish(ctx context.Context, e event.Stock) error {
	return r.Client.PublishEvent(ctx, event.PubSub, event.TopicStock, e)
}

// save writes v under key with first-write concurrency, so that the ETag is enforced, and, with
// ttl > 0, a time to live in seconds (set on every write: see daprconn.SaveTTL).
func (r *Repository) save(ctx context.Context, key string, v any, t stock.Token, ttl int) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return daprconn.SaveTTL(ctx, r.Client, r.StateStore, key, data, string(t), ttl)
}
