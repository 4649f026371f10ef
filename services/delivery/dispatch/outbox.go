package dispatch

import (
	"context"

	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/internal/outbox"
)

// A job keeps its own outbox, as the order and the payment intent do (services/internal/outbox):
// every announced change is written with its event in one single-key write with the job's ETag;
// then the events are published and cleared. One that cannot be published stays pending and goes
// out with the job's next change or the sweep.

// relay publishes the job's pending events, own (written by this call) and any orphaned, and
// clears the published ones from its record.
func (s *Service) relay(ctx context.Context, j Job, own string) {
	outbox.Relay(ctx, s.log, s.now(), "delivery "+j.OrderID, j.Outbox, []string{own}, s.pub.PublishDelivery, func(ctx context.Context, sent map[string]bool) error {
		return occ.Retry(ctx, func(ctx context.Context) error {
			cur, tok, err := s.repo.Job(ctx, j.OrderID)
			if err != nil {
				return err
			}
			kept := outbox.Unsent(cur.Outbox, sent)
			if len(kept) == len(cur.Outbox) {
				return nil
			}
			cur.Outbox = kept
			return s.repo.SaveJob(ctx, cur, tok)
		})
	})
}
