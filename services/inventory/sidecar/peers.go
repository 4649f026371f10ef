package sidecar

import (
	"context"
	"fmt"
	"net/http"

	"github.com/canteen/canteen/services/internal/invoke"
	"github.com/canteen/canteen/services/internal/orderapi"
	"github.com/canteen/canteen/services/inventory/stock"
)

// Peers reaches the order service and the Jobs API through the app's own sidecar, with the one
// invoke client every service uses, as a REST caller in any language would.
type Peers struct {
	Client   *invoke.Client
	OrderApp string
}

var _ stock.Orders = (*Peers)(nil)

// Statuses asks the order service about orders in one call (orderapi.PathStatuses).
func (p *Peers) Statuses(ctx context.Context, ids []string) (map[string]stock.OrderState, error) {
	var resp orderapi.StatusesResponse
	if err := p.Client.Invoke(ctx, p.OrderApp, http.MethodPost, orderapi.PathStatuses, orderapi.StatusesRequest{OrderIDs: ids}, &resp); err != nil {
		return nil, fmt.Errorf("order statuses: %w", err)
	}
	out := make(map[string]stock.OrderState, len(resp.Orders))
	for id, o := range resp.Orders {
		out[id] = stock.OrderState{Status: toOrderStatus(o.Status), CreatedAt: o.CreatedAt}
	}
	return out, nil
}

// toOrderStatus maps the order service's statuses onto what the reconciler tells apart; one it
// does not know stays as it is, and the reconciler leaves such an order alone.
func toOrderStatus(s string) stock.OrderStatus {
	switch s {
	case orderapi.Paid, orderapi.Accepted, orderapi.Ready, orderapi.Completed:
		return stock.OrderPaid
	}
	return stock.OrderStatus(s)
}
