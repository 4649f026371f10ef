package httpapi_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
)

// deliver posts an orders CloudEvent carrying data (raw JSON when a string) and returns Dapr's
// instruction: SUCCESS, RETRY or DROP.
func (a *api) deliver(data any) string {
	a.t.Helper()
	raw, ok := data.(string)
	if !ok {
		b, err := json.Marshal(data)
		require.NoError(a.t, err)
		raw = string(b)
	}
	envelope := `{"id":"e1","specversion":"1.0","type":"com.dapr.event.sent","datacontenttype":"application/json","data":` + raw + `}`
	status, body, _ := a.do(http.MethodPost, "/events/orders", envelope)
	require.Equal(a.t, http.StatusOK, status, "%v", body)
	return body["status"].(string)
}

func orderEvent(typ, order string, qty int64) event.Order {
	return event.Order{Type: typ, OrderID: order, StoreID: "s1", Period: period, Items: []event.Item{{DishID: "rice", Quantity: qty, PriceCents: 500}}}
}

func TestSubscriptionList(t *testing.T) {
	a := newAPI(t, nil)
	w := httptest.NewRecorder()
	a.r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dapr/subscribe", nil))
	require.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `[{"pubsubname":"pubsub","topic":"orders","route":"/events/orders","deadLetterTopic":"orders-deadletter-inventory"},
		{"pubsubname":"pubsub","topic":"orders-deadletter-inventory","route":"/deadletters/orders"}]`, w.Body.String())
}

func TestOrderEvents(t *testing.T) {
	a := newAPI(t, nil)
	a.restock("rice", 10, 2)
	for _, o := range []string{"cancelled", "expired", "paid", "refunded", "created"} {
		status, body, _ := a.do(http.MethodPost, "/reservations", map[string]any{"order_id": o, "items": []any{item("rice", 2)}})
		require.Equal(t, http.StatusCreated, status, "%v", body)
	}
	// A payment confirms by request (the order service's saga), not by event.
	for _, o := range []string{"paid", "refunded"} {
		status, body, _ := a.do(http.MethodPost, "/reservations/"+o+"/confirm", nil)
		require.Equal(t, http.StatusOK, status, "%v", body)
	}
	paidCancel := orderEvent(event.OrderCancelled, "refunded", 2)
	paidCancel.TxnID = "txn-1"
	status, body, _ := a.do(http.MethodPost, "/reservations", map[string]any{"order_id": "greedy", "items": []any{item("rice", 100)}})
	require.Equal(t, http.StatusConflict, status, "%v", body)
	steps := []struct {
		name string
		data any
		want string
	}{
		{"cancelled", orderEvent(event.OrderCancelled, "cancelled", 2), "SUCCESS"},
		{"cancelled, redelivered", orderEvent(event.OrderCancelled, "cancelled", 2), "SUCCESS"},
		{"expired", orderEvent(event.OrderExpired, "expired", 2), "SUCCESS"},
		{"paid: confirmed by request already, not by the event", orderEvent(event.OrderPaid, "paid", 2), "SUCCESS"},
		{"paid of an order never reserved: not inventory's business either", orderEvent(event.OrderPaid, "ghost", 2), "SUCCESS"},
		{"created: not inventory's business", orderEvent(event.OrderCreated, "created", 2), "SUCCESS"},
		{"unknown type", orderEvent("order.teleported", "created", 2), "SUCCESS"},
		{"cancel of a paid order (txn_id): its refund_due gives the units back", paidCancel, "SUCCESS"},
		{"refund due: the sold units back on sale", orderEvent(event.OrderRefundDue, "refunded", 2), "SUCCESS"},
		{"refund due, redelivered", orderEvent(event.OrderRefundDue, "refunded", 2), "SUCCESS"},
		{"refund due of an order never reserved: nothing to give back", orderEvent(event.OrderRefundDue, "ghost", 2), "SUCCESS"},
		{"refund due with a bad order id", orderEvent(event.OrderRefundDue, "x/1", 2), "DROP"},
		{"cancel after pay without a payment: the sale stands, the disagreement is dead-lettered", orderEvent(event.OrderCancelled, "paid", 2), "DROP"},
		{"data not an object", `"hello"`, "DROP"},
		{"quantity as text", `{"type":"order.cancelled","order_id":"x","items":[{"dish_id":"rice","quantity":"2"}]}`, "DROP"},
		{"cancel of unknown order with a bad period", event.Order{Type: event.OrderCancelled, OrderID: "x1", StoreID: "s1", Period: "noon", Items: []event.Item{{DishID: "rice", Quantity: 1}}}, "DROP"},
		{"cancel with a bad order id", orderEvent(event.OrderCancelled, "x/1", 2), "DROP"},
	}
	for _, st := range steps {
		assert.Equal(t, st.want, a.deliver(st.data), st.name)
	}
	status, body, _ = a.do(http.MethodPost, "/events/orders", `{"id":"e2"}`)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "DROP", body["status"], "an envelope without data")

	s := a.stock("rice")
	assert.EqualValues(t, 2, s["sold"], "the paid order's units; the refunded order's given back once")
	assert.EqualValues(t, 2, s["reserved"], "only the created order still holds")
	assert.EqualValues(t, 6, s["available"], "cancelled, expired and refunded returned once each")
}

func TestOrderEventOnAFaultyStoreIsRetried(t *testing.T) {
	a := newAPI(t, brokenRepo{err: errors.New("sidecar unavailable")})
	for _, typ := range []string{event.OrderCancelled, event.OrderRefundDue} {
		assert.Equal(t, "RETRY", a.deliver(orderEvent(typ, "o1", 1)), typ)
	}
}
