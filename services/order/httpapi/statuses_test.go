package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/order/httpapi"
	"github.com/canteen/canteen/services/order/ordering"
	"github.com/canteen/canteen/services/order/ordering/ordertest"
)

// POST /orders/statuses lives beside POST /orders/:id/cancel, answers known orders only, and
// refuses bad ids with a 400 naming the field.
func TestStatusesEndpoint(t *testing.T) {
	created := time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := httpserver.NewEngine("order", quiet)
	store := ordertest.NewMemory()
	require.NoError(t, store.Create(context.Background(), ordering.Order{ID: "o1", Status: ordering.Cancelled, CreatedAt: created}))
	httpapi.Register(r, ordering.NewService(ordering.Deps{Repository: store, Publisher: store, Log: quiet}, time.Minute), quiet)

	post := func(body string) (int, map[string]any) {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/orders/statuses", strings.NewReader(body)))
		var out map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), "%s", w.Body)
		return w.Code, out
	}
	code, out := post(`{"order_ids": ["o1", "o2"]}`)
	require.Equal(t, http.StatusOK, code, out)
	assert.Equal(t, map[string]any{"o1": map[string]any{"status": "cancelled", "created_at": "2026-11-25T11:00:00Z"}}, out["orders"])

	code, out = post(`{"order_ids": ["o1", "a||b"]}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "order_ids[1]", out["error"].(map[string]any)["field"])
	code, _ = post(`{"order_ids": "o1"}`)
	assert.Equal(t, http.StatusBadRequest, code)
}
