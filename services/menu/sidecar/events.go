package sidecar

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/canteen/canteen/services/internal/apierr"
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

// StoresRoute keeps each store's kitchen load (busy, at its limit, the wait) as the kitchen's
// latest announcement says; a repeated or late one changes nothing (the catalog orders them by
// seq). An announcement without a store, seq or time can never be applied: poison.
func StoresRoute(svc *catalog.Service) subscribe.Route {
	return subscribe.Route{Topic: event.TopicStores, Path: "/events/stores", Handle: func(ctx context.Context, _ string, data json.RawMessage) error {
		var e event.StoreLoad
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		if e.Type != event.StoreLoadChanged {
			return nil // a type added later: not ours to act on
		}
		if !apierr.ValidID(e.StoreID) || e.Seq < 1 || e.WaitSeconds < 0 || e.At.IsZero() {
			return fmt.Errorf("store load with store %q, seq %d, wait %d s, at %s: %w", e.StoreID, e.Seq, e.WaitSeconds, e.At, subscribe.ErrPoison)
		}
		return svc.ApplyLoad(ctx, e.StoreID, catalog.KitchenLoad{Busy: e.Busy, OverCapacity: e.OverCapacity,
			Wait: time.Duration(e.WaitSeconds) * time.Second, Seq: e.Seq, At: e.At})
	}}
}
