// Helpers of the sidecar tests that go through the Dapr API.
package sidecar_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const period = "2026-11-25.lunch"

var httpClient = &http.Client{Timeout: 30 * time.Second}

// send calls the inventory app through its Dapr sidecar, as a client does, and returns the status
// and body; err is a transport failure.
func send(method, path string, body any) (int, []byte, error) {
	return sendURL(method, platform.App("inventory").URL(path), body)
}

func sendURL(method, url string, body any) (int, []byte, error) {
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
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

func mustSend(t *testing.T, method, path string, body any, want int) []byte {
	t.Helper()
	status, raw, err := send(method, path, body)
	require.NoError(t, err)
	require.Equal(t, want, status, "%s %s: %s", method, path, raw)
	return raw
}

type stockView struct {
	Restocked, Sold, Reserved, Available int64
	Buckets                              int
	Holds                                []struct {
		OrderID  string `json:"order_id"`
		Quantity int64  `json:"quantity"`
	}
}

// readStock reads a dish's stock and checks the audit: units add up, nothing negative.
func readStock(t *testing.T, store, dish string) stockView {
	t.Helper()
	var v stockView
	require.NoError(t, json.Unmarshal(mustSend(t, http.MethodGet, fmt.Sprintf("stock/%s/%s/%s", store, dish, period), nil, http.StatusOK), &v))
	require.Equal(t, v.Restocked, v.Sold+v.Reserved+v.Available, "stock audit: %+v", v)
	require.GreaterOrEqual(t, v.Available, int64(0))
	return v
}

func reservation(order, store, dish string, qty int) map[string]any {
	return map[string]any{"order_id": order, "items": []map[string]any{{"store_id": store, "dish_id": dish, "period": period, "quantity": qty}}}
}

func errorCode(raw []byte) string {
	var e struct{ Error struct{ Code, Field string } }
	_ = json.Unmarshal(raw, &e)
	return e.Error.Code
}

// 200 units, 2,000 buyers of one unit from 64 concurrent clients through Dapr: exactly 200 get a
// reservation, everyone else a 409 sold_out; the stock shows 200 holds, each of a buyer told
// "reserved". A 503 (contention) is retried with the same order id, as a client would.
