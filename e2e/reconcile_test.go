package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reconcilePeriod bounds "within one reconciler period": dapr.yaml runs inventory's reconciler job
// every 5 s; a sweep then needs a moment, and the job's first tick may wait a period.
const reconcilePeriod = 15 * time.Second

// reconcileReport is GET/POST /ops/reconcile's answer, as far as these tests read it.
type reconcileReport struct {
	Checked                    struct{ Items, Holds, Orders int }
	Released, Repaired, Errors int
	ByReason                   map[string]int `json:"by_reason"`
	Fixes                      []struct {
		OrderID string `json:"order_id"`
		Reason  string `json:"reason"`
	}
}

// placeOrders has n customers check out qty units each and returns their order ids and customers.
func placeOrders(t *testing.T, store, dish string, n, qty int) map[string]string {
	t.Helper()
	orders := map[string]string{}
	for range n {
		customer := "rc-" + uuid.NewString()[:8]
		r, err := checkout(customer, uuid.NewString(), orderBody(store, dish, qty))
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		orders[decode[order](t, r).ID] = customer
	}
	return orders
}

func cancelOrder(t *testing.T, id, customer string) {
	t.Helper()
	r, err := tryCallWith(http.MethodPost, orderURL("orders/"+id+"/cancel"), nil, map[string]string{"X-Customer-Id": customer})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
}

// poll calls done in the test's own goroutine (so that it may use require) until it is true, for
// at most timeout.
func poll(t *testing.T, timeout time.Duration, done func() bool, why string) {
	t.Helper()
	for end := time.Now().Add(timeout); !done(); time.Sleep(200 * time.Millisecond) {
		require.True(t, time.Now().Before(end), "not within %s: %s", timeout, why)
	}
}

// allBackOnSale waits up to one reconciler period for the dish to hold nothing, with the audit
// (restocked = sold + reserved + available) checked at every read.
func allBackOnSale(t *testing.T, store, dish string, units int64, why string) {
	t.Helper()
	poll(t, reconcilePeriod, func() bool {
		v, ok := tryReadStock(t, store, dish)
		return ok && v.Available == units && v.Reserved == 0 && len(v.Holds) == 0
	}, why)
	v := readStock(t, store, dish)
	assert.EqualValues(t, units, v.Restocked)
	assert.Zero(t, v.Sold)
}

// editState reads key from app's state store through its sidecar, lets change edit the JSON
// value, and writes it back with its ETag and first-write: the way a killed process's last write
// would have left it, without any of the service's own code running. The service's own background
// writes (the order's clear of its published events) may land between the read and the write; an
// ETag conflict then reads again and edits the fresh value, as any writer of the record must.
func editState(t *testing.T, app, store, key string, change func(map[string]any)) {
	t.Helper()
	a := platform.App(app)
	var r response
	for range 5 {
		v, etag := readState(t, a.DaprURL(fmt.Sprintf("/v1.0/state/%s/%s", store, key)))
		change(v)
		r = call(t, http.MethodPost, a.DaprURL("/v1.0/state/"+store), []map[string]any{{
			"key": key, "value": v, "etag": etag, "options": map[string]string{"concurrency": "first-write", "consistency": "strong"},
		}})
		if r.Status != http.StatusConflict {
			break
		}
	}
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
}

// readState reads one state value and its ETag through a sidecar's state API.
func readState(t *testing.T, url string) (map[string]any, string) {
	t.Helper()
	resp, err := httpClient.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "state %s should exist", url)
	var v map[string]any
	require.NoError(t, jsonDecode(resp, &v))
	etag := resp.Header.Get("ETag")
	require.NotEmpty(t, etag)
	return v, etag
}

