package sidecar_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/invoke"
	"github.com/canteen/canteen/services/order/ordering"
	"github.com/canteen/canteen/services/order/sidecar"
)

// fakeSidecar answers every call with status and body, and records the last request.
type fakeSidecar struct {
	calls      atomic.Int64
	path, body string
}

func (f *fakeSidecar) peers(t *testing.T, status int, body string) *sidecar.Peers {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		raw, _ := io.ReadAll(r.Body)
		f.path, f.body = r.URL.Path, string(raw)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return &sidecar.Peers{Client: invoke.New(srv.URL, &http.Client{Timeout: 5 * time.Second}), MenuApp: "menu", InventoryApp: "inventory"}
}

var twoDishes = ordering.Order{ID: "o1", StoreID: "s1", Period: "2026-11-25.lunch", Items: []ordering.Item{{DishID: "rice", Quantity: 2}, {DishID: "soup", Quantity: 1}}}

func refusal(code, field string) string {
	return `{"error":{"code":"` + code + `","field":"` + field + `","message":"whatever the text says"}}`
}

func TestReserveSendsTheContractAndMapsInventorysCodes(t *testing.T) {
	var soldOut *ordering.SoldOutError
	cases := []struct {
		name   string
		status int
		body   string
		check  func(t *testing.T, err error)
	}{
		{"reserved", 201, `{"order_id":"o1","status":"reserved"}`, func(t *testing.T, err error) { assert.NoError(t, err) }},
		{"reserved earlier and paid since", 201, `{"order_id":"o1","status":"confirmed"}`, func(t *testing.T, err error) { assert.NoError(t, err) }},
		// something other than inventory answering on its app's port (e.g. while it restarts)
		{"a 2xx that is no answer", 200, `{}`, func(t *testing.T, err error) {
			require.Error(t, err)
			assert.NotErrorAs(t, err, &soldOut)
		}},
		{"a 2xx about another order", 201, `{"order_id":"o2","status":"reserved"}`, func(t *testing.T, err error) { assert.Error(t, err) }},
		{"a 2xx that is not JSON", 200, `ok`, func(t *testing.T, err error) { assert.Error(t, err) }},
		{"sold out, second line", 409, refusal("sold_out", "items[1]"), func(t *testing.T, err error) {
			require.ErrorAs(t, err, &soldOut)
			assert.Equal(t, "soup", soldOut.DishID)
		}},
		{"never stocked, first line", 404, refusal("unknown_stock", "items[0]"), func(t *testing.T, err error) {
			require.ErrorAs(t, err, &soldOut)
			assert.Equal(t, "rice", soldOut.DishID)
		}},
		{"sold out, line out of range", 409, refusal("sold_out", "items[7]"), func(t *testing.T, err error) {
			require.ErrorAs(t, err, &soldOut)
			assert.Empty(t, soldOut.DishID)
		}},
		{"released", 409, refusal("released", ""), func(t *testing.T, err error) { assert.ErrorIs(t, err, ordering.ErrExpired) }},
		{"other lines for this order id", 409, refusal("reservation_mismatch", "items"), func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ordering.ErrKeyReused)
		}},
		{"inventory unavailable", 503, refusal("unavailable", ""), func(t *testing.T, err error) {
			var e *invoke.Error
			require.ErrorAs(t, err, &e, "an error to retry later, with what inventory said")
			assert.Equal(t, 503, e.Status)
			assert.NotErrorAs(t, err, &soldOut)
		}},
		{"a code order does not know, with a known status", 409, refusal("something_new", ""), func(t *testing.T, err error) {
			assert.NotErrorAs(t, err, &soldOut, "mapped by code, not by status")
			assert.NotErrorIs(t, err, ordering.ErrExpired)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var f fakeSidecar
			err := f.peers(t, tc.status, tc.body).Reserve(context.Background(), twoDishes)
			tc.check(t, err)
			assert.EqualValues(t, 1, f.calls.Load())
			assert.Equal(t, "/v1.0/invoke/inventory/method/reservations", f.path)
			assert.JSONEq(t, `{"order_id":"o1","items":[
				{"store_id":"s1","dish_id":"rice","period":"2026-11-25.lunch","quantity":2},
				{"store_id":"s1","dish_id":"soup","period":"2026-11-25.lunch","quantity":1}]}`, f.body)
		})
	}
}

func TestReleaseTellsASaleFromAFault(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   string // "ok", "sold" or "fault"
	}{
		{"released", 200, `{"order_id":"o1","status":"released"}`, "ok"},
		{"already sold", 409, refusal("confirmed", ""), "sold"},
		{"inventory unavailable", 503, refusal("unavailable", ""), "fault"},
		{"daprd cannot reach inventory", 500, `{"errorCode":"ERR_DIRECT_INVOKE","message":"fail to invoke"}`, "fault"},
		{"a conflict of another kind", 409, refusal("released", ""), "fault"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var f fakeSidecar
			err := f.peers(t, tc.status, tc.body).Release(context.Background(), twoDishes)
			switch tc.want {
			case "ok":
				assert.NoError(t, err)
			case "sold":
				assert.ErrorIs(t, err, ordering.ErrStockSold)
			default:
				require.Error(t, err)
				assert.NotErrorIs(t, err, ordering.ErrStockSold)
			}
			assert.Equal(t, "/v1.0/invoke/inventory/method/reservations/o1/release", f.path)
			assert.JSONEq(t, `{"items":[
				{"store_id":"s1","dish_id":"rice","period":"2026-11-25.lunch","quantity":2},
				{"store_id":"s1","dish_id":"soup","period":"2026-11-25.lunch","quantity":1}]}`, f.body)
		})
	}
}

func TestStoreMenuMapsAnUnknownStoreByCode(t *testing.T) {
	var f fakeSidecar
	_, err := f.peers(t, 404, `{"error":{"code":"not_found","message":"no such store or dish"}}`).StoreMenu(context.Background(), "s1")
	assert.ErrorIs(t, err, ordering.ErrUnknownStore)
	assert.Equal(t, "/v1.0/invoke/menu/method/stores/s1/menu", f.path)

	// daprd's own 404 (no route to the app) is not the menu saying the store does not exist.
	_, err = f.peers(t, 404, `{"errorCode":"ERR_DIRECT_INVOKE","message":"no route"}`).StoreMenu(context.Background(), "s1")
	require.Error(t, err)
	assert.False(t, errors.Is(err, ordering.ErrUnknownStore))

	m, err := f.peers(t, 200, `{"store":{"busy":true},"categories":[{"name":"Rice","dishes":[
		{"id":"rice","price_cents":500,"orderable":true},{"id":"congee","price_cents":300,"orderable":false}]}]}`).StoreMenu(context.Background(), "s1")
	require.NoError(t, err)
	assert.Equal(t, ordering.StoreMenu{Busy: true, Dishes: map[string]ordering.Dish{"rice": {PriceCents: 500, Orderable: true}, "congee": {PriceCents: 300}}}, m)

	m, err = f.peers(t, 200, `{"store":{"busy":false,"kitchen":{"busy":true,"wait_minutes":25,"as_of":"2026-11-25T11:30:00Z"}},"categories":[]}`).StoreMenu(context.Background(), "s1")
	require.NoError(t, err)
	assert.Equal(t, ordering.StoreMenu{Dishes: map[string]ordering.Dish{}, Kitchen: ordering.Kitchen{Busy: true, WaitMinutes: 25}}, m,
		"the kitchen's load comes with the same answer")
}
