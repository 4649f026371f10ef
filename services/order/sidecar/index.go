package sidecar

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"time"

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

// Index adds the order to its customer's and its store-day's index, once. The appends to one key
// are group-committed (one read and one write for every order waiting on the key): a flash sale
// puts a thousand orders of one store in its day's index within seconds, and appended one by one
// they queued on the few keys' ETags until some gave up, answering 503 to a buyer who had an order.
func (s *Repository) Index(ctx context.Context, o ordering.Order) error {
	s.indexOnce.Do(func() {
		s.indexes = &group.Committer[string, string, struct{}]{Commit: s.addToIndex, Timeout: 10 * time.Second}
	})
	h := fnv.New32a()
	h.Write([]byte(o.ID))
	for _, key := range []string{customerIndexKey(o.CustomerID, o.Date()[:7]), storeIndexKey(o.StoreID, o.Date(), int(h.Sum32()%storeShards))} {
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
