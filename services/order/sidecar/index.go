package sidecar

import (
	"context"
	"encoding/json"
	"errors"
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

// CreateIndexed creates the order and adds it to its customer's and its store-day's index in one
// bulk save, with the index keys as Lookup read them (p): the order create-only, each index key
// with the ETag it was read with (create-only where it was absent). A checkout then pays one call
// for the three keys. Where that save fails (another order's append changed an index key in
// between, the order exists, or a fault; stores differ in whether the rest of the bulk is
// written: Redis writes each item on its own, PostgreSQL all or none), the order is created on
// its own and indexed as Index does. An order found under the id is this call's own when it is
// this very write (same request and change time); another one is occ.ErrConflict.
func (s *Repository) CreateIndexed(ctx context.Context, o ordering.Order, p ordering.Placement) error {
	raw, err := json.Marshal(toOrderRecord(o))
	if err != nil {
		return err
	}
	read, _ := p.(placement)
	items := []*dapr.SetStateItem{daprconn.FirstWriteItem(orderKey(o.ID), raw, "")}
	for _, key := range indexKeys(o) {
		r, ok := read[key]
		if !ok {
			items = nil // not read: created alone, indexed afresh
			break
		}
		if !slices.Contains(r.ids, o.ID) { // there already: an earlier attempt's bulk save
			ids, _ := json.Marshal(append(slices.Clip(r.ids), o.ID))
			items = append(items, daprconn.FirstWriteItem(key, ids, r.etag))
		}
	}
	if items != nil && s.Client.SaveBulkState(ctx, s.StateStore, items...) == nil {
		return nil
	}
	err = daprconn.Create(ctx, s.Client, s.StateStore, orderKey(o.ID), raw)
	if errors.Is(err, occ.ErrConflict) {
		cur, _, rerr := s.Order(ctx, o.ID)
		if rerr != nil {
			return rerr
		}
		if cur.RequestHash != o.RequestHash || !cur.UpdatedAt.Equal(o.UpdatedAt) {
			return err
		}
		err = nil // written by the bulk save
	}
	if err != nil {
		return err
	}
	return s.Index(ctx, o)
}

// Index adds the order to its customer's and its store-day's index, once: the appends to a key
// are group-committed, one read and one write for every order waiting on the key. A flash sale
// puts a thousand orders of one store in its day's index within seconds, and appended one by one
// they queued on the few keys' ETags until some gave up, answering 503 to a buyer who had an order.
func (s *Repository) Index(ctx context.Context, o ordering.Order) error {
	s.indexOnce.Do(func() {
		s.indexes = &group.Committer[string, string, struct{}]{Commit: s.addToIndex, Timeout: 10 * time.Second}
	})
	for _, key := range indexKeys(o) {
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
