package sidecar_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
)

// publish sends an order event through the sidecar's pub/sub API, as the order service's outbox does.
func publish(t *testing.T, e event.Order) {
	t.Helper()
	status, raw, err := sendURL(http.MethodPost, platform.App("inventory").DaprURL("/v1.0/publish/"+event.PubSub+"/"+event.TopicOrders), e)
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, status, "%s", raw)
}

// A reservation's life through Dapr: released by request and by order events (each delivered
// twice), confirmed by payment and returned on a refund, never reserved again once released;
// refusals hold nothing.
func TestReservationLifecycle(t *testing.T) {
	store := "life-" + uuid.NewString()[:8]
	mustSend(t, http.MethodPost, "stock/restock", map[string]any{
		"store_id": store, "dish_id": "noodles", "period": period, "quantity": 20, "restock_id": "r1", "buckets": 2,
	}, http.StatusOK)
	order := func(name string) string { return store + "-" + name }
	for name, qty := range map[string]int{"keep": 2, "cancel": 3, "expire": 4, "pay": 5, "refund": 1} {
		mustSend(t, http.MethodPost, "reservations", reservation(order(name), store, "noodles", qty), http.StatusCreated)
	}

	for range 2 {
		mustSend(t, http.MethodPost, "reservations/"+order("cancel")+"/release",
			map[string]any{"items": reservation("", store, "noodles", 3)["items"]}, http.StatusOK)
	}
	orderEvent := func(typ, name string, qty int64) event.Order {
		return event.Order{Type: typ, OrderID: order(name), StoreID: store, Period: period, Items: []event.Item{{DishID: "noodles", Quantity: qty, PriceCents: 900}}}
	}
	// The order service confirms a paid order's stock by request, before the order is paid.
	mustSend(t, http.MethodPost, "reservations/"+order("pay")+"/confirm", nil, http.StatusOK)
	mustSend(t, http.MethodPost, "reservations/"+order("refund")+"/confirm", nil, http.StatusOK)
	assert.EqualValues(t, 6, readStock(t, store, "noodles").Sold)
	for range 2 { // at least once: every event may come twice
		publish(t, orderEvent(event.OrderExpired, "expire", 4))
		publish(t, orderEvent(event.OrderRefundDue, "refund", 1)) // paid, then cancelled: refunded
	}
	require.Eventually(t, func() bool {
		v := readStock(t, store, "noodles")
		return v.Sold == 5 && v.Available == 13
	}, 30*time.Second, 100*time.Millisecond, "expired stock returned and the refunded order's sold unit back on sale")

	// Events are delivered in no set order; once a later event has been handled, check that the
	// duplicates changed nothing.
	publish(t, orderEvent(event.OrderCancelled, "keep", 2))
	require.Eventually(t, func() bool { return readStock(t, store, "noodles").Reserved == 0 }, 30*time.Second, 100*time.Millisecond)
	v := readStock(t, store, "noodles")
	assert.EqualValues(t, 5, v.Sold)
	assert.EqualValues(t, 15, v.Available)

	raw := mustSend(t, http.MethodPost, "reservations", reservation(order("cancel"), store, "noodles", 3), http.StatusConflict)
	assert.Equal(t, "released", errorCode(raw), "a released order is never reserved again")
	mustSend(t, http.MethodPost, "reservations/"+order("pay")+"/confirm", nil, http.StatusOK)
	raw = mustSend(t, http.MethodPost, "reservations/"+order("pay")+"/release", map[string]any{"items": []any{}}, http.StatusConflict)
	assert.Equal(t, "confirmed", errorCode(raw))

	twoItems := reservation(order("new"), store, "noodles", 1)
	twoItems["items"] = append(twoItems["items"].([]map[string]any), map[string]any{"store_id": store, "dish_id": "zucchini", "period": period, "quantity": 1})
	raw = mustSend(t, http.MethodPost, "reservations", twoItems, http.StatusNotFound)
	assert.Equal(t, "unknown_stock", errorCode(raw))
	assert.Contains(t, string(raw), `"field":"items[1]"`)
	mustSend(t, http.MethodGet, fmt.Sprintf("stock/%s/zucchini/%s", store, period), nil, http.StatusNotFound)
	assert.EqualValues(t, 15, readStock(t, store, "noodles").Available, "refusals held nothing")
}