// Orders cancelled while their cancel events are lost: the order service's records say
// cancelled, no event ever reaches inventory, and the reconciler alone puts every unit back.
func TestReconcilerReleasesStockOfOrdersCancelledWithoutAnEvent(t *testing.T) {
	store, dish := saleStore(t, 12, 4)
	orders := placeOrders(t, store, dish, 4, 3)
	require.EqualValues(t, 0, readStock(t, store, dish).Available)
	for id := range orders {
		// The order's own record turned cancelled without its outbox event: a plain state save
		// through the order's sidecar is no transaction, so the outbox publishes nothing.
		editState(t, "order", "orderstore", "order:"+id, func(o map[string]any) { o["status"] = "cancelled" })
	}
	// No event is published for these changes; only the reconciler's sweep (every 5 s here, so it
	// may already have run) can release their units.

	allBackOnSale(t, store, dish, 12, "the reconciler's job releases every cancelled order's units")
	for id, customer := range orders {
		r, err := tryCallWith(http.MethodGet, orderURL("orders/"+id), nil, map[string]string{"X-Customer-Id": customer})
		require.NoError(t, err)
		assert.Equal(t, "cancelled", decode[order](t, r).Status)
	}
}

// Orders cancelled while inventory's app and sidecar are down: when inventory is back, every unit
// is on sale again within one reconciler period, whichever of the event and the sweep gets there.
func TestStockReturnsAfterCancelsWhileInventoryWasDown(t *testing.T) {
	store, dish := saleStore(t, 8, 4)
	orders := placeOrders(t, store, dish, 8, 1)
	inv := platform.App("inventory")
	inv.KillApp()
	inv.KillSidecar()
	for id, customer := range orders {
		cancelOrder(t, id, customer)
	}
	require.NoError(t, inv.StartApp(t.Context()))
	require.NoError(t, inv.StartSidecar(t.Context()))
	allBackOnSale(t, store, dish, 8, "every unit back on sale after inventory's restart")
}

// Hole 3: a duplicate Reserve of a cancelled order ran late, after the cancel's release, took a
// hold and was killed before it could notice the released record. Its hold is injected as it
// would be left (the bucket alone, through inventory's sidecar); nothing but the reconciler will
// ever release it, and it does within one period.
func TestReconcilerReleasesHoldOfKilledLateDuplicate(t *testing.T) {
	store, dish := saleStore(t, 10, 1)
	orders := placeOrders(t, store, dish, 1, 3)
	var id string
	for id = range orders {
		cancelOrder(t, id, orders[id])
	}
	poll(t, 60*time.Second, func() bool { return readStock(t, store, dish).Available == 10 }, "the cancel event's release")

	editState(t, "inventory", "statestore", fmt.Sprintf("stock:%s:%s:%s:0", store, dish, period), func(b map[string]any) {
		holds, _ := b["holds"].(map[string]any)
		if holds == nil {
			holds = map[string]any{}
		}
		holds[id] = 3
		b["holds"] = holds
		b["available"] = b["available"].(float64) - 3
	})
	v := readStock(t, store, dish)
	require.Len(t, v.Holds, 1, "the leak this test is about")
	require.EqualValues(t, 7, v.Available)

	allBackOnSale(t, store, dish, 10, "the reconciler repairs the hold its released record disowns")
}

// POST /ops/reconcile runs a sweep at once and answers what it did; GET answers the last report.
func TestReconcileOpsEndpoint(t *testing.T) {
	store, dish := saleStore(t, 5, 1)
	orders := placeOrders(t, store, dish, 1, 2)
	var id string
	for id = range orders {
		editState(t, "order", "orderstore", "order:"+id, func(o map[string]any) { o["status"] = "expired" })
	}
	var rep reconcileReport
	poll(t, reconcilePeriod, func() bool {
		r := call(t, http.MethodPost, invURL("ops/reconcile"), nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		require.NoError(t, json.Unmarshal(r.Body, &rep))
		for _, f := range rep.Fixes {
			if f.OrderID == id {
				assert.Equal(t, "order_expired", f.Reason)
				return true
			}
		}
		// A job's sweep may have fixed it first: then the stock is back already.
		return readStock(t, store, dish).Available == 5
	}, "a sweep releases the expired order")
	assert.Positive(t, rep.Checked.Items)
	allBackOnSale(t, store, dish, 5, "released")

	r := call(t, http.MethodGet, invURL("ops/reconcile"), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Positive(t, decode[reconcileReport](t, r).Checked.Items)
}
