package ordering

import (
	"context"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/outbox"
)

// The order keeps its own outbox (services/internal/outbox): every change is written together
// with the event that announces it, in one single-key write with the order's ETag, then the
// events are published and cleared from the record.

// create writes a new order with its first event pending, then relays the event.
func (s *Service) create(ctx context.Context, o Order, e event.Order) error {
	o.Outbox = []event.Order{e}
	if err := s.repo.Create(ctx, o); err != nil {
		return err
	}
	s.relay(ctx, o, e.Type)
	return nil
}

// relay publishes the order's pending events, the ones of types own (written by this call) and
// any orphaned, and clears the published ones from its record.
func (s *Service) relay(ctx context.Context, o Order, own ...string) {
	outbox.Relay(ctx, s.log, s.now(), "order "+o.ID, o.Outbox, own, s.pub.PublishOrder, outbox.Clear(
		func(ctx context.Context) (Order, Token, error) { return s.repo.Order(ctx, o.ID) },
		func(o *Order) *[]event.Order { return &o.Outbox }, s.repo.Save))
}

// RelayPending publishes what an order read by a sweep still has orphaned: the way out for events
// whose relay died with its process.
func (s *Service) RelayPending(ctx context.Context, o Order) { s.relay(ctx, o) }

// withoutOutbox is the order as clients see it.
func (o Order) withoutOutbox() Order {
	o.Outbox = nil
	return o
}
