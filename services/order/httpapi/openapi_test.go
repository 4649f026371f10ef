package httpapi

// The order API's contract is services/order/openapi.yaml, a hand-written OpenAPI 3.1 document:
// the source of truth a client, or a rewrite in another language, is held to. We check Go against
// it rather than generate Go from it, so that the Go types stay the plain, reviewed ones; these
// tests fail when the two disagree (see services/internal/apidoc): the routes gin serves, the JSON
// of every request and response type, the error codes the package can write, the order statuses,
// and real answers of the handlers over small in-memory fakes validated against the document.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/apidoc"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/orderapi"
	"github.com/canteen/canteen/services/order/ordering"
	"github.com/canteen/canteen/services/order/ordering/ordertest"
)

const openAPI = "../openapi.yaml"

func TestOpenAPIDocumentMatchesTheOrderAPI(t *testing.T) {
	r := httpserver.NewEngine("order", slog.New(slog.NewTextHandler(io.Discard, nil)))
	Register(r, nil, nil)
	doc := apidoc.Check(t, openAPI, r, map[string]any{
		"CheckoutRequest":  checkoutRequest{},
		"Order":            orderResponse{},
		"OrderList":        listResponse{},
		"StatusesRequest":  orderapi.StatusesRequest{},
		"StatusesResponse": orderapi.StatusesResponse{},
	})
	var statuses []string
	for _, c := range apidoc.Consts(t, "../ordering") {
		if c.Type == "Status" {
			statuses = append(statuses, c.Value)
		}
	}
	assert.ElementsMatch(t, statuses, doc.Enum(t, "Order", "status"), "Order.status must list exactly ordering's statuses")
	assert.ElementsMatch(t, apidoc.Values(t, "../ordering", "WarningCode"), doc.Enum(t, "Warning", "code"),
		"Warning.code must list exactly ordering's warning codes")
}

func TestOrderAnswersAreValidByTheOpenAPIDocument(t *testing.T) {
	doc := apidoc.Load(t, openAPI)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := httpserver.NewEngine("order", quiet)
	store := ordertest.NewMemory()
	Register(r, ordering.NewService(ordering.Deps{Repository: store, Publisher: store, Menu: openapiMenu{}, Inventory: openapiInventory{},
		Scheduler: openapiScheduler{}, Log: quiet}, time.Minute), quiet)

	do := func(t *testing.T, method, path, customer, key, body string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if customer != "" {
			req.Header.Set("X-Customer-Id", customer)
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		return doc.Do(t, r, req)
	}
	order := func(store, dish string, qty int) string {
		return `{"store_id":"` + store + `","period":"2026-11-25.lunch","items":[{"dish_id":"` + dish + `","quantity":` + strconv.Itoa(qty) + `}]}`
	}
	// The key uses every kind of character the document allows, so a narrower pattern fails.
	const key = "web:2026-11-25.k_1-A"
	w := do(t, "POST", "/orders", "c1", key, order("s1", "soup", 2))
	require.Equal(t, http.StatusCreated, w.Code, "%s", w.Body)
	var created struct{ ID string }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &created))
	// At a store whose kitchen is busy the order is placed, with the warning.
	w = do(t, "POST", "/orders", "c1", "k-slow", order("slow", "soup", 1))
	require.Equal(t, http.StatusCreated, w.Code, "%s", w.Body)
	assert.Contains(t, w.Body.String(), `"warnings":[{"code":"kitchen_busy",`)
	assert.Contains(t, w.Body.String(), `"wait_minutes":25}]`)
	for _, c := range []struct {
		method, path, customer, key, body string
		want                              int
	}{
		{"POST", "/orders", "c1", key, order("s1", "soup", 2), 200},
		{"POST", "/orders", "c1", key, order("s1", "soup", 3), 422},
		{"POST", "/orders", "c1", "k2", order("s1", "pizza", 1), 422},
		{"POST", "/orders", "c1", "k3", order("s1", "cake", 1), 409},
		{"POST", "/orders", "c1", "k4", order("busy", "soup", 1), 409},
		{"POST", "/orders", "c1", "k5", order("s1", "late", 1), 409},
		{"POST", "/orders", "c1", "k6", order("nowhere", "soup", 1), 404},
		{"POST", "/orders", "c1", "k7", order("s1", "soup", 21), 400},
		{"POST", "/orders", "c1", "", order("s1", "soup", 1), 400},
		{"POST", "/orders", "c1", "k8", `{"store_id":"s1","tip":1}`, 400},
		{"POST", "/orders", "c1", "k9", `{"store_id":"` + strings.Repeat("x", 70<<10) + `"}`, 413},
		{"POST", "/orders", "c1", "k10", order("down", "soup", 1), 503},
		{"GET", "/orders/" + created.ID, "c1", "", "", 200},
		{"GET", "/orders/" + created.ID, "c2", "", "", 404},
		{"GET", "/customers/c1/orders", "c1", "", "", 200},
		{"GET", "/customers/c1/orders", "c2", "", "", 404},
		{"GET", "/stores/s1/orders?date=2026-11-25", "", "", "", 200},
		{"GET", "/stores/s1/orders", "", "", "", 400},
		{"POST", "/orders/" + created.ID + "/cancel", "c1", "", "", 200},
		{"POST", "/orders/" + created.ID + "/cancel", "c1", "", "", 409},
		{"POST", "/orders/nope/cancel", "c1", "", "", 404},
	} {
		t.Run(c.method+" "+c.path+" "+c.key, func(t *testing.T) {
			w := do(t, c.method, c.path, c.customer, c.key, c.body)
			require.Equal(t, c.want, w.Code, "%s", w.Body)
		})
	}

	// The events the service wrote on the way are valid by the event contract.
	events := apidoc.LoadSchema(t, "../../internal/event/schema/order.json")
	require.Len(t, store.Published, 3, "created twice, and cancelled")
	for _, e := range store.Published {
		assert.NoError(t, events.Validate(t, e), "%+v", e)
	}
}

// openapiMenu has store s1 (soup, cake sold out, late: stock that expires at reservation), a store
// whose kitchen is busy, a busy store and a store whose menu cannot be read.
type openapiMenu struct{}

func (openapiMenu) StoreMenu(_ context.Context, store string) (ordering.StoreMenu, error) {
	m := ordering.StoreMenu{Dishes: map[string]ordering.Dish{"soup": {PriceCents: 450, Orderable: true}, "cake": {PriceCents: 300}, "late": {PriceCents: 100, Orderable: true}}}
	switch store {
	case "s1":
		return m, nil
	case "slow":
		m.Kitchen = ordering.Kitchen{Busy: true, WaitMinutes: 25}
		return m, nil
	case "busy":
		m.Busy = true
		return m, nil
	case "down":
		return ordering.StoreMenu{}, errors.New("menu unreachable")
	}
	return ordering.StoreMenu{}, ordering.ErrUnknownStore
}

type openapiInventory struct{}

func (openapiInventory) Reserve(_ context.Context, o ordering.Order) error {
	if o.Items[0].DishID == "late" {
		return ordering.ErrExpired
	}
	return nil
}

func (openapiInventory) Release(context.Context, ordering.Order) error { return nil }

func (openapiInventory) Confirm(context.Context, ordering.Order) error { return nil }

type openapiScheduler struct{}

func (openapiScheduler) ScheduleExpiries(context.Context, []ordering.Expiry) error { return nil }
