// Package sidecar is the kitchen's Dapr I/O: the StoreQueue actor (one per store; its turns
// serialise the store's queue), the actor's state and reminder, the archive of completed tickets
// in plain state keys, publishing ticket events, the client that calls the actor through the
// sidecar, and the orders subscription that admits paid orders.
package sidecar

import (
	"context"
	"encoding/json"
	"fmt"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/kitchen/queue"
)

// ActorType is the store queue actor's type; its ids are store ids.
const ActorType = "StoreQueue"

// queueKey is the actor's one state key: the whole hot state, so that every save is a single
// key and atomic on every store (Dapr's Redis transactions are not; RUNTIME.md).
const queueKey = "queue"

// Client is the part of the Dapr client the kitchen uses.
type Client interface {
	GetActorState(ctx context.Context, in *dapr.GetActorStateRequest) (*dapr.GetActorStateResponse, error)
	SaveStateTransactionally(ctx context.Context, actorType, actorID string, ops []*dapr.ActorStateOperation) error
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
	SaveState(ctx context.Context, store, key string, data []byte, meta map[string]string, so ...dapr.StateOption) error
	PublishEvent(ctx context.Context, pubsub, topic string, data any, opts ...dapr.PublishEventOption) error
	RegisterActorReminder(ctx context.Context, in *dapr.RegisterActorReminderRequest) error
	UnregisterActorReminder(ctx context.Context, in *dapr.UnregisterActorReminderRequest) error
	InvokeActor(ctx context.Context, in *dapr.InvokeActorRequest) (*dapr.InvokeActorResponse, error)
}

// Repository implements queue's Repository, Publisher and Ticker: the queue in the actor's state
// (only valid inside the store actor's turn), archived tickets in StateStore.
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

// Load reads the store's queue from the actor's state.
func (r *Repository) Load(ctx context.Context, storeID string) (queue.Queue, error) {
	res, err := r.Client.GetActorState(ctx, &dapr.GetActorStateRequest{ActorType: ActorType, ActorID: storeID, KeyName: queueKey})
	if err != nil {
		return queue.Queue{}, fmt.Errorf("read the queue of %s: %w", storeID, err)
	}
	if len(res.Data) == 0 {
		return queue.NewQueue(storeID), nil
	}
	var rec queueRecord
	if err := json.Unmarshal(res.Data, &rec); err != nil {
		return queue.Queue{}, fmt.Errorf("decode the queue of %s: %w", storeID, err)
	}
	return rec.domain(), nil
}

// Save writes the store's queue to the actor's state. No ETag: the actor's turn is the lock.
func (r *Repository) Save(ctx context.Context, q queue.Queue) error {
	raw, err := json.Marshal(toQueueRecord(q))
	if err != nil {
		return err
	}
	return r.Client.SaveStateTransactionally(ctx, ActorType, q.StoreID, []*dapr.ActorStateOperation{{OperationType: "upsert", Key: queueKey, Value: raw}})
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

// Archived reads a completed ticket.
func (r *Repository) Archived(ctx context.Context, storeID, orderID string) (queue.Ticket, error) {
	var rec ticketRecord
	_, found, err := daprconn.Get(ctx, r.Client, r.StateStore, archiveKey(storeID, orderID), &rec)
	switch {
	case err != nil:
		return queue.Ticket{}, err
	case !found:
		return queue.Ticket{}, queue.ErrNotFound
	}
	return rec.domain(), nil
}

// PublishTicket publishes a ticket event on the tickets topic. The CloudEvent id names the order
// and the change, so a republished event carries the id of the first.
func (r *Repository) PublishTicket(ctx context.Context, e event.Ticket) error {
	return r.Client.PublishEvent(ctx, event.PubSub, event.TopicTickets, e,
		dapr.PublishEventWithMetadata(map[string]string{"cloudevent.id": e.OrderID + "/" + e.Type}))
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
