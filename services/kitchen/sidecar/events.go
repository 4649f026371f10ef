package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/kitchen/queue"
)

// OrdersRoute admits paid orders (order.paid) into their store's queue; other order events are
// not the kitchen's. Delivery is at least once; the actor admits an order once, so a duplicate
// answers the same ticket. An order that can never be admitted (a malformed period) goes to the
// dead-letter topic, where an operator sees it: a paid order must not vanish. Ids are checked
// first: a store id is an actor id and part of state keys.
func OrdersRoute(q *Queues) subscribe.Route {
	return subscribe.Route{Topic: event.TopicOrders, Path: "/events/orders", Handle: func(ctx context.Context, _ string, data json.RawMessage) error {
		var e event.Order
		if err := subscribe.Decode(data, &e); err != nil {
			return err
		}
		if e.Type != event.OrderPaid {
			return nil
		}
		if !apierr.ValidID(e.StoreID) || !apierr.ValidID(e.OrderID) {
			return fmt.Errorf("order.paid with store %q, order %q: %w", e.StoreID, e.OrderID, subscribe.ErrPoison)
		}
		_, err := q.Admit(ctx, e)
		var inv *queue.InvalidError
		if errors.As(err, &inv) {
			return fmt.Errorf("order.paid of %s: %w: %w", e.OrderID, subscribe.ErrPoison, err)
		}
		return err
	}}
}

// PublishStoreLoad publishes a store's load on the stores topic. The CloudEvent id names the
// store and the announcement, so a republished one carries the id of the first.
func (r *Repository) PublishStoreLoad(ctx context.Context, e event.StoreLoad) error {
	return r.Client.PublishEvent(ctx, event.PubSub, event.TopicStores, e,
		dapr.PublishEventWithMetadata(map[string]string{"cloudevent.id": e.StoreID + "/load/" + strconv.FormatInt(e.Seq, 10)}))
}
