package sidecar

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"time"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/group"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/order/ordering"
)

// storeShards splits a store's day of orders over several index keys: a flash sale appends
// hundreds of orders to one store's day at once, and one key would make them queue on its ETag.
const storeShards = 8

// customerMonths is how far back a customer's order list reaches. A customer's index is one key
// per month of the orders' sale periods, so that neither a write nor a read ever touches more
// than a month of one customer's orders on one key, however long they have been ordering.
const customerMonths = 13

func customerIndexKey(c, month string) string { return "idx:customer:" + c + ":" + month }

func storeIndexKey(store, date string, shard int) string {
	return fmt.Sprintf("idx:store:%s:%s:%d", store, date, shard)
}

// indexKeys are the index keys of an order: its customer's month and its store-day's shard.
func indexKeys(o ordering.Order) []string {
	h := fnv.New32a()
	h.Write([]byte(o.ID))
	return []string{customerIndexKey(o.CustomerID, o.Date()[:7]), storeIndexKey(o.StoreID, o.Date(), int(h.Sum32()%storeShards))}
}

// placement is the order's index keys as Lookup read them: ids and ETag by key ("" when absent).
type placement map[string]indexRead

type indexRead struct {
	ids  []string
	etag string
}

// Lookup reads the order and its index keys in one bulk call: a checkout then appends to the
// indexes as read, and reads them again only when another order changed them in between.
func (s *Repository) Lookup(ctx context.Context, o ordering.Order) (ordering.Order, ordering.Placement, error) {
	keys := append([]string{orderKey(o.ID)}, indexKeys(o)...)
	items, err := s.Client.GetBulkState(ctx, s.StateStore, keys, nil, int32(len(keys)))
	if err != nil {
		return ordering.Order{}, nil, fmt.Errorf("look up order %s: %w", o.ID, err)
	}
	p := placement{}
	for _, it := range items {
		switch {
		case it.Error != "":
			return ordering.Order{}, nil, fmt.Errorf("read %s: %s", it.Key, it.Error)
		case it.Key == keys[0]:
			if len(it.Value) == 0 {
				continue
			}
			var rec orderRecord
			if err := json.Unmarshal(it.Value, &rec); err != nil {
				return ordering.Order{}, nil, fmt.Errorf("decode %s: %w", it.Key, err)
			}
			return rec.domain(o.ID), nil, nil
		default:
			var ids []string
			if len(it.Value) > 0 {
				if err := json.Unmarshal(it.Value, &ids); err != nil {
					return ordering.Order{}, nil, fmt.Errorf("decode %s: %w", it.Key, err)
				}
			}
			p[it.Key] = indexRead{ids: ids, etag: it.Etag}
		}
	}
	return ordering.Order{}, p, ordering.ErrNotFound
}

// Index adds the order to its customer's and its store-day's index, once. With a placement, the
// keys are written as they were read, in one bulk save (each with its ETag, or create-only where
// it was absent); where that fails (another order's append in between), or without one, the key's appends are
// group-committed: one read and one write for every order waiting on the key. A flash sale puts a
// thousand orders of one store in its day's index within seconds, and appended one by one they
// queued on the few keys' ETags until some gave up, answering 503 to a buyer who had an order.
func (s *Repository) Index(ctx context.Context, o ordering.Order, p ordering.Placement) error {
	s.indexOnce.Do(func() {
		s.indexes = &group.Committer[string, string, struct{}]{Commit: s.addToIndex, Timeout: 10 * time.Second}
	})
	read, _ := p.(placement)
	var keys []string // to append to one at a time, in a group commit
	var items []*dapr.SetStateItem
	for _, key := range indexKeys(o) {
		r, ok := read[key]
		switch {
		case !ok:
			keys = append(keys, key)
		case !slices.Contains(r.ids, o.ID):
			raw, _ := json.Marshal(append(slices.Clip(r.ids), o.ID))
			items = append(items, daprconn.FirstWriteItem(key, raw, r.etag))
		}
	}
	// Every key as read, in one call to the sidecar (each item still checked against its own
	// ETag). Where that fails, some key changed since it was read (or a fault, which the group
	// commit meets again); the group commit reads afresh and adds the order only where it is not
	// already (a key of the failed call may have been written).
	if len(items) > 0 && s.Client.SaveBulkState(ctx, s.StateStore, items...) != nil {
		for _, it := range items {
			keys = append(keys, it.Key)
		}
	}
	for _, key := range keys {
		if _, err := s.indexes.Do(ctx, key, o.ID); err != nil {
			return fmt.Errorf("index order %s under %s: %w", o.ID, key, err)
		}
	}
	return nil
}

// addToIndex adds ids to the index under key (read, append the new ones, save with the ETag),
// again from a fresh read when another replica wrote the key in between.
func (s *Repository) addToIndex(ctx context.Context, key string, ids []string) ([]struct{}, error) {
	return make([]struct{}, len(ids)), occ.Retry(ctx, func(ctx context.Context) error {
		it, err := s.Client.GetState(ctx, s.StateStore, key, nil)
		if err != nil {
			return err
		}
		var have []string
		if len(it.Value) > 0 {
			if err := json.Unmarshal(it.Value, &have); err != nil {
				return fmt.Errorf("decode %s: %w", key, err)
			}
		}
		next := have
		for _, id := range ids {
			if !slices.Contains(next, id) {
				next = append(next, id)
			}
		}
		if len(next) == len(have) {
			return nil
		}
		raw, _ := json.Marshal(next)
		return daprconn.Save(ctx, s.Client, s.StateStore, key, raw, it.Etag)
	})
}

// List returns the orders of a customer (newest first, from the months up to q.Through: a year
// of them in one bulk read) or of a store's day (oldest first).
func (s *Repository) List(ctx context.Context, q ordering.Query) ([]ordering.Order, error) {
	var keys []string
	if q.StoreID != "" {
		for i := range storeShards {
			keys = append(keys, storeIndexKey(q.StoreID, q.Date, i))
		}
	} else {
		for m := range customerMonths {
			keys = append(keys, customerIndexKey(q.CustomerID, q.Through.AddDate(0, -m, 0).Format("2006-01")))
		}
	}
	ids, err := s.bulkIDs(ctx, keys)
	if err != nil {
		return nil, err
	}
	orders, err := s.bulkOrders(ctx, ids)
	if err != nil {
		return nil, err
	}
	sort.Slice(orders, func(a, b int) bool {
		if q.StoreID != "" {
			return orders[a].CreatedAt.Before(orders[b].CreatedAt)
		}
		return orders[a].CreatedAt.After(orders[b].CreatedAt)
	})
	if q.Limit > 0 && len(orders) > q.Limit {
		orders = orders[:q.Limit]
	}
	return orders, nil
}

func (s *Repository) bulkIDs(ctx context.Context, keys []string) ([]string, error) {
	items, err := daprconn.GetBulk[[]string](ctx, s.Client, s.StateStore, keys)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, it := range items {
		ids = append(ids, it.Value...)
	}
	return ids, nil
}

func (s *Repository) bulkOrders(ctx context.Context, ids []string) ([]ordering.Order, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = orderKey(id)
	}
	items, err := daprconn.GetBulk[orderRecord](ctx, s.Client, s.StateStore, keys)
	if err != nil {
		return nil, err
	}
	out := make([]ordering.Order, 0, len(items))
	for _, it := range items {
		out = append(out, it.Value.domain(it.Key[len("order:"):]))
	}
	return out, nil
}
