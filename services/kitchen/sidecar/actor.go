package sidecar

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/dapr/go-sdk/actor"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/kitchen/queue"
)

// StoreQueue is the actor of one store's queue (actor id = store id). Dapr runs one call of an
// actor id at a time, anywhere in the cluster, so the store's admissions and moves are
// serialised without locks or ETags; every method is one queue.Service call. Business refusals
// travel in the answer (Refusal), faults as errors.
type StoreQueue struct {
	actor.ServerImplBaseCtx
	svc *queue.Service
	log *slog.Logger
}

// NewStoreQueue is the factory actorhost.Register takes.
func NewStoreQueue(svc *queue.Service, log *slog.Logger) actor.FactoryContext {
	return func() actor.ServerContext { return &StoreQueue{svc: svc, log: log} }
}

// Type is the actor type.
func (a *StoreQueue) Type() string { return ActorType }

// Admit admits a batch of the store's paid orders (the orders subscription's, see Queues.Admit):
// one answer per order, in order.
func (a *StoreQueue) Admit(ctx context.Context, orders []event.Order) (AdmitAnswer, error) {
	got, err := a.svc.Admit(ctx, a.ID(), orders)
	if err != nil {
		return AdmitAnswer{}, err
	}
	out := AdmitAnswer{Tickets: make([]TicketAnswer, len(got))}
	for i, g := range got {
		out.Tickets[i], _ = ticketAnswer(g.Ticket, g.Err)
	}
	return out, nil
}

// Move makes a staff move.
func (a *StoreQueue) Move(ctx context.Context, in MoveRequest) (TicketAnswer, error) {
	act, err := queue.ParseAction(in.Action)
	if err != nil {
		return TicketAnswer{Refusal: refusal(err)}, nil
	}
	return ticketAnswer(a.svc.Move(ctx, a.ID(), in.OrderID, act, in.Reason))
}

// Ticket reads one ticket.
func (a *StoreQueue) Ticket(ctx context.Context, in MoveRequest) (TicketAnswer, error) {
	return ticketAnswer(a.svc.Ticket(ctx, a.ID(), in.OrderID))
}

// View reads the queue.
func (a *StoreQueue) View(ctx context.Context) (ViewAnswer, error) {
	return viewAnswer(a.svc.View(ctx, a.ID()))
}

// SetCapacity sets the store's limit and busy flag.
func (a *StoreQueue) SetCapacity(ctx context.Context, in CapacityRequest) (ViewAnswer, error) {
	return viewAnswer(a.svc.SetCapacity(ctx, a.ID(), queue.Capacity{Limit: in.Limit, Busy: in.Busy}))
}

// Changes is the POS's pull.
func (a *StoreQueue) Changes(ctx context.Context, in CursorRequest) (PageAnswer, error) {
	return pageAnswer(a.svc.Changes(ctx, a.ID(), in.Cursor))
}

// Ack is the POS's acknowledgement.
func (a *StoreQueue) Ack(ctx context.Context, in CursorRequest) (PageAnswer, error) {
	var cursor int64
	if in.Cursor != nil {
		cursor = *in.Cursor
	}
	return pageAnswer(a.svc.Ack(ctx, a.ID(), cursor))
}

// ReminderCall runs the store's tick. The SDK gives it no context and takes no error: a failure
// is logged, and the reminder's next firing tries again.
func (a *StoreQueue) ReminderCall(name string, _ []byte, _, _ string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.svc.Tick(ctx, a.ID()); err != nil {
		a.log.Warn("store tick failed; the next one retries", "store", a.ID(), "reminder", name, "err", err)
	}
}

// refusal is err as an answer when it is a business refusal; nil for a fault.
func refusal(err error) *Refusal {
	var (
		inv *queue.InvalidError
		tr  *queue.TransitionError
	)
	switch {
	case errors.As(err, &inv):
		return &Refusal{Kind: refusedInvalid, Field: inv.Field, Message: inv.Reason}
	case errors.As(err, &tr):
		return &Refusal{Kind: refusedTransition, Field: string(tr.Action), Message: string(tr.From)}
	case errors.Is(err, queue.ErrNotFound):
		return &Refusal{Kind: refusedNotFound, Message: err.Error()}
	}
	return nil
}

func ticketAnswer(t queue.Ticket, err error) (TicketAnswer, error) {
	if r := refusal(err); r != nil {
		return TicketAnswer{Refusal: r}, nil
	}
	return TicketAnswer{Ticket: toTicketRecord(t)}, err
}

func viewAnswer(v queue.View, err error) (ViewAnswer, error) {
	if r := refusal(err); r != nil {
		return ViewAnswer{Refusal: r}, nil
	}
	return ViewAnswer{Limit: v.Capacity.Limit, Busy: v.Capacity.Busy, Working: v.Working, OverCapacity: v.OverCapacity,
		WaitSeconds: int64(v.Wait / time.Second), Tickets: toTicketRecords(v.Tickets)}, err
}

func pageAnswer(p queue.Page, err error) (PageAnswer, error) {
	if r := refusal(err); r != nil {
		return PageAnswer{Refusal: r}, nil
	}
	return PageAnswer{Tickets: toTicketRecords(p.Tickets), Cursor: p.Cursor}, err
}
