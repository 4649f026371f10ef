package sidecar

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/canteen/canteen/services/order/ordering"
)

// Orders reads the orders that exist among ids in one bulk call, keyed by id.
func (s *Repository) Orders(ctx context.Context, ids []string) (map[string]ordering.Order, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = orderKey(id)
	}
	items, err := s.bulk(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read %d orders: %w", len(ids), err)
	}
	out := make(map[string]ordering.Order, len(items))
	for _, it := range items {
		var rec orderRecord
		if err := json.Unmarshal(it.Value, &rec); err != nil {
			return nil, fmt.Errorf("decode %s: %w", it.Key, err)
		}
		id := it.Key[len("order:"):]
		out[id] = rec.domain(id)
	}
	return out, nil
}
