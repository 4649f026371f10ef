package paying

import (
	"context"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/outbox"
)

// The intent keeps its own outbox, as the order does (services/internal/outbox): every change is
// written together with the event that announces it, in one single-key write with the intent's
// ETag, then the events are published and cleared from the record. An event that cannot be
// published stays pending and goes out with the intent's next change or the reconciler's sweep
// (the intent stays listed while its outbox is not empty).

// relay publishes the intent's pending events, the one of type own (written by this call; "" for
// none) and any orphaned, and clears the published ones from its record.
func (s *Service) relay(ctx context.Context, in Intent, own string) {
	outbox.Relay(ctx, s.log, s.now(), "payment "+in.OrderID, in.Outbox, []string{own}, s.pub.PublishPayment, outbox.Clear(
		func(ctx context.Context) (Intent, Token, error) { return s.repo.Intent(ctx, in.OrderID) },
		func(in *Intent) *[]event.Payment { return &in.Outbox }, s.repo.Save))
}
