package ordering

import (
	"context"
	"maps"
	"sync"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/outbox"
)

// The order keeps its own outbox (services/internal/outbox): every change is written together
// with the event that announces it, in one single-key write with the order's ETag, then the
// events are published and cleared from the record.
//
// Except order.created: clearing it would cost every checkout a read and a write of its order
// more (a third of the order service's state operations per checkout). Once published it is
// left in the record and remembered as published (Service.published); the order's next write
// (paid, expired, cancelled) drops it from the record at no cost. A replica that restarted, or
// another replica, does not know it went out and publishes it once more when it next meets the
// order: a duplicate, which subscribers take once (they deduplicate on the CloudEvent id).

// create writes a new order with its first event pending, then publishes the event.
func (s *Service) create(ctx context.Context, o Order, e event.Order) error {
	o.Outbox = []event.Order{e}
	if err := s.repo.Create(ctx, o); err != nil {
		return err
	}
	outbox.Relay(ctx, s.log, s.now(), "order "+o.ID, o.Outbox, []string{e.Type}, s.pub.PublishOrder,
		func(context.Context, map[string]bool) error { s.published.add(o.ID, e.Type); return nil })
	return nil
}

// relay publishes the order's pending events, the ones of types own (written by this call) and
// any orphaned, and clears the published ones from its record, with those published earlier and
// left there.
func (s *Service) relay(ctx context.Context, o Order, own ...string) {
	earlier := s.published.of(o.ID, o.Outbox)
	clear := outbox.Clear(
		func(ctx context.Context) (Order, Token, error) { return s.repo.Order(ctx, o.ID) },
		func(o *Order) *[]event.Order { return &o.Outbox }, s.repo.Save)
	outbox.Relay(ctx, s.log, s.now(), "order "+o.ID, outbox.Unsent(o.Outbox, earlier), own, s.pub.PublishOrder,
		func(ctx context.Context, sent map[string]bool) error {
			maps.Copy(sent, earlier)
			err := clear(ctx, sent)
			if err == nil {
				s.published.forget(o.ID, earlier)
			}
			return err
		})
}

// unpublished is the order's outbox without the events published earlier and left in it: what a
// write of the order keeps pending.
func (s *Service) unpublished(o Order) []event.Order {
	return outbox.Unsent(o.Outbox, s.published.of(o.ID, o.Outbox))
}

// published remembers the events this replica published and left in their orders' records (see
// create), the oldest forgotten first past its bound: forgetting one costs at most a duplicate.
type published struct {
	mu    sync.Mutex
	set   map[string]bool // order id + "/" + event type
	order []string        // the set's keys, oldest first
}

// publishedBound is how many events the memo keeps: a lunch rush of orders, about 6 MB.
const publishedBound = 100_000

func (p *published) add(id, typ string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.set == nil {
		p.set = map[string]bool{}
	}
	k := id + "/" + typ
	if p.set[k] {
		return
	}
	p.set[k] = true
	p.order = append(p.order, k)
	for len(p.order) > publishedBound {
		delete(p.set, p.order[0])
		p.order = p.order[1:]
	}
}

// of returns the types among the events that the memo says were published.
func (p *published) of(id string, events []event.Order) map[string]bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]bool{}
	for _, e := range events {
		if p.set[id+"/"+e.Type] {
			out[e.Type] = true
		}
	}
	return out
}

// forget drops the types once they are cleared from the record (the bound keeps what is left).
func (p *published) forget(id string, types map[string]bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for typ := range types {
		delete(p.set, id+"/"+typ)
	}
}

// RelayPending publishes what an order read by a sweep still has orphaned: the way out for events
// whose relay died with its process.
func (s *Service) RelayPending(ctx context.Context, o Order) { s.relay(ctx, o) }

// withoutOutbox is the order as clients see it.
func (o Order) withoutOutbox() Order {
	o.Outbox = nil
	return o
}
