package sidecar

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/menu/catalog"
)

// StockRoute keeps dishes' out-of-stock flags in step with inventory's stock events.
func StockRoute(svc *catalog.Service) subscribe.Route {
	return subscribe.Route{Topic: event.TopicStock, Path: "/events/stock", Handle: func(ctx context.Context, _ string, data json.RawMessage) error {
		var e event.Stock
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		if e.StoreID == "" || e.DishID == "" || e.At.IsZero() {
			return fmt.Errorf("stock event without store, dish or time: %w", subscribe.ErrPoison)
		}
		switch e.Type {
		case event.StockDepleted:
			return svc.ApplyStock(ctx, e.StoreID, e.DishID, true, e.At)
		case event.StockReplenished:
			return svc.ApplyStock(ctx, e.StoreID, e.DishID, false, e.At)
		}
		return nil // a type added later: not ours to act on
	}}
}
