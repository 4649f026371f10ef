package sidecar

import (
	"context"
	"fmt"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/order/ordering"
)

// Orders reads the orders that exist among ids in one bulk call, keyed by id, with their ETags.
func (s *Repository) Orders(ctx context.Context, ids []string) (map[string]ordering.Stored, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = orderKey(id)
	}
	items, err := daprconn.GetBulk[orderRecord](ctx, s.Client, s.StateStore, keys)
	if err != nil {
		return nil, fmt.Errorf("read %d orders: %w", len(ids), err)
	}
	out := make(map[string]ordering.Stored, len(items))
	for _, it := range items {
		id := it.Key[len("order:"):]
		out[id] = ordering.Stored{Order: it.Value.domain(id), Token: ordering.Token(it.Etag)}
	}
	return out, nil
}
