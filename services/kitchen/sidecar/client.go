package sidecar

import (
	"context"
	"encoding/json"
	"fmt"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/kitchen/queue"
)

// Queues calls the store actors through the sidecar (any replica may take a request; Dapr places
// the call on the replica that hosts the store's actor). Its methods mirror queue.Service's.
type Queues struct {
	Client Client
}

// call invokes method on the store's actor and decodes the answer into out.
func (q *Queues) call(ctx context.Context, storeID, method string, in, out any) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	res, err := q.Client.InvokeActor(ctx, &dapr.InvokeActorRequest{ActorType: ActorType, ActorID: storeID, Method: method, Data: raw})
	if err != nil {
		return fmt.Errorf("%s on the queue of %s: %w", method, storeID, err)
	}
	if err := json.Unmarshal(res.Data, out); err != nil {
		return fmt.Errorf("decode %s of %s: %w", method, storeID, err)
	}
	return nil
}

func (q *Queues) ticket(ctx context.Context, storeID, method string, in any, orderID string) (queue.Ticket, error) {
	var a TicketAnswer
	if err := q.call(ctx, storeID, method, in, &a); err != nil {
		return queue.Ticket{}, err
	}
	if a.Refusal != nil {
		return queue.Ticket{}, a.Refusal.err(orderID)
	}
	return a.Ticket.domain(), nil
}

// Admit admits a paid order into its store's queue.
func (q *Queues) Admit(ctx context.Context, o event.Order) (queue.Ticket, error) {
	return q.ticket(ctx, o.StoreID, "Admit", o, o.OrderID)
}

// Move makes a staff move on a ticket.
func (q *Queues) Move(ctx context.Context, storeID, orderID string, a queue.Action, reason string) (queue.Ticket, error) {
	return q.ticket(ctx, storeID, "Move", MoveRequest{OrderID: orderID, Action: string(a), Reason: reason}, orderID)
}

// Ticket reads one ticket of the store.
func (q *Queues) Ticket(ctx context.Context, storeID, orderID string) (queue.Ticket, error) {
	return q.ticket(ctx, storeID, "Ticket", MoveRequest{OrderID: orderID}, orderID)
}

func (q *Queues) view(ctx context.Context, storeID, method string, in any) (queue.View, error) {
	var a ViewAnswer
	if err := q.call(ctx, storeID, method, in, &a); err != nil {
		return queue.View{}, err
	}
	if a.Refusal != nil {
		return queue.View{}, a.Refusal.err("")
	}
	return a.domain(storeID), nil
}

// View reads the store's queue.
func (q *Queues) View(ctx context.Context, storeID string) (queue.View, error) {
	return q.view(ctx, storeID, "View", struct{}{})
}

// SetCapacity sets the store's limit and busy flag.
func (q *Queues) SetCapacity(ctx context.Context, storeID string, c queue.Capacity) (queue.View, error) {
	return q.view(ctx, storeID, "SetCapacity", CapacityRequest{Limit: c.Limit, Busy: c.Busy})
}

func (q *Queues) page(ctx context.Context, storeID, method string, cursor *int64) (queue.Page, error) {
	var a PageAnswer
	if err := q.call(ctx, storeID, method, CursorRequest{Cursor: cursor}, &a); err != nil {
		return queue.Page{}, err
	}
	if a.Refusal != nil {
		return queue.Page{}, a.Refusal.err("")
	}
	return queue.Page{Tickets: ticketsOf(a.Tickets), Cursor: a.Cursor}, nil
}

// Changes is the POS's pull.
func (q *Queues) Changes(ctx context.Context, storeID string, since *int64) (queue.Page, error) {
	return q.page(ctx, storeID, "Changes", since)
}

// Ack acknowledges the POS's cursor.
func (q *Queues) Ack(ctx context.Context, storeID string, cursor int64) (queue.Page, error) {
	return q.page(ctx, storeID, "Ack", &cursor)
}
