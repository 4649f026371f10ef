package daprconn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	dapr "github.com/dapr/go-sdk/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/canteen/canteen/services/internal/occ"
)

// Saver is the part of the Dapr client that saves state.
type Saver interface {
	SaveBulkState(ctx context.Context, store string, items ...*dapr.SetStateItem) error
}

// FirstWrite is the options of every contended write: the SDK's default is last-write, under which
// stores ignore the ETag.
var FirstWrite = &dapr.StateOptions{Concurrency: dapr.StateConcurrencyFirstWrite, Consistency: dapr.StateConsistencyStrong}

// FirstWriteItem is one item of a save with first-write concurrency: with an etag, written only
// while the stored ETag still equals it; with none, only as a new key. A bulk save of several
// checks each on its own.
func FirstWriteItem(key string, value []byte, etag string) *dapr.SetStateItem {
	item := &dapr.SetStateItem{Key: key, Value: value, Options: FirstWrite}
	if etag != "" {
		item.Etag = &dapr.ETag{Value: etag}
	}
	return item
}

// Save writes value under key in store with first-write concurrency: with an etag, only while the
// stored ETag still equals it (a stale one is occ.ErrConflict); with none, as a new key.
func Save(ctx context.Context, c Saver, store, key string, value []byte, etag string) error {
	return SaveTTL(ctx, c, store, key, value, etag, 0)
}

// SaveTTL is Save with, for ttl > 0, a time to live in seconds. It must be given on every write of
// a record that should expire: a write without one makes the record permanent again (PostgreSQL
// clears its expiry).
func SaveTTL(ctx context.Context, c Saver, store, key string, value []byte, etag string, ttl int) error {
	item := FirstWriteItem(key, value, etag)
	if ttl > 0 {
		item.Metadata = map[string]string{"ttlInSeconds": strconv.Itoa(ttl)}
	}
	err := c.SaveBulkState(ctx, store, item)
	if status.Code(err) == codes.Aborted {
		return fmt.Errorf("save %s: %w", key, occ.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save %s: %w", key, err)
	}
	return nil
}

// Getter is the part of the Dapr client that reads state.
type Getter interface {
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
}

// SaverGetter saves and reads state.
type SaverGetter interface {
	Saver
	Getter
}

// Create writes value under key only where the key does not exist yet: a first-write save without
// an ETag, which every store refuses when the key exists (Redis by its first-write flag,
// PostgreSQL by its insert), though they report the refusal as a plain error (Redis: Internal),
// so a refusal is told from a fault by reading the key back: occ.ErrConflict when it exists.
func Create(ctx context.Context, c SaverGetter, store, key string, value []byte) error {
	return CreateTTL(ctx, c, store, key, value, 0)
}

// CreateTTL is Create with a time to live in seconds (see SaveTTL).
func CreateTTL(ctx context.Context, c SaverGetter, store, key string, value []byte, ttl int) error {
	err := SaveTTL(ctx, c, store, key, value, "", ttl)
	if err == nil || errors.Is(err, occ.ErrConflict) {
		return err
	}
	if cur, rerr := c.GetState(ctx, store, key, nil); rerr == nil && len(cur.Value) > 0 {
		return fmt.Errorf("create %s: %w", key, occ.ErrConflict)
	}
	return err
}

// Get reads key's JSON value into dst and returns its ETag; found is false, and dst untouched,
// when the key is absent.
func Get(ctx context.Context, c Getter, store, key string, dst any) (etag string, found bool, err error) {
	it, err := c.GetState(ctx, store, key, nil)
	if err != nil {
		return "", false, fmt.Errorf("read %s: %w", key, err)
	}
	if len(it.Value) == 0 {
		return "", false, nil
	}
	if err := json.Unmarshal(it.Value, dst); err != nil {
		return "", false, fmt.Errorf("decode %s: %w", key, err)
	}
	return it.Etag, true, nil
}

// BulkGetter is the part of the Dapr client that reads many keys at once.
type BulkGetter interface {
	GetBulkState(ctx context.Context, store string, keys []string, meta map[string]string, parallelism int32) ([]*dapr.BulkStateItem, error)
}

// Item is one key read by GetBulk, with its decoded value and its ETag.
type Item[T any] struct {
	Key   string
	Value T
	Etag  string
}

// GetBulk reads keys in one bulk call and decodes each present value as a T; absent keys are left
// out. A key the store failed to read fails the whole read: a caller must not take "absent" for
// "unreadable".
func GetBulk[T any](ctx context.Context, c BulkGetter, store string, keys []string) ([]Item[T], error) {
	if len(keys) == 0 {
		return nil, nil
	}
	items, err := c.GetBulkState(ctx, store, keys, nil, 8)
	if err != nil {
		return nil, err
	}
	out := make([]Item[T], 0, len(items))
	for _, it := range items {
		if it.Error != "" {
			return nil, fmt.Errorf("read %s: %s", it.Key, it.Error)
		}
		if len(it.Value) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(it.Value, &v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", it.Key, err)
		}
		out = append(out, Item[T]{Key: it.Key, Value: v, Etag: it.Etag})
	}
	return out, nil
}
