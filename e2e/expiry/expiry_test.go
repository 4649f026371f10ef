// Package expiry tests that unpaid orders expire and return their stock, with a payment timeout
// of seconds (its own platform, so that the main suite's orders do not expire under it).
package expiry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/internal/harness"
)

var platform *harness.Platform

func TestMain(m *testing.M) {
	os.Exit(harness.Run(m, harness.Options{Env: map[string]map[string]string{"order": {"ORDER_PAYMENT_TIMEOUT": "3s"}}}, &platform))
}

const period = "2026-11-25.dinner"

// send calls url through Dapr with a JSON body and headers, and decodes a JSON answer into out.
func send(t *testing.T, method, url string, body any, headers map[string]string, out any) int {
	t.Helper()
	code, raw, err := trySend(method, url, body, headers)
	require.NoError(t, err)
	if out != nil && code < 300 {
		require.NoError(t, json.Unmarshal(raw, out), "%s", raw)
	}
	return code
}

// trySend is send for goroutines, where a test may not stop: the caller checks the error.
func trySend(method, url string, body any, headers map[string]string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

type stock struct{ Restocked, Reserved, Available int64 }

// onSale puts a new store with one dish on the menu and restocks the dish for period with
// quantity units (over buckets buckets, when more than 0); it answers the store's and the dish's
// ids and the URL of the dish's stock.
func onSale(t *testing.T, store, dish string, price, quantity, buckets int) (storeID, dishID, stockURL string) {
	t.Helper()
	menu, inv := platform.App("menu"), platform.App("inventory")
	var st, d struct{ ID string }
	require.Equal(t, 201, send(t, "POST", menu.URL("stores"), map[string]any{"name": store, "zone": "west"}, nil, &st))
	require.Equal(t, 201, send(t, "POST", menu.URL("stores/"+st.ID+"/dishes"), map[string]any{"name": dish, "category": "Dinner", "price_cents": price}, nil, &d))
	restock := map[string]any{"store_id": st.ID, "dish_id": d.ID, "period": period, "quantity": quantity, "restock_id": uuid.NewString()}
	if buckets > 0 {
		restock["buckets"] = buckets
	}
	require.Equal(t, 200, send(t, "POST", inv.URL("stock/restock"), restock, nil, nil))
	return st.ID, d.ID, inv.URL(fmt.Sprintf("stock/%s/%s/%s", st.ID, d.ID, period))
}

// An unpaid order expires after the payment timeout through a Dapr job, its stock returns once,
// and the expiry event delivered again changes nothing.
func TestUnpaidOrderExpiresAndReturnsStockOnce(t *testing.T) {
	inv, ord := platform.App("inventory"), platform.App("order")
	storeID, dishID, stockURL := onSale(t, "Night Canteen", "Congee", 600, 10, 0)
	read := func() stock {
		var s stock
		require.Equal(t, 200, send(t, "GET", stockURL, nil, nil, &s))
		return s
	}

	customer := "night-owl-" + uuid.NewString()[:8]
	as := map[string]string{"X-Customer-Id": customer, "Idempotency-Key": uuid.NewString()}
	var o struct{ ID, Status string }
	require.Equal(t, 201, send(t, "POST", ord.URL("orders"), map[string]any{"store_id": storeID, "period": period, "items": []map[string]any{{"dish_id": dishID, "quantity": 4}}}, as, &o))
	assert.EqualValues(t, 4, read().Reserved)

	require.Eventually(t, func() bool {
		var got struct{ Status string }
		send(t, "GET", ord.URL("orders/"+o.ID), nil, as, &got)
		return got.Status == "expired"
	}, 60*time.Second, 250*time.Millisecond, "the order should expire after its 3 s payment timeout")
	require.Eventually(t, func() bool { return read().Available == 10 }, 30*time.Second, 100*time.Millisecond)

	// The expiry event delivered a second time, and the order's job firing again: nothing changes.
	event := map[string]any{"type": "order.expired", "order_id": o.ID, "store_id": storeID, "period": period, "items": []map[string]any{{"dish_id": dishID, "quantity": 4, "price_cents": 600}}}
	require.Equal(t, 204, send(t, "POST", inv.DaprURL("/v1.0/publish/pubsub/orders"), event, nil, nil))
	time.Sleep(2 * time.Second)
	s := read()
	assert.EqualValues(t, 10, s.Available)
	assert.EqualValues(t, 0, s.Reserved)

	// An expired order cannot be cancelled any more.
	assert.Equal(t, http.StatusConflict, send(t, "POST", ord.URL("orders/"+o.ID+"/cancel"), nil, as, nil))
}
