package ordering

import (
	"context"
	"errors"
	"fmt"
)

// MaxStatuses is how many orders one Statuses call may ask about.
const MaxStatuses = 500

// bulkReader is a Store that reads many orders in one call; a Store without it is read one
// order at a time.
type bulkReader interface {
	// Orders reads the orders that exist among ids, keyed by id.
	Orders(ctx context.Context, ids []string) (map[string]Order, error)
}

// Statuses returns the orders among ids that exist, keyed by id, for the inventory reconciler
// (which asks about the orders holding stock). Unknown ids are absent from the answer.
func (s *Service) Statuses(ctx context.Context, ids []string) (map[string]Order, error) {
	if len(ids) > MaxStatuses {
		return nil, invalid("order_ids", "must hold at most %d ids", MaxStatuses)
	}
	for i, id := range ids {
		if !idPattern.MatchString(id) {
			return nil, invalid(fmt.Sprintf("order_ids[%d]", i), "must be 1-64 letters, digits, '-' or '_'")
		}
	}
	if br, ok := s.store.(bulkReader); ok {
		return br.Orders(ctx, ids)
	}
	out := map[string]Order{}
	for _, id := range ids {
		o, _, err := s.store.Order(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = o
	}
	return out, nil
}
