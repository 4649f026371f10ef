// Package sidecar is the order service's Dapr I/O: orders in a state store (each a single key
// written with its ETag, its pending events inside it), publishing order events, service
// invocation of menu and inventory, the Jobs API for payment timeouts, and the job callbacks.
package sidecar

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/group"
	"github.com/canteen/canteen/services/order/ordering"
)

// Client is the part of the Dapr client the order service uses.
type Client interface {
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
	GetBulkState(ctx context.Context, store string, keys []string, meta map[string]string, parallelism int32) ([]*dapr.BulkStateItem, error)
	SaveBulkState(ctx context.Context, store string, items ...*dapr.SetStateItem) error
	PublishEvents(ctx context.Context, pubsub, topic string, events []any, opts ...dapr.PublishEventsOption) dapr.PublishEventsResponse
}

// Repository implements ordering.Repository on a Dapr state store.
type Repository struct {
	Client     Client
	StateStore string

	indexOnce sync.Once
	indexes   *group.Committer[string, string, struct{}] // appends by index key (see Index)

	publishOnce sync.Once
	publishes   *group.Committer[string, event.Order, error] // events by topic (see PublishOrder)
}

var (
	_ ordering.Repository = (*Repository)(nil)
	_ ordering.Publisher  = (*Repository)(nil)
)

func orderKey(id string) string { return "order:" + id }

// Order reads one order.
func (r *Repository) Order(ctx context.Context, id string) (ordering.Order, ordering.Token, error) {
	var rec orderRecord
	etag, found, err := daprconn.Get(ctx, r.Client, r.StateStore, orderKey(id), &rec)
	switch {
	case err != nil:
		return ordering.Order{}, "", err
	case !found:
		return ordering.Order{}, "", ordering.ErrNotFound
	}
	return rec.domain(id), ordering.Token(etag), nil
}

// Create writes a new order, create-only on every store (a single-key first-write save; Dapr's
// transaction path would ignore first-write without an ETag).
func (r *Repository) Create(ctx context.Context, o ordering.Order) error {
	raw, err := json.Marshal(toOrderRecord(o))
	if err != nil {
		return err
	}
	return daprconn.Create(ctx, r.Client, r.StateStore, orderKey(o.ID), raw)
}

// Save writes the order if its ETag is still t.
func (r *Repository) Save(ctx context.Context, o ordering.Order, t ordering.Token) error {
	if t == "" {
		return fmt.Errorf("save order %s: no token", o.ID) // would silently be a create
	}
	raw, err := json.Marshal(toOrderRecord(o))
	if err != nil {
		return err
	}
	return daprconn.Save(ctx, r.Client, r.StateStore, orderKey(o.ID), raw, string(t))
}

// SaveAll writes the orders in one bulk save, each with the ETag it was read with (the store
// checks each item on its own, so some may be written when the call fails).
func (r *Repository) SaveAll(ctx context.Context, orders []ordering.Stored) error {
	items := make([]*dapr.SetStateItem, len(orders))
	for i, st := range orders {
		if st.Token == "" {
			return fmt.Errorf("save order %s: no token", st.Order.ID) // would silently be a create
		}
		raw, err := json.Marshal(toOrderRecord(st.Order))
		if err != nil {
			return err
		}
		items[i] = daprconn.FirstWriteItem(orderKey(st.Order.ID), raw, string(st.Token))
	}
	if len(items) == 0 {
		return nil
	}
	if err := r.Client.SaveBulkState(ctx, r.StateStore, items...); err != nil {
		return fmt.Errorf("save %d orders: %w", len(items), err)
	}
	return nil
}

// PublishOrder publishes an order event to its topic (event.TopicOf). The CloudEvent id names the order
// and the change, so a republished event carries the id of the first. The events of concurrent
// calls go out together, in one bulk publish (group commit): under a lunch rush one call to the
// sidecar for a batch of orders instead of one each.
func (r *Repository) PublishOrder(ctx context.Context, e event.Order) error {
	r.publishOnce.Do(func() {
		r.publishes = &group.Committer[string, event.Order, error]{Commit: r.publishAll, Max: maxPublishBatch, Timeout: 10 * time.Second}
	})
	failed, err := r.publishes.Do(ctx, event.TopicOf(e.Type), e)
	if err != nil {
		return err
	}
	return failed
}

// maxPublishBatch bounds the events of one bulk publish.
const maxPublishBatch = 100

// PublishOrders publishes evs in one bulk call per topic (and per maxPublishBatch of them) and
// answers each event's own outcome.
func (r *Repository) PublishOrders(ctx context.Context, evs []event.Order) []error {
	out := make([]error, len(evs))
	byTopic := map[string][]int{}
	for i, e := range evs {
		byTopic[event.TopicOf(e.Type)] = append(byTopic[event.TopicOf(e.Type)], i)
	}
	for topic, idx := range byTopic {
		for chunk := range slices.Chunk(idx, maxPublishBatch) {
			batch := make([]event.Order, len(chunk))
			for k, i := range chunk {
				batch[k] = evs[i]
			}
			errs, err := r.publishAll(ctx, topic, batch)
			for k, i := range chunk {
				if err != nil {
					out[i] = err
				} else {
					out[i] = errs[k]
				}
			}
		}
	}
	return out
}

// publishAll publishes evs to topic in one bulk call and answers each event's own outcome: the
// broker may take some entries of a bulk publish and refuse others.
func (r *Repository) publishAll(ctx context.Context, topic string, evs []event.Order) ([]error, error) {
	entries := make([]any, len(evs))
	for i, e := range evs {
		raw, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		entries[i] = dapr.PublishEventsEvent{EntryID: strconv.Itoa(i), Data: raw, ContentType: "application/json",
			Metadata: map[string]string{"cloudevent.id": e.OrderID + "/" + e.Type}}
	}
	res := r.Client.PublishEvents(ctx, event.PubSub, topic, entries)
	out := make([]error, len(evs))
	if res.Error == nil {
		return out, nil
	}
	if len(res.FailedEvents) == 0 {
		return nil, fmt.Errorf("publish %d order events: %w", len(evs), res.Error)
	}
	for _, f := range res.FailedEvents {
		fe, ok := f.(dapr.PublishEventsEvent)
		i, err := strconv.Atoi(fe.EntryID)
		if !ok || err != nil || i < 0 || i >= len(evs) {
			return nil, fmt.Errorf("publish %d order events: %w", len(evs), res.Error) // cannot tell which: all stay pending
		}
		out[i] = fmt.Errorf("publish %s of order %s: %w", evs[i].Type, evs[i].OrderID, res.Error)
	}
	return out, nil
}
