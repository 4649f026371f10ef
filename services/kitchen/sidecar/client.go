package sidecar

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/group"
	"github.com/canteen/canteen/services/kitchen/queue"
)

// Queues calls the store actors through the sidecar (any replica may take a request; Dapr places
// the call on the replica that hosts the store's actor). Its methods mirror queue.Service's.
type Queues struct {
	Client Client
	admits *group.Committer[string, event.Order, TicketAnswer]
}

// NewQueues returns the client of the store actors.
func NewQueues(c Client) *Queues {
	q := &Queues{Client: c}
	// A lunch rush delivers hundreds of one store's paid orders at once, and the store's actor
	// takes one call at a time: each call carries every order of the store waiting on this
	// replica (up to maxBatch), so that a read, a write and a publish serve them all.
	q.admits = &group.Committer[string, event.Order, TicketAnswer]{Max: maxBatch, Timeout: 30 * time.Second,
		Commit: func(ctx context.Context, storeID string, orders []event.Order) ([]TicketAnswer, error) {
			var a AdmitAnswer
			if err := q.call(ctx, storeID, "Admit", orders, &a); err != nil {
				return nil, err
			}
			return a.Tickets, nil
		}}
	return q
}

// maxBatch bounds the orders of one Admit call (its body, and the archive keys it reads at once).
const maxBatch = 100

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

// Admit admits a paid order into its store's queue, in a batch with the store's other orders
// waiting on this replica.
func (q *Queues) Admit(ctx context.Context, o event.Order) (queue.Ticket, error) {
	a, err := q.admits.Do(ctx, o.StoreID, o)
	if err != nil {
		return queue.Ticket{}, err
	}
	if a.Refusal != nil {
		return queue.Ticket{}, a.Refusal.err(o.OrderID)
	}
	return a.Ticket.domain(), nil
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
