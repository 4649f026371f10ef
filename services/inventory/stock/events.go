package stock

import (
	"context"
	"time"

	"github.com/canteen/canteen/services/internal/event"
)

// Stock events tell the menu when a dish's availability crossed zero. An event follows the saved
// change rather than being part of it: it is a hint the menu applies by time, a lost or spurious
// one is corrected by the next, and it is never what keeps stock correct. So a publishing failure
// is logged, never returned: the change it reports is already saved.
//
// Only a bucket crossing zero can make its item cross. With one bucket the writer's view is the
// item's exact state. With several, the writer's view of the other buckets may be stale (their
// writes did not meet its ETag), so emptying a bucket re-reads the item's total; of two writers
// emptying the last two buckets at once, the later re-read sees both, and depletion is reported.

// emptied is called after a write took a bucket of the item's n buckets to zero available.
func (s *Service) emptied(ctx context.Context, it Item, n int) {
	if n > 1 {
		bs, _, err := s.repo.Buckets(ctx, it, n)
		if err != nil {
			s.log.Warn("stock depletion not checked", "item", it.String(), "err", err)
			return
		}
		if view(it, bs).Available > 0 {
			return
		}
	}
	s.sawSoldOut(it)
	s.publish(ctx, event.StockDepleted, it, 0)
}

// refilled is called after a write gave units to a bucket of the item that had none (with several
// buckets the item may have had units all along: a spurious "replenished" only repeats the truth).
// available is the item's total as the writer knows it.
func (s *Service) refilled(ctx context.Context, it Item, available int64) {
	s.mu.Lock()
	delete(s.soldOut, it)
	s.mu.Unlock()
	s.publish(ctx, event.StockReplenished, it, available)
}

func (s *Service) publish(ctx context.Context, typ string, it Item, available int64) {
	e := event.Stock{Type: typ, StoreID: it.StoreID, DishID: it.DishID, Period: it.Period, Available: available, At: time.Now().UTC()}
	ctx, cancel := detach(ctx)
	defer cancel()
	if err := s.pub.Publish(ctx, e); err != nil {
		s.log.Warn("stock event not published", "type", typ, "item", it.String(), "err", err)
	}
}
