package e2e

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hole 6: identical concurrent checkouts store one order and publish exactly one order.created,
// counted at a real subscriber. (The order's first write is create-only in the store itself.)
func TestIdenticalConcurrentCheckoutsPublishOneOrderCreated(t *testing.T) {
	pr := theProbe(t)
	store, dish := saleStore(t, 50, 1)
	customer, key := "student-"+uuid.NewString()[:8], uuid.NewString()
	ids := make([]string, 5)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			for range 20 { // a 503 means "retry with the same key", as a client does
				r, err := checkout(customer, key, orderBody(store, dish, 1))
				if !assert.NoError(t, err) {
					return
				}
				if r.Status == http.StatusServiceUnavailable {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				var o order
				if assert.Contains(t, []int{200, 201}, r.Status, "%s", r.Body) && assert.NoError(t, json.Unmarshal(r.Body, &o)) {
					ids[i] = o.ID
				}
				return
			}
		})
	}
	wg.Wait()
	require.NotEmpty(t, ids[0])
	for _, id := range ids {
		assert.Equal(t, ids[0], id)
	}
	require.Eventually(t, func() bool { return len(pr.of(ids[0])) > 0 }, 30*time.Second, 50*time.Millisecond)
	time.Sleep(2 * time.Second) // time for any second event to arrive
	assert.Equal(t, []string{"order.created"}, pr.of(ids[0]))
}

// Hole 7: inventory's record decides between a cancel and a payment. Once inventory sold an
// order's units, the order cannot be cancelled (409 stock_sold, nothing published), and an
// order.cancelled event that disagrees with inventory's record is not acked silently: it goes to
// inventory's dead-letter topic and is listed for an operator, and the sale stands.
func TestInventorysRecordDecidesBetweenCancelAndPayment(t *testing.T) {
	pr := theProbe(t)
	store, dish := saleStore(t, 10, 1)
	customer := "student-" + uuid.NewString()[:8]
	r, err := checkout(customer, uuid.NewString(), orderBody(store, dish, 2))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	o := decode[order](t, r)

	// The payment side confirms at inventory first (the payment service does this; here by hand).
	r = call(t, http.MethodPost, invURL("reservations/"+o.ID+"/confirm"), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)

	r, err = tryCallWith(http.MethodPost, orderURL("orders/"+o.ID+"/cancel"), nil, map[string]string{"X-Customer-Id": customer})
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, r.Status, "%s", r.Body)
	assert.Equal(t, "stock_sold", errorCode(r))
	r, err = tryCallWith(http.MethodGet, orderURL("orders/"+o.ID), nil, map[string]string{"X-Customer-Id": customer})
	require.NoError(t, err)
	assert.Equal(t, "pending_payment", decode[order](t, r).Status, "the refused cancel changed nothing")

	time.Sleep(time.Second) // time for a wrongly published order.cancelled to reach the probe
	assert.Equal(t, []string{"order.created"}, pr.of(o.ID), "the refused cancel published nothing")

	publishOrderEvent(t, "order.cancelled", o.ID, store, dish, 2) // a cancel that raced the payment
	var letter struct {
		ID      string          `json:"id"`
		Topic   string          `json:"topic"`
		EventID string          `json:"event_id"`
		Data    json.RawMessage `json:"data"`
	}
	poll(t, time.Minute, func() bool {
		r := call(t, http.MethodGet, invURL("ops/deadletters"), nil)
		var list struct {
			Letters []json.RawMessage `json:"letters"`
		}
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &list) != nil {
			return false
		}
		for _, raw := range list.Letters {
			if json.Unmarshal(raw, &letter) == nil && json.Valid(letter.Data) && containsOrder(letter.Data, o.ID) {
				return true
			}
		}
		return false
	}, "the disagreeing event is kept and listed in inventory's dead letters")
	assert.Equal(t, "orders", letter.Topic)
	v := readStock(t, store, dish)
	assert.EqualValues(t, 2, v.Sold, "the sale stands")
	assert.EqualValues(t, 8, v.Available)

	// Replaying it changes nothing either: the handler refuses it again and it stays listed.
	r = call(t, http.MethodPost, invURL("ops/deadletters/"+letter.ID+"/replay"), nil)
	assert.Equal(t, http.StatusConflict, r.Status, "%s", r.Body)
	assert.EqualValues(t, 2, readStock(t, store, dish).Sold)
	r = call(t, http.MethodDelete, invURL("ops/deadletters/"+letter.ID), nil)
	assert.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
}

func containsOrder(data json.RawMessage, id string) bool {
	var e struct {
		OrderID string `json:"order_id"`
	}
	return json.Unmarshal(data, &e) == nil && e.OrderID == id
}
