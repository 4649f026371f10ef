package ordering

import (
	"context"
	"fmt"
)

// MaxStatuses is how many orders one Statuses call may ask about.
const MaxStatuses = 500

// Statuses returns the orders among ids that exist, keyed by id, for the inventory reconciler
// (which asks about the orders holding stock), and relays any of their events left orphaned.
// Unknown ids are absent from the answer. An order found unpaid past its payment time is expired
// first and answered expired, so that the reconciler returns its stock: that is the way out for
// an order whose expiry job was lost (its process died before the job was scheduled, see
// expireLater).
func (s *Service) Statuses(ctx context.Context, ids []string) (map[string]Order, error) {
	if len(ids) > MaxStatuses {
		return nil, invalid("order_ids", "must hold at most %d ids", MaxStatuses)
	}
	for i, id := range ids {
		if !idPattern.MatchString(id) {
			return nil, invalid(fmt.Sprintf("order_ids[%d]", i), "must be 1-64 letters, digits, '-' or '_'")
		}
	}
	stored, err := s.repo.Orders(ctx, ids)
	if err != nil {
		return nil, err
	}
	// The sweep reads every order that still holds stock, which makes it the way out for events
	// whose relay died with its process.
	orders := make(map[string]Order, len(stored))
	for id, st := range stored {
		o := st.Order
		if s.overdue(o) {
			expired, err := s.expire(ctx, id)
			if err == nil {
				orders[id] = expired.withoutOutbox() // its event relayed by the expiry
				continue
			}
			// Paid meanwhile, or a fault: answered as read, and the reconciler's own rule for
			// an unpaid order past the payment time asks inventory's record.
			s.log.Warn("overdue order not expired by the sweep", "order", id, "err", err)
		}
		s.relay(ctx, o)
		orders[id] = o.withoutOutbox()
	}
	return orders, nil
}
