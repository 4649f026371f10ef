package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type order struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	Status     string `json:"status"`
	TotalCents int64  `json:"total_cents"`
	Items      []struct {
		DishID     string `json:"dish_id"`
		Quantity   int64  `json:"quantity"`
		PriceCents int64  `json:"price_cents"`
	} `json:"items"`
}

func orderURL(path string) string { return platform.App("order").URL(path) }

// checkout sends POST /orders as the customer with the key.
func checkout(customer, key string, body any) (response, error) {
	return tryCallWith(http.MethodPost, orderURL("orders"), body, map[string]string{"X-Customer-Id": customer, "Idempotency-Key": key})
}

// saleStore creates a store with one dish and stocks it.
func saleStore(t *testing.T, units, buckets int) (store, dish string) {
	t.Helper()
	s := createStore(t, "Sale "+uuid.NewString()[:8])
	d := createDish(t, s.ID, "Discount chicken rice", "Specials", 990)
	restockDish(t, s.ID, d.ID, units, buckets)
	return s.ID, d.ID
}

func orderBody(store, dish string, qty int) map[string]any {
	return map[string]any{"store_id": store, "period": period, "items": []map[string]any{{"dish_id": dish, "quantity": qty}}}
}

// checkoutSale has `buyers` distinct customers check out one unit each from `workers` clients,
// retrying a 5xx or a refused connection with the same idempotency key as a real client would, and
// returns the ids of the orders created. during runs once, a third of the way in.
func checkoutSale(t *testing.T, store, dish string, buyers, workers int, during func()) map[string]bool {
	t.Helper()
	var (
		mu      sync.Mutex
		created = map[string]bool{}
		soldOut atomic.Int64
		next    atomic.Int64
		once    sync.Once
		wg      sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(buyers) {
					return
				}
				if during != nil && i == int64(buyers/3) {
					once.Do(during)
				}
				customer := fmt.Sprintf("student-%d", i)
				for attempt := 0; ; attempt++ {
					if !assert.Less(t, attempt, 300, "customer %s never got a definite answer", customer) {
						return
					}
					r, err := checkout(customer, "lunch-"+store, orderBody(store, dish, 1))
					if err == nil && (r.Status == http.StatusCreated || r.Status == http.StatusOK) {
						var o order
						assert.NoError(t, json.Unmarshal(r.Body, &o), "%s", r.Body)
						mu.Lock()
						created[o.ID] = true
						mu.Unlock()
						break
					}
					if err == nil && r.Status == http.StatusConflict {
						assert.Equal(t, "sold_out", errorCode(r), "%s", r.Body)
						soldOut.Add(1)
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, buyers-len(created), soldOut.Load(), "every customer got a definite answer")
	return created
}

// auditSale checks that exactly `units` orders are pending payment, stock is 0, and every unit held
// belongs to one of them: initial = sold + reserved + available, and no reservation without an order.
func auditSale(t *testing.T, store, dish string, units int, created map[string]bool) {
	t.Helper()
	assert.Len(t, created, units)
	v := readStock(t, store, dish)
	assert.EqualValues(t, units, v.Reserved)
	assert.EqualValues(t, 0, v.Available)
	require.Len(t, v.Holds, units)
	for _, h := range v.Holds {
		assert.True(t, created[h.OrderID], "a reservation (%s) with no order", h.OrderID)
	}
	r := call(t, http.MethodGet, orderURL("stores/"+store+"/orders?date="+period[:10]), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	listed := decode[struct{ Orders []order }](t, r).Orders
	assert.Len(t, listed, units)
	for _, o := range listed {
		assert.Equal(t, "pending_payment", o.Status)
		assert.True(t, created[o.ID])
	}
}

// The lunch rush: 200 discounted meals, 2,000 students.
func TestCheckoutFlashSale(t *testing.T) {
	store, dish := saleStore(t, 200, 8)
	created := checkoutSale(t, store, dish, 2000, 64, nil)
	auditSale(t, store, dish, 200, created)
}

// The same sale with inventory killed by SIGKILL and restarted mid-run.
func TestCheckoutFlashSaleSurvivesInventoryKill(t *testing.T) {
	store, dish := saleStore(t, 200, 8)
	inv := platform.App("inventory")
	created := checkoutSale(t, store, dish, 2000, 64, func() {
		inv.KillApp()
		assert.NoError(t, inv.StartApp(t.Context())) // runs on a buyer's goroutine: no require
	})
	auditSale(t, store, dish, 200, created)
}

func TestSameIdempotencyKeyFiftyTimesMakesOneOrder(t *testing.T) {
	store, dish := saleStore(t, 100, 1)
	customer, key := "student-"+uuid.NewString()[:8], uuid.NewString()
	ids := make([]string, 50)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			// A burst of duplicates may meet a 503 ("retry with the same Idempotency-Key"); a client
			// does just that. What must hold is one order and one reservation.
			for attempt := 0; attempt < 20; attempt++ {
				r, err := checkout(customer, key, orderBody(store, dish, 2))
				if !assert.NoError(t, err) {
					return
				}
				if r.Status == http.StatusServiceUnavailable {
					time.Sleep(200 * time.Millisecond)
					continue
				}
				var o order
				if assert.Contains(t, []int{200, 201}, r.Status, "%s", r.Body) && assert.NoError(t, json.Unmarshal(r.Body, &o)) {
					ids[i] = o.ID
				}
				return
			}
			t.Errorf("duplicate %d never got an answer other than 503", i)
		})
	}
	wg.Wait()
	for _, id := range ids {
		assert.Equal(t, ids[0], id)
	}
	v := readStock(t, store, dish)
	assert.EqualValues(t, 2, v.Reserved)
	assert.Len(t, v.Holds, 1)
	r, err := tryCallWith(http.MethodGet, orderURL("customers/"+customer+"/orders"), nil, map[string]string{"X-Customer-Id": customer})
	require.NoError(t, err)
	assert.Len(t, decode[struct{ Orders []order }](t, r).Orders, 1)

	// The same key with another body is a client bug, not a new order.
	r, err = checkout(customer, key, orderBody(store, dish, 3))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnprocessableEntity, r.Status)
	assert.Equal(t, "idempotency_key_reused", decode[apiError](t, r).Error.Code)
}

