// Package sidecar is the kitchen's Dapr I/O: the StoreQueue actor (one per store; its turns
// serialise the store's queue), the queue's record and the actor's reminder, the archive of
// completed tickets, publishing ticket events, the client that calls the actor through the
// sidecar, and the orders subscription that admits paid orders, in batches per store.
package sidecar

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/kitchen/queue"
)

// ActorType is the store queue actor's type; its ids are store ids.
const ActorType = "StoreQueue"

// queueKey is a store's queue record: the whole hot state in one key, so that every save is
// atomic on every store (Dapr's Redis transactions are not; RUNTIME.md). It is a plain state key
// written with its ETag, not the actor state API, which takes no ETag: the actor's turns keep
// one host's calls apart, and the ETag keeps two hosts apart in the moments when placement runs
// a store's actor on both (a host joining, or dying: the two-instance kill test lost tickets to
// that before).
func queueKey(storeID string) string { return "queue:" + storeID }

// Client is the part of the Dapr client the kitchen uses.
type Client interface {
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
	GetBulkState(ctx context.Context, store string, keys []string, meta map[string]string, parallelism int32) ([]*dapr.BulkStateItem, error)
	SaveState(ctx context.Context, store, key string, data []byte, meta map[string]string, so ...dapr.StateOption) error
	SaveBulkState(ctx context.Context, store string, items ...*dapr.SetStateItem) error
	PublishEvent(ctx context.Context, pubsub, topic string, data any, opts ...dapr.PublishEventOption) error
	PublishEvents(ctx context.Context, pubsub, topic string, events []any, opts ...dapr.PublishEventsOption) dapr.PublishEventsResponse
	RegisterActorReminder(ctx context.Context, in *dapr.RegisterActorReminderRequest) error
	UnregisterActorReminder(ctx context.Context, in *dapr.UnregisterActorReminderRequest) error
	InvokeActor(ctx context.Context, in *dapr.InvokeActorRequest) (*dapr.InvokeActorResponse, error)
}

// Repository implements queue's Repository, Publisher and Ticker: queues and archived tickets in
// StateStore.
type Repository struct {
	Client     Client
	StateStore string
	// TickEvery is the period of the store's reminder.
	TickEvery string
}

var (
	_ queue.Repository = (*Repository)(nil)
	_ queue.Publisher  = (*Repository)(nil)
	_ queue.Ticker     = (*Repository)(nil)
)

// archiveKey is a completed ticket's plain state key. Not "ticket||store||order": daprd refuses
// "||" in keys (it separates the app id prefix); ids never hold ':'.
func archiveKey(storeID, orderID string) string { return "ticket:" + storeID + ":" + orderID }

// Load reads the store's queue with its ETag.
func (r *Repository) Load(ctx context.Context, storeID string) (queue.Queue, error) {
	var rec queueRecord
	etag, found, err := daprconn.Get(ctx, r.Client, r.StateStore, queueKey(storeID), &rec)
	if err != nil {
		return queue.Queue{}, fmt.Errorf("read the queue of %s: %w", storeID, err)
	}
	if !found {
		return queue.NewQueue(storeID), nil
	}
	q := rec.domain()
	q.Version = etag
	return q, nil
}

// Save writes the store's queue if it is still the version loaded (create-only for a new one).
func (r *Repository) Save(ctx context.Context, q queue.Queue) error {
	raw, err := json.Marshal(toQueueRecord(q))
	if err != nil {
		return err
	}
	if q.Version == "" {
		return daprconn.Create(ctx, r.Client, r.StateStore, queueKey(q.StoreID), raw)
	}
	return daprconn.Save(ctx, r.Client, r.StateStore, queueKey(q.StoreID), raw, q.Version)
}

// Archive writes a completed ticket to its own plain state key. Last write wins, on purpose:
// only the store's actor writes it, in its turn, and a rewrite carries the same final ticket.
func (r *Repository) Archive(ctx context.Context, t queue.Ticket) error {
	raw, err := json.Marshal(toTicketRecord(t))
	if err != nil {
		return err
	}
	return r.Client.SaveState(ctx, r.StateStore, archiveKey(t.StoreID, t.OrderID), raw, nil)
}

// Archived reads completed tickets, in one bulk read.
func (r *Repository) Archived(ctx context.Context, storeID string, orderIDs ...string) (map[string]queue.Ticket, error) {
	out := map[string]queue.Ticket{}
	if len(orderIDs) == 0 {
		return out, nil
	}
	keys := make([]string, len(orderIDs))
	for i, id := range orderIDs {
		keys[i] = archiveKey(storeID, id)
	}
	items, err := daprconn.GetBulk[ticketRecord](ctx, r.Client, r.StateStore, keys)
	if err != nil {
		return nil, fmt.Errorf("read archived tickets of %s: %w", storeID, err)
	}
	for _, it := range items {
		t := it.Value.domain()
		if t.StoreID == storeID {
			out[t.OrderID] = t
		}
	}
	return out, nil
}

// PublishTickets publishes ticket events on the tickets topic in one bulk publish. Each event's
// CloudEvent id names the order and the change, so a republished event carries the id of the
// first.
func (r *Repository) PublishTickets(ctx context.Context, evs []event.Ticket) error {
	entries := make([]any, len(evs))
	for i, e := range evs {
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		entries[i] = dapr.PublishEventsEvent{EntryID: strconv.Itoa(i), Data: raw, ContentType: "application/json",
			Metadata: map[string]string{"cloudevent.id": e.ID()}}
	}
	res := r.Client.PublishEvents(ctx, event.PubSub, event.TopicTickets, entries)
	if res.Error != nil {
		return fmt.Errorf("publish %d ticket events (%d failed): %w", len(evs), len(res.FailedEvents), res.Error)
	}
	return nil
}

// tickReminder is the store actor's one reminder (scheduler-backed: it survives restarts).
const tickReminder = "tick"

// StartTicking registers the store's reminder; registering it again replaces it.
func (r *Repository) StartTicking(ctx context.Context, storeID string) error {
	return r.Client.RegisterActorReminder(ctx, &dapr.RegisterActorReminderRequest{ActorType: ActorType, ActorID: storeID,
		Name: tickReminder, DueTime: r.TickEvery, Period: r.TickEvery})
}

// StopTicking removes it.
func (r *Repository) StopTicking(ctx context.Context, storeID string) error {
	return r.Client.UnregisterActorReminder(ctx, &dapr.UnregisterActorReminderRequest{ActorType: ActorType, ActorID: storeID, Name: tickReminder})
}
