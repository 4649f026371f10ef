package ordering

import (
	"context"
	"maps"
	"slices"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/outbox"
)

// The order keeps its own outbox (services/internal/outbox): every change is written together
// with the event that announces it, in one single-key write with the order's ETag, then the
// events are published and, a moment later (BatchDelay), cleared from the record: the clears of
// every order published meanwhile go to the store together. A new order's event, the one a lunch
// rush makes thousands of, may wait EventDelay after its checkout returns, to go out with the
// other checkouts' in one publish.

// maxClearBatch bounds the orders of one bulk read and write.
const maxClearBatch = 100

// sentEvents are the event types of an order that were published and are to be cleared.
type sentEvents struct {
	id   string
	sent map[string]bool
}

// create writes a new order with its first event pending, and indexes it (p: what its Lookup
// read), then relays the event, or with an EventDelay queues it to be published with others.
func (s *Service) create(ctx context.Context, o Order, e event.Order, p Placement) error {
	o.Outbox = []event.Order{e}
	if err := s.repo.CreateIndexed(ctx, o, p); err != nil {
		return err
	}
	if s.eventDelay > 0 {
		s.announces.add(s.eventDelay, timed(s.flushAnnounces), announcement{o.ID, e})
		return nil
	}
	s.relay(ctx, o, e.Type)
	return nil
}

// announcement is a new order's event, written pending in its record and not yet published.
type announcement struct {
	id string
	e  event.Order
}

// flushAnnounces publishes the events queued by create in one call and has the published ones
// cleared (clearLater). One refused, or all of them when the process dies first, stays pending in
// its record, like an event whose relay died: the inventory reconciler's Statuses, which reads
// every order holding stock, relays it once it is orphaned (outbox.OrphanAfter).
func (s *Service) flushAnnounces(ctx context.Context) {
	queued := s.announces.take()
	if len(queued) == 0 {
		return
	}
	evs := make([]event.Order, len(queued))
	for i, a := range queued {
		evs[i] = a.e
	}
	for i, err := range s.pub.PublishOrders(ctx, evs) {
		if err != nil {
			s.log.Warn("event not published; it stays pending in its record", "record", "order "+queued[i].id, "type", evs[i].Type, "err", err)
			continue
		}
		s.clearLater(queued[i].id, map[string]bool{evs[i].Type: true})
	}
}

// relay publishes the order's pending events, the ones of types own (written by this call) and
// any orphaned, and has the published ones cleared from its record (clearLater).
func (s *Service) relay(ctx context.Context, o Order, own ...string) {
	outbox.Relay(ctx, s.log, s.now(), "order "+o.ID, o.Outbox, own, s.pub.PublishOrder,
		func(_ context.Context, sent map[string]bool) error { s.clearLater(o.ID, sent); return nil })
}

// RelayPending publishes what an order read by a sweep still has orphaned: the way out for events
// whose relay died with its process.
func (s *Service) RelayPending(ctx context.Context, o Order) { s.relay(ctx, o) }

// clearLater queues the clear of an order's published events for the next batch, BatchDelay
// from the first one queued. A process that dies first leaves them pending: they go out again,
// as after a crash between publishing and clearing.
func (s *Service) clearLater(id string, sent map[string]bool) {
	s.clears.add(s.batchDelay, timed(s.flushClears), sentEvents{id, sent})
}

// timed is flush run by a batch's timer, bounded like a relay.
func timed(flush func(context.Context)) func() {
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), outbox.Timeout)
		defer cancel()
		flush(ctx)
	}
}

// Flush schedules now the expiries still waiting to be, publishes the new orders' events still
// waiting to be, and clears every published event still waiting to be cleared. The service calls
// it when it stops, so that a restart does not leave the orders to the reconciler's sweep, nor
// publish the events again.
func (s *Service) Flush(ctx context.Context) {
	s.flushExpiries(ctx)
	s.flushAnnounces(ctx)
	s.flushClears(ctx)
}

// flushClears clears the published events queued by clearLater.
func (s *Service) flushClears(ctx context.Context) {
	sent := map[string]map[string]bool{}
	for _, e := range s.clears.take() {
		if sent[e.id] == nil {
			sent[e.id] = map[string]bool{}
		}
		maps.Copy(sent[e.id], e.sent)
	}
	ids := slices.Sorted(maps.Keys(sent))
	for batch := range slices.Chunk(ids, maxClearBatch) {
		s.clearBatch(ctx, batch, sent)
	}
}

// clearBatch drops the sent events of the orders ids from their records: one read of them all and
// one write of those that still hold any, each with the token it was read with. Where that write
// fails (an order changed in between, or a fault), each order is cleared on its own from a fresh
// read, which writes nothing where the batch's write went through.
func (s *Service) clearBatch(ctx context.Context, ids []string, sent map[string]map[string]bool) {
	stored, err := s.repo.Orders(ctx, ids)
	if err == nil {
		var changed []Stored
		for _, st := range stored {
			kept := outbox.Unsent(st.Order.Outbox, sent[st.Order.ID])
			if len(kept) < len(st.Order.Outbox) {
				st.Order.Outbox = kept
				changed = append(changed, st)
			}
		}
		if err = s.repo.SaveAll(ctx, changed); err == nil {
			return
		}
	}
	s.log.Info("clearing published events order by order", "orders", len(ids), "err", err)
	for _, id := range ids {
		clear := outbox.Clear(func(ctx context.Context) (Order, Token, error) { return s.repo.Order(ctx, id) },
			func(o *Order) *[]event.Order { return &o.Outbox }, s.repo.Save)
		if err := clear(ctx, sent[id]); err != nil {
			s.log.Warn("published events not cleared; they will be published again", "record", "order "+id, "err", err)
		}
	}
}

// withoutOutbox is the order as clients see it.
func (o Order) withoutOutbox() Order {
	o.Outbox = nil
	return o
}
