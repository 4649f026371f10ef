package ordering

import (
	"context"
	"slices"
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// The order's outbox lives in its own record: every change is written together with the event
// that announces it, in one single-key write with the order's ETag, so the event exists exactly
// when the change committed, on any state store (Dapr 1.18.2's own outbox holds every message
// about a second, is not atomic on Redis, and spins forever on a failed transaction: see the
// README). After the write the events are published and then cleared from the record.

// relayTimeout bounds a relay that goes on after its caller left: the change has committed, and
// its event should go out even if the client that asked for it hung up.
const relayTimeout = 10 * time.Second

// orphanAfter is how long a pending event is left to the request that wrote it. Anyone else who
// finds it (a duplicate checkout, the next change, the sweep) publishes it only once it is older:
// its writer is then taken to have died. Without it, identical concurrent checkouts each published
// the winner's order.created once more (seen on the real sidecar).
const orphanAfter = 5 * time.Second

// create writes a new order with its first event pending, then relays the event.
func (s *Service) create(ctx context.Context, o Order, e event.Order) error {
	o.Outbox = []event.Order{e}
	if err := s.repo.Create(ctx, o); err != nil {
		return err
	}
	s.relay(ctx, o, e.Type)
	return nil
}

// relay publishes the order's pending events, oldest first, and removes the published ones from
// its record: the events this call wrote (own; none for a sweep) and any orphaned by a writer that died
// (orphanAfter). An event it cannot publish stays pending and goes out with the order's next
// change, a replayed request, or the sweep (RelayPending, driven by inventory's reconciler), so
// none is lost. An event can still go out twice (a crash between publishing and clearing);
// subscribers deduplicate on (order id, type), which names one event since an order enters each
// state at most once.
func (s *Service) relay(ctx context.Context, o Order, own ...string) {
	if len(o.Outbox) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), relayTimeout)
	defer cancel()
	sent := map[string]bool{}
	for _, e := range o.Outbox {
		if !slices.Contains(own, e.Type) && s.now().Sub(e.At) < orphanAfter {
			continue // its writer is publishing it
		}
		if err := s.pub.PublishOrder(ctx, e); err != nil {
			s.log.Warn("order event not published; it stays pending in the order", "order", o.ID, "type", e.Type, "err", err)
			break // keep the order's events in order
		}
		sent[e.Type] = true
	}
	if len(sent) == 0 {
		return
	}
	err := occ.Retry(ctx, func(ctx context.Context) error {
		cur, tok, err := s.repo.Order(ctx, o.ID)
		if err != nil {
			return err
		}
		kept := make([]event.Order, 0, len(cur.Outbox))
		for _, e := range cur.Outbox {
			if !sent[e.Type] {
				kept = append(kept, e)
			}
		}
		if len(kept) == len(cur.Outbox) {
			return nil
		}
		cur.Outbox = kept
		return s.repo.Save(ctx, cur, tok)
	})
	if err != nil {
		s.log.Warn("published order events not cleared; they will be published again", "order", o.ID, "err", err)
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