func TestCancelReturnsStockOnce(t *testing.T) {
	store, dish := saleStore(t, 10, 2)
	customer := "student-" + uuid.NewString()[:8]
	r, err := checkout(customer, uuid.NewString(), orderBody(store, dish, 3))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	o := decode[order](t, r)
	assert.EqualValues(t, 2970, o.TotalCents, "the menu's price, not the client's")
	require.EqualValues(t, 7, readStock(t, store, dish).Available)

	as := map[string]string{"X-Customer-Id": customer}
	r, err = tryCallWith(http.MethodPost, orderURL("orders/"+o.ID+"/cancel"), nil, map[string]string{"X-Customer-Id": "someone-else"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, r.Status, "only the customer may cancel")
	r, err = tryCallWith(http.MethodPost, orderURL("orders/"+o.ID+"/cancel"), nil, as)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Equal(t, "cancelled", decode[order](t, r).Status)
	// The stock returns when inventory receives the outbox's order.cancelled event: seconds, or more
	// on a loaded machine.
	poll(t, 60*time.Second, func() bool { return readStock(t, store, dish).Available == 10 }, "the cancel's release")

	// Cancelling again is an illegal move; the cancellation event delivered again changes nothing.
	r, err = tryCallWith(http.MethodPost, orderURL("orders/"+o.ID+"/cancel"), nil, as)
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, r.Status)
	assert.Equal(t, "illegal_transition", decode[apiError](t, r).Error.Code)
	publishOrderEvent(t, "order.cancelled", o.ID, store, dish, 3)
	time.Sleep(time.Second)
	v := readStock(t, store, dish)
	assert.EqualValues(t, 10, v.Available)
	assert.EqualValues(t, 0, v.Reserved)
}

