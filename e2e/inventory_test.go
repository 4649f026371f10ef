package e2e

import (
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

const period = "2026-11-25.lunch"

type stockView struct {
	Restocked, Sold, Reserved, Available int64
	Buckets                              int
	Holds                                []struct {
		OrderID  string `json:"order_id"`
		Quantity int64  `json:"quantity"`
	}
}

func invURL(path string) string { return platform.App("inventory").URL(path) }

func restockDish(t *testing.T, store, dish string, qty, buckets int) {
	t.Helper()
	r := call(t, http.MethodPost, invURL("stock/restock"), map[string]any{
		"store_id": store, "dish_id": dish, "period": period, "quantity": qty, "restock_id": uuid.NewString(), "buckets": buckets,
	})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
}

// tryReadStock is readStock for polls across a restart: ok is false while inventory cannot answer
// yet (its app reconnecting to a restarted sidecar answers 503 for a moment); the audit is checked
// on every answer.
func tryReadStock(t *testing.T, store, dish string) (stockView, bool) {
	t.Helper()
	r, err := tryCall(http.MethodGet, invURL(fmt.Sprintf("stock/%s/%s/%s", store, dish, period)), nil)
	if err != nil || r.Status == http.StatusServiceUnavailable {
		return stockView{}, false
	}
	return readStock(t, store, dish), true
}

// readStock reads a dish's stock and checks the audit: restocked = sold + reserved + available,
// nothing negative, and the holds add up to reserved.
func readStock(t *testing.T, store, dish string) stockView {
	t.Helper()
	r := call(t, http.MethodGet, invURL(fmt.Sprintf("stock/%s/%s/%s", store, dish, period)), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	v := decode[stockView](t, r)
	var held int64
	for _, h := range v.Holds {
		held += h.Quantity
	}
	require.Equal(t, v.Restocked, v.Sold+v.Reserved+v.Available, "stock audit: %+v", v)
	require.GreaterOrEqual(t, v.Available, int64(0))
	require.Equal(t, v.Reserved, held)
	return v
}

func reserveBody(order, store, dish string, qty int) map[string]any {
	return map[string]any{"order_id": order, "items": []map[string]any{{"store_id": store, "dish_id": dish, "period": period, "quantity": qty}}}
}

// flashSale sends buyers reservations of one unit each from `workers` concurrent clients, retrying
// transient failures (5xx, a restarting app) with the same order id as a real client would, and
// returns the orders that got a reservation. during runs once, mid-sale.
func flashSale(t *testing.T, store, dish string, buyers, workers int, during func()) map[string]bool {
	t.Helper()
	var (
		mu       sync.Mutex
		reserved = map[string]bool{}
		soldOut  atomic.Int64
		next     atomic.Int64
		wg       sync.WaitGroup
		once     sync.Once
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
				order := fmt.Sprintf("%s-buyer-%d", store, i)
				for attempt := 0; ; attempt++ {
					if !assert.Less(t, attempt, 200, "order %s never got a definite answer", order) {
						return
					}
					r, err := tryCall(http.MethodPost, invURL("reservations"), reserveBody(order, store, dish, 1))
					if err == nil && r.Status == http.StatusCreated {
						mu.Lock()
						reserved[order] = true
						mu.Unlock()
						break
					}
					if err == nil && r.Status == http.StatusConflict {
						assert.Equal(t, "sold_out", errorCode(r), "%s", r.Body)
						soldOut.Add(1)
						break
					}
					time.Sleep(50 * time.Millisecond) // a 5xx or a connection refused while the app restarts
				}
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, buyers-len(reserved), soldOut.Load(), "every buyer got a definite answer")
	return reserved
}

// 2,000 buyers, 200 units: exactly 200 reservations, stock 0, everyone else a clear sold_out 409.
func TestFlashSaleSellsExactlyTheStock(t *testing.T) {
	for _, buckets := range []int{1, 16} {
		t.Run(fmt.Sprintf("%d buckets", buckets), func(t *testing.T) {
			store := "flash-" + uuid.NewString()[:8]
			restockDish(t, store, "chicken", 200, buckets)
			reserved := flashSale(t, store, "chicken", 2000, 64, nil)
			assert.Len(t, reserved, 200)
			v := readStock(t, store, "chicken")
			assert.EqualValues(t, 200, v.Reserved)
			assert.EqualValues(t, 0, v.Available)
			assert.Len(t, v.Holds, 200)
			for _, h := range v.Holds {
				assert.True(t, reserved[h.OrderID], "hold of %s, who was told sold out", h.OrderID)
			}
		})
	}
}

// The same sale while inventory is killed with SIGKILL and restarted mid-run: no oversell, and
// every hold belongs to a buyer who was told "reserved" (clients retry with the same order id).
func TestFlashSaleSurvivesInventoryKill(t *testing.T) {
	store := "crash-" + uuid.NewString()[:8]
	restockDish(t, store, "chicken", 200, 8)
	inv := platform.App("inventory")
	reserved := flashSale(t, store, "chicken", 2000, 64, func() {
		inv.KillApp()
		assert.NoError(t, inv.StartApp(t.Context())) // runs on a buyer's goroutine: no require
	})
	assert.Len(t, reserved, 200)
	v := readStock(t, store, "chicken")
	assert.EqualValues(t, 0, v.Available)
	assert.Len(t, v.Holds, 200)
	for _, h := range v.Holds {
		assert.EqualValues(t, 1, h.Quantity)
		assert.True(t, reserved[h.OrderID], "hold of %s, who was told sold out", h.OrderID)
	}
}

func TestSameReservationFiftyTimesHoldsOnce(t *testing.T) {
	store := "idem-" + uuid.NewString()[:8]
	restockDish(t, store, "noodles", 100, 4)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			r := call(t, http.MethodPost, invURL("reservations"), reserveBody(store+"-order", store, "noodles", 3))
			assert.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		})
	}
	wg.Wait()
	v := readStock(t, store, "noodles")
	assert.EqualValues(t, 3, v.Reserved)
	assert.EqualValues(t, 97, v.Available)
	assert.Len(t, v.Holds, 1)
}

