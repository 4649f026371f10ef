package ordering

import (
	"context"
	"fmt"
)

// MaxStatuses is how many orders one Statuses call may ask about.
const MaxStatuses = 500

// Statuses returns the orders among ids that exist, keyed by id, for the inventory reconciler
// (which asks about the orders holding stock), and relays any of their events left orphaned.
// Unknown ids are absent from the answer.
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
		s.relay(ctx, st.Order)
		orders[id] = st.Order.withoutOutbox()
	}
	return orders, nil
}
