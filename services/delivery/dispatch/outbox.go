package dispatch

import (
	"context"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/outbox"
)

// A job keeps its own outbox, as the order and the payment intent do (services/internal/outbox):
// every announced change is written with its event in one single-key write with the job's ETag;
// then the events are published and cleared. One that cannot be published stays pending and goes
// out with the job's next change or the sweep.

// relay publishes the job's pending events, own (written by this call) and any orphaned, and
// clears the published ones from its record.
func (s *Service) relay(ctx context.Context, j Job, own string) {
	outbox.Relay(ctx, s.log, s.now(), "delivery "+j.OrderID, j.Outbox, []string{own}, s.pub.PublishDelivery, outbox.Clear(
		func(ctx context.Context) (Job, Token, error) { return s.repo.Job(ctx, j.OrderID) },
		func(j *Job) *[]event.DeliveryJob { return &j.Outbox }, s.repo.SaveJob))
}
