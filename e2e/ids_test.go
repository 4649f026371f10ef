package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ids that no service issues. daprd refuses some of them as state keys ("||"), so a service that
// passed them on answered 503 for what is the client's mistake; each must be a 400 naming the path
// parameter, answered before any state call.
var malformedIDs = []struct{ name, segment string }{
	{"pipes", "a||b"},
	{"65 characters", strings.Repeat("a", 65)},
	{"space", "%20"},
	{"dot", "a.b"},
}

func TestMalformedPathIdsGet400NamingTheParameterAndWriteNothing(t *testing.T) {
	storeID, dishID := saleStore(t, 10, 1)
	customer := "student-" + uuid.NewString()[:8]
	r, err := checkout(customer, uuid.NewString(), orderBody(storeID, dishID, 2))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	o := decode[order](t, r)
	menuBefore := call(t, http.MethodGet, menuURL("stores/"+storeID+"/menu"), nil)
	require.Equal(t, http.StatusOK, menuBefore.Status)

	storeBody := map[string]any{"name": "Renamed", "zone": "z", "version": 1}
	dishBody := map[string]any{"name": "Renamed", "category": "c", "price_cents": 1, "version": 1}
	items := map[string]any{"items": []map[string]any{{"store_id": storeID, "dish_id": dishID, "period": period, "quantity": 2}}}
	routes := []struct {
		app, method string
		path        func(id string) string
		field       string
		body        any
	}{
		{"menu", http.MethodGet, func(id string) string { return "stores/" + id }, "store", nil},
		{"menu", http.MethodPut, func(id string) string { return "stores/" + id }, "store", storeBody},
		{"menu", http.MethodGet, func(id string) string { return "stores/" + id + "/menu" }, "store", nil},
		{"menu", http.MethodPost, func(id string) string { return "stores/" + id + "/dishes" }, "store", dishBody},
		{"menu", http.MethodGet, func(id string) string { return "stores/" + id + "/dishes/" + dishID }, "store", nil},
		{"menu", http.MethodGet, func(id string) string { return "stores/" + storeID + "/dishes/" + id }, "dish", nil},
		{"menu", http.MethodPut, func(id string) string { return "stores/" + id + "/dishes/" + dishID }, "store", dishBody},
		{"menu", http.MethodPut, func(id string) string { return "stores/" + storeID + "/dishes/" + id }, "dish", dishBody},
		{"inventory", http.MethodGet, func(id string) string { return "stock/" + id + "/" + dishID + "/" + period }, "store", nil},
		{"inventory", http.MethodGet, func(id string) string { return "stock/" + storeID + "/" + id + "/" + period }, "dish", nil},
		{"inventory", http.MethodGet, func(id string) string { return "stock/" + storeID + "/" + dishID + "/" + id }, "period", nil},
		{"inventory", http.MethodPost, func(id string) string { return "reservations/" + id + "/release" }, "order", items},
		{"inventory", http.MethodPost, func(id string) string { return "reservations/" + id + "/confirm" }, "order", nil},
		{"order", http.MethodGet, func(id string) string { return "orders/" + id }, "id", nil},
		{"order", http.MethodPost, func(id string) string { return "orders/" + id + "/cancel" }, "id", nil},
		{"order", http.MethodGet, func(id string) string { return "customers/" + id + "/orders" }, "customer", nil},
		{"order", http.MethodGet, func(id string) string { return "stores/" + id + "/orders?date=2026-11-25" }, "store", nil},
	}
	for _, rt := range routes {
		for _, id := range malformedIDs {
			path := rt.path(id.segment)
			t.Run(rt.app+" "+rt.method+" "+rt.path("{"+rt.field+"}")+" "+id.name, func(t *testing.T) {
				// The customer route compares its id with the caller's; the caller claims the bad id too,
				// so that only the id's shape can refuse the request.
				as, err := url.PathUnescape(id.segment)
				require.NoError(t, err)
				if rt.field != "customer" {
					as = customer
				}
				r, err := tryCallWith(rt.method, platform.App(rt.app).URL(path), rt.body, map[string]string{"X-Customer-Id": as})
				require.NoError(t, err)
				assert.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
				e := decode[apiError](t, r)
				assert.Equal(t, "invalid_argument", e.Error.Code)
				assert.Equal(t, rt.field, e.Error.Field)
				assert.NotEmpty(t, e.Error.Message)
			})
		}
	}
	for _, date := range []string{"2026-13-45", "a%7C%7Cb", "26-11-25"} {
		r, err := tryCallWith(http.MethodGet, orderURL("stores/"+storeID+"/orders?date="+date), nil, nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, r.Status, "date %s: %s", date, r.Body)
		assert.Equal(t, "date", decode[apiError](t, r).Error.Field, date)
	}

	// Nothing was written: the menu, the stock and the order are as they were.
	assert.JSONEq(t, string(menuBefore.Body), string(call(t, http.MethodGet, menuURL("stores/"+storeID+"/menu"), nil).Body))
	v := readStock(t, storeID, dishID)
	assert.EqualValues(t, 8, v.Available)
	assert.EqualValues(t, 0, v.Sold)
	require.Len(t, v.Holds, 1)
	assert.Equal(t, o.ID, v.Holds[0].OrderID)
	r, err = tryCallWith(http.MethodGet, orderURL("orders/"+o.ID), nil, map[string]string{"X-Customer-Id": customer})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Equal(t, "pending_payment", decode[order](t, r).Status)
}
