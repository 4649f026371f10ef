package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/inventory/httpapi"
	"github.com/canteen/canteen/services/inventory/sidecar"
	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// cancelledOrders answers every order as cancelled, counting the calls.
type cancelledOrders struct{ calls atomic.Int64 }

func (c *cancelledOrders) Statuses(_ context.Context, ids []string) (map[string]stock.OrderState, error) {
	c.calls.Add(1)
	out := map[string]stock.OrderState{}
	for _, id := range ids {
		out[id] = stock.OrderState{Status: stock.OrderCancelled, CreatedAt: time.Now()}
	}
	return out, nil
}

// The job tick and the operator endpoints: a tick sweeps, an unknown job is acknowledged and
// ignored, POST /ops/reconcile sweeps now and GET /ops/reconcile answers the last report.
func TestReconcileJobAndOpsEndpoints(t *testing.T) {
	mem := stocktest.NewMemory()
	svc := stock.NewService(mem, &stocktest.Events{}, quiet, 0)
	orders := &cancelledOrders{}
	r := httpserver.NewEngine("inventory", quiet)
	httpapi.Register(r, svc, quiet)
	rec := stock.NewReconciler(svc, orders, stock.ReconcileConfig{PaymentTimeout: time.Minute}, quiet)
	httpapi.RegisterOps(r, rec, quiet)
	sidecar.RegisterCallbacks(r, rec, quiet)
	send := func(method, path, body string) (int, map[string]any) {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)))
		var out map[string]any
		if w.Body.Len() > 0 {
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), "%s", w.Body)
		}
		return w.Code, out
	}
	reserve := func(order string) {
		code, body := send(http.MethodPost, "/reservations", `{"order_id":"`+order+`","items":[{"store_id":"s1","dish_id":"rice","period":"`+period+`","quantity":2}]}`)
		require.Equal(t, http.StatusCreated, code, body)
	}

	code, body := send(http.MethodGet, "/ops/reconcile", "")
	assert.Equal(t, http.StatusNotFound, code, body)
	code, body = send(http.MethodPost, "/stock/restock", `{"store_id":"s1","dish_id":"rice","period":"`+period+`","quantity":10,"restock_id":"r1"}`)
	require.Equal(t, http.StatusOK, code, body)
	reserve("o1")

	code, _ = send(http.MethodPost, "/job/something-else", "{}")
	assert.Equal(t, http.StatusOK, code)
	assert.Zero(t, orders.calls.Load(), "an unknown job sweeps nothing")

	code, _ = send(http.MethodPost, "/job/"+sidecar.ReconcileJob, "{}")
	assert.Equal(t, http.StatusOK, code)
	assert.EqualValues(t, 1, orders.calls.Load())
	code, body = send(http.MethodGet, "/ops/reconcile", "")
	require.Equal(t, http.StatusOK, code, body)
	assert.EqualValues(t, 1, body["released"])
	assert.Equal(t, map[string]any{"order_cancelled": 1.0}, body["by_reason"])
	assert.Equal(t, map[string]any{"items": 1.0, "holds": 1.0, "orders": 1.0}, body["checked"])
	fixes := body["fixes"].([]any)
	require.Len(t, fixes, 1)
	assert.Equal(t, "o1", fixes[0].(map[string]any)["order_id"])

	reserve("o2")
	code, body = send(http.MethodPost, "/ops/reconcile", "")
	require.Equal(t, http.StatusOK, code, body)
	assert.EqualValues(t, 1, body["released"])
	assert.EqualValues(t, 0, body["errors"])
	code, body = send(http.MethodPost, "/ops/reconcile", `{"unexpected":1}`)
	assert.Equal(t, http.StatusBadRequest, code, body)
}
