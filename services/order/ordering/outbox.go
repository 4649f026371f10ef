package ordering

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/outbox"
)

// The order keeps its own outbox (services/internal/outbox): every change is written together
// with the event that announces it, in one single-key write with the order's ETag, then the
// events are published and, a moment later, cleared from the record: the clears of every order
// published meanwhile go to the store together (clears).

// ClearDelay is how long a published event waits before it is cleared from its order's record,
// so that the clears of a lunch rush's checkouts share one bulk read and one bulk write instead of
// a read and a write each, off the checkout's path. It must stay well under outbox.OrphanAfter:
// an event not yet cleared looks pending, and once orphaned anyone relaying the order would
// publish it again (a duplicate, which subscribers ignore, but a wasted one).
const ClearDelay = 100 * time.Millisecond

// maxClearBatch bounds the orders of one bulk read and write.
const maxClearBatch = 100

// clears is what the Service has published and not yet cleared: the event types by order id.
type clears struct {
	mu        sync.Mutex
	sent      map[string]map[string]bool
	scheduled bool
}

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
// any orphaned, and has the published ones cleared from its record (clearLater).
func (s *Service) relay(ctx context.Context, o Order, own ...string) {
	outbox.Relay(ctx, s.log, s.now(), "order "+o.ID, o.Outbox, own, s.pub.PublishOrder,
		func(_ context.Context, sent map[string]bool) error { s.clearLater(o.ID, sent); return nil })
}

// RelayPending publishes what an order read by a sweep still has orphaned: the way out for events
// whose relay died with its process.
func (s *Service) RelayPending(ctx context.Context, o Order) { s.relay(ctx, o) }

// clearLater queues the clear of an order's published events for the next batch, ClearDelay
// from the first one queued. A process that dies first leaves them pending: they go out again,
// as after a crash between publishing and clearing.
func (s *Service) clearLater(id string, sent map[string]bool) {
	c := &s.clears
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sent == nil {
		c.sent = map[string]map[string]bool{}
	}
	if c.sent[id] == nil {
		c.sent[id] = map[string]bool{}
	}
	maps.Copy(c.sent[id], sent)
	if !c.scheduled {
		c.scheduled = true
		time.AfterFunc(s.clearDelay, func() {
			ctx, cancel := context.WithTimeout(context.Background(), outbox.Timeout)
			defer cancel()
			s.Flush(ctx)
		})
	}
}

// Flush clears now every published event still waiting to be cleared. The service calls it when
// it stops, so that a restart does not publish them again.
func (s *Service) Flush(ctx context.Context) {
	c := &s.clears
	c.mu.Lock()
	sent := c.sent
	c.sent, c.scheduled = nil, false
	c.mu.Unlock()
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
