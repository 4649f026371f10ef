package sidecar_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/stretchr/testify/assert"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/order/sidecar"
)

// refusingBroker takes a bulk publish and refuses the entries of orders named "refused-*", as a
// broker may refuse some entries of a bulk publish and take the others.
type refusingBroker struct {
	sidecar.Client
	mu      sync.Mutex
	taken   []string
	topics  map[string]string // by event type: the topic it went to
	largest int               // the most events of one call
}

func (b *refusingBroker) PublishEvents(_ context.Context, _, topic string, events []any, _ ...dapr.PublishEventsOption) dapr.PublishEventsResponse {
	var failed []any
	b.mu.Lock()
	b.largest = max(b.largest, len(events))
	b.mu.Unlock()
	for _, e := range events {
		entry := e.(dapr.PublishEventsEvent)
		var ev event.Order
		if err := json.Unmarshal(entry.Data, &ev); err != nil {
			panic(err)
		}
		if len(ev.OrderID) > 8 && ev.OrderID[:8] == "refused-" {
			failed = append(failed, entry)
			continue
		}
		b.mu.Lock()
		b.taken = append(b.taken, ev.OrderID)
		if b.topics == nil {
			b.topics = map[string]string{}
		}
		b.topics[ev.Type] = topic
		b.mu.Unlock()
	}
	if failed == nil {
		return dapr.PublishEventsResponse{}
	}
	return dapr.PublishEventsResponse{Error: errors.New("some entries refused"), FailedEvents: failed}
}

// Concurrent publishes share bulk calls, and each caller is told its own event's outcome: a
// refused event fails its caller only (it stays pending in its order), the others succeed.
func TestEachPublisherIsToldItsOwnEventsOutcome(t *testing.T) {
	broker := &refusingBroker{}
	repo := &sidecar.Repository{Client: broker}
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range errs {
		id := fmt.Sprintf("order-%d", i)
		if i%7 == 0 {
			id = fmt.Sprintf("refused-%d", i)
		}
		wg.Go(func() {
			errs[i] = repo.PublishOrder(context.Background(), event.Order{Type: event.OrderCreated, OrderID: id})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i%7 == 0 {
			assert.Error(t, err, "event %d was refused", i)
		} else {
			assert.NoError(t, err, "event %d was taken", i)
		}
	}
	assert.Len(t, broker.taken, 200-29)
}

// order.created, the one event of every checkout, has a topic of its own; the lifecycle's other
// events share the orders topic, even when they are published together.
func TestAnOrderEventGoesToItsTypesTopic(t *testing.T) {
	broker := &refusingBroker{}
	repo := &sidecar.Repository{Client: broker}
	var wg sync.WaitGroup
	for i, typ := range []string{event.OrderCreated, event.OrderPaid, event.OrderCancelled, event.OrderCreated} {
		wg.Go(func() {
			assert.NoError(t, repo.PublishOrder(context.Background(), event.Order{Type: typ, OrderID: fmt.Sprint("order-", i)}))
		})
	}
	wg.Wait()
	assert.Equal(t, map[string]string{event.OrderCreated: "orders-created", event.OrderPaid: "orders", event.OrderCancelled: "orders"}, broker.topics)
}

// One PublishOrders call answers each event's own outcome and sends each to its type's topic,
// in bulk calls of at most a hundred.
func TestPublishingEventsTogetherAnswersEachOne(t *testing.T) {
	broker := &refusingBroker{}
	repo := &sidecar.Repository{Client: broker}
	var evs []event.Order
	for i := range 250 {
		id, typ := fmt.Sprintf("order-%d", i), event.OrderCreated
		if i%7 == 0 {
			id = fmt.Sprintf("refused-%d", i)
		}
		if i%10 == 0 {
			typ = event.OrderPaid
		}
		evs = append(evs, event.Order{Type: typ, OrderID: id})
	}
	errs := repo.PublishOrders(context.Background(), evs)
	assert.Len(t, errs, len(evs))
	for i, err := range errs {
		if i%7 == 0 {
			assert.Error(t, err, "event %d was refused", i)
		} else {
			assert.NoError(t, err, "event %d was taken", i)
		}
	}
	assert.Len(t, broker.taken, 250-36)
	assert.Equal(t, map[string]string{event.OrderCreated: "orders-created", event.OrderPaid: "orders"}, broker.topics)
	assert.LessOrEqual(t, broker.largest, 100)
}