// Cancellation arrives as an order event, at least once: delivered twice, it returns stock once,
// and the released order can never hold stock again.
func TestCancelledOrderEventReturnsStockOnce(t *testing.T) {
	store := "cancel-" + uuid.NewString()[:8]
	restockDish(t, store, "dumplings", 10, 2)
	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, invURL("reservations"), reserveBody(store+"-keep", store, "dumplings", 2)).Status)
	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, invURL("reservations"), reserveBody(store+"-cancel", store, "dumplings", 3)).Status)
	cancelled := map[string]any{
		"type": "order.cancelled", "order_id": store + "-cancel", "store_id": store, "period": period, "status": "cancelled",
		"items": []map[string]any{{"dish_id": "dumplings", "quantity": 3, "price_cents": 500}},
	}
	for range 2 {
		r := call(t, http.MethodPost, platform.App("inventory").DaprURL("/v1.0/publish/pubsub/orders"), cancelled)
		require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
	}
	poll(t, 60*time.Second, func() bool { return readStock(t, store, "dumplings").Available == 8 }, "the cancel event's release")
	time.Sleep(time.Second) // the duplicate's chance to wrongly return the units a second time
	v := readStock(t, store, "dumplings")
	assert.EqualValues(t, 8, v.Available)
	assert.EqualValues(t, 2, v.Reserved)

	r := call(t, http.MethodPost, invURL("reservations"), reserveBody(store+"-cancel", store, "dumplings", 3))
	assert.Equal(t, http.StatusConflict, r.Status)
	assert.Equal(t, "released", decode[apiError](t, r).Error.Code)
	assert.EqualValues(t, 8, readStock(t, store, "dumplings").Available)
}

func TestReservationBadInputGets4xxAndHoldsNothing(t *testing.T) {
	store := "strict-" + uuid.NewString()[:8]
	restockDish(t, store, "rice", 10, 1)
	item := func(dish string, qty any) map[string]any {
		return map[string]any{"store_id": store, "dish_id": dish, "period": period, "quantity": qty}
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"malformed JSON", `{"order_id":`, 400, "malformed_json", ""},
		{"missing order id", map[string]any{"items": []any{item("rice", 1)}}, 400, "invalid_argument", "order_id"},
		{"no items", map[string]any{"order_id": "o1", "items": []any{}}, 400, "invalid_argument", "items"},
		{"zero quantity", map[string]any{"order_id": "o1", "items": []any{item("rice", 0)}}, 400, "invalid_argument", "items[0].quantity"},
		{"huge quantity", map[string]any{"order_id": "o1", "items": []any{item("rice", 1000000)}}, 400, "invalid_argument", "items[0].quantity"},
		{"quantity as text", map[string]any{"order_id": "o1", "items": []any{item("rice", "2")}}, 400, "invalid_argument", "items.quantity"},
		{"bad period", map[string]any{"order_id": "o1", "items": []any{map[string]any{"store_id": store, "dish_id": "rice", "period": "lunch", "quantity": 1}}}, 400, "invalid_argument", "items[0].period"},
		{"unknown dish", map[string]any{"order_id": "o1", "items": []any{item("rice", 1), item("caviar", 1)}}, 404, "unknown_stock", "items[1]"},
		{"more than there is", map[string]any{"order_id": "o2", "items": []any{item("rice", 11)}}, 409, "sold_out", "items[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if m, ok := body.(map[string]any); ok && m["order_id"] != nil {
				m["order_id"] = store + "-" + m["order_id"].(string) // order ids outlive a test run in the store
			}
			r := call(t, http.MethodPost, invURL("reservations"), body)
			assert.Equal(t, tc.status, r.Status, "%s", r.Body)
			e := decode[apiError](t, r)
			assert.Equal(t, tc.code, e.Error.Code)
			assert.Equal(t, tc.field, e.Error.Field)
		})
	}
	v := readStock(t, store, "rice")
	assert.EqualValues(t, 10, v.Available, "nothing was held by refused requests")
	assert.Empty(t, v.Holds)
}