// publishOrderEvent publishes an order event as the order service's outbox does (a redelivery).
func publishOrderEvent(t *testing.T, typ, orderID, store, dish string, qty int) {
	t.Helper()
	r := call(t, http.MethodPost, platform.App("inventory").DaprURL("/v1.0/publish/pubsub/orders"), map[string]any{
		"type": typ, "order_id": orderID, "store_id": store, "period": period,
		"items": []map[string]any{{"dish_id": dish, "quantity": qty, "price_cents": 990}},
	})
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
}

func TestCheckoutBadInputGets4xxAndReservesNothing(t *testing.T) {
	store, dish := saleStore(t, 10, 1)
	other, otherDish := saleStore(t, 10, 1)
	cases := []struct {
		name, customer, key string
		body                any
		status              int
		code, field         string
	}{
		{"malformed JSON", "c1", "k1", `{"store_id":`, 400, "malformed_json", ""},
		{"missing key", "c1", "", orderBody(store, dish, 1), 400, "invalid_argument", "Idempotency-Key"},
		{"missing customer", "", "k1", orderBody(store, dish, 1), 400, "invalid_argument", "X-Customer-Id"},
		{"zero quantity", "c1", "k2", orderBody(store, dish, 0), 400, "invalid_argument", "items[0].quantity"},
		{"huge quantity", "c1", "k3", orderBody(store, dish, 1000), 400, "invalid_argument", "items[0].quantity"},
		{"unknown dish", "c1", "k4", orderBody(store, "caviar", 1), 422, "invalid_argument", "items[0].dish_id"},
		{"another store's dish", "c1", "k5", orderBody(store, otherDish, 1), 422, "invalid_argument", "items[0].dish_id"},
		{"unknown store", "c1", "k6", orderBody("no-such-store", dish, 1), 404, "not_found", "store_id"},
		{"bad period", "c1", "k7", map[string]any{"store_id": store, "period": "lunch", "items": []map[string]any{{"dish_id": dish, "quantity": 1}}}, 400, "invalid_argument", "period"},
		{"price from the client", "c1", "k8", map[string]any{"store_id": store, "period": period, "items": []map[string]any{{"dish_id": dish, "quantity": 1, "price_cents": 1}}}, 400, "invalid_argument", "price_cents"},
		{"delivery without a building", "c1", "k9", withDelivery(orderBody(store, dish, 1), "west", ""), 400, "invalid_argument", "delivery.building"},
		{"delivery to a bad zone", "c1", "k10", withDelivery(orderBody(store, dish, 1), "west side!", "Dorm 5"), 400, "invalid_argument", "delivery.zone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := checkout(tc.customer, tc.key, tc.body)
			require.NoError(t, err)
			assert.Equal(t, tc.status, r.Status, "%s", r.Body)
			e := decode[apiError](t, r)
			assert.Equal(t, tc.code, e.Error.Code)
			assert.Equal(t, tc.field, e.Error.Field)
		})
	}
	for _, s := range [][2]string{{store, dish}, {other, otherDish}} {
		v := readStock(t, s[0], s[1])
		assert.EqualValues(t, 10, v.Available, "nothing was reserved")
		assert.Empty(t, v.Holds)
	}
}

// withDelivery makes a checkout body a delivery order's.
func withDelivery(body map[string]any, zone, building string) map[string]any {
	body["delivery"] = map[string]string{"zone": zone, "building": building}
	return body
}

// A delivery order keeps where it goes, and a retry with the same key and address replays it.
func TestADeliveryCheckoutKeepsWhereItGoes(t *testing.T) {
	store, dish := saleStore(t, 10, 1)
	customer, key := "student-"+uuid.NewString()[:8], uuid.NewString()
	body := withDelivery(orderBody(store, dish, 1), "west", "Dorm 5")
	r, err := checkout(customer, key, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	type withWhere struct {
		order
		Delivery struct{ Zone, Building string } `json:"delivery"`
	}
	o := decode[withWhere](t, r)
	assert.Equal(t, "west", o.Delivery.Zone)
	assert.Equal(t, "Dorm 5", o.Delivery.Building)
	r, err = checkout(customer, key, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Equal(t, o, decode[withWhere](t, r))
	r, err = checkout(customer, key, withDelivery(orderBody(store, dish, 1), "west", "Dorm 6"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnprocessableEntity, r.Status, "another address with the same key: %s", r.Body)
}
