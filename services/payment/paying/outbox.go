package paying

import (
	"context"
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// The intent's outbox lives in its own record, as the order's does (services/order/ordering/
// outbox.go, and the README's "Events that cannot be lost"): every change is written together
// with the event that announces it, in one single-key write with the intent's ETag, so the event
// exists exactly when the change committed, on any state store. After the write the events are
// published and then cleared from the record.

// relayTimeout bounds a relay that goes on after its caller left: the change has committed, and
// its event should go out even if the caller (a provider's notification) hung up.
const relayTimeout = 10 * time.Second

// orphanAfter is how long a pending event is left to the call that wrote it; anyone else who
// finds it (a repeated request, the next change, the reconciler) publishes it only once it is
// older, its writer then taken to have died. Without it, concurrent duplicates of a notification
// would each publish the winner's event once more.
const orphanAfter = 5 * time.Second

// relay publishes the intent's pending events, oldest first, and removes the published ones from
// its record: the event this call wrote (own; "" for none) and any orphaned ones. An event it
// cannot publish stays pending and goes out with the intent's next change or the reconciler's
// sweep (the intent stays listed while its outbox is not empty), so none is lost. One can still go
// out twice (a crash between publishing and clearing); subscribers deduplicate on (order id,
// type), which names one event since an intent reaches each state at most once.
func (s *Service) relay(ctx context.Context, in Intent, own string) {
	if len(in.Outbox) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), relayTimeout)
	defer cancel()
	sent := map[string]bool{}
	for _, e := range in.Outbox {
		if e.Type != own && s.now().Sub(e.At) < orphanAfter {
			continue // its writer is publishing it
		}
		if err := s.pub.PublishPayment(ctx, e); err != nil {
			s.log.Warn("payment event not published; it stays pending in the intent", "order", in.OrderID, "type", e.Type, "err", err)
			break // keep the intent's events in order
		}
		sent[e.Type] = true
	}
	if len(sent) == 0 {
		return
	}
	err := occ.Retry(ctx, func(ctx context.Context) error {
		cur, tok, err := s.repo.Intent(ctx, in.OrderID)
		if err != nil {
			return err
		}
		kept := make([]event.Payment, 0, len(cur.Outbox))
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
		s.log.Warn("published payment events not cleared; they will be published again", "order", in.OrderID, "err", err)
	}
}
