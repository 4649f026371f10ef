package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/order/httpapi"
	"github.com/canteen/canteen/services/order/ordering"
)

// emptyStore holds no order and counts every call, publishing included.
type emptyStore struct{ calls atomic.Int64 }

func (s *emptyStore) Order(context.Context, string) (ordering.Order, ordering.Token, error) {
	s.calls.Add(1)
	return ordering.Order{}, "", ordering.ErrNotFound
}

func (s *emptyStore) Orders(context.Context, []string) (map[string]ordering.Stored, error) {
	s.calls.Add(1)
	return nil, nil
}

func (s *emptyStore) SaveAll(context.Context, []ordering.Stored) error {
	s.calls.Add(1)
	return nil
}

func (s *emptyStore) Create(context.Context, ordering.Order) error {
	s.calls.Add(1)
	return nil
}

func (s *emptyStore) Save(context.Context, ordering.Order, ordering.Token) error {
	s.calls.Add(1)
	return nil
}

func (s *emptyStore) Lookup(context.Context, ordering.Order) (ordering.Order, ordering.Placement, error) {
	s.calls.Add(1)
	return ordering.Order{}, nil, ordering.ErrNotFound
}

func (s *emptyStore) CreateIndexed(context.Context, ordering.Order, ordering.Placement) error {
	s.calls.Add(1)
	return nil
}

func (s *emptyStore) Index(context.Context, ordering.Order) error {
	s.calls.Add(1)
	return nil
}

func (s *emptyStore) List(context.Context, ordering.Query) ([]ordering.Order, error) {
	s.calls.Add(1)
	return nil, nil
}

func (s *emptyStore) PublishOrder(context.Context, event.Order) error {
	s.calls.Add(1)
	return nil
}

func (s *emptyStore) PublishOrders(_ context.Context, evs []event.Order) []error {
	s.calls.Add(1)
	return make([]error, len(evs))
}

// peers answers as the menu and inventory would, with the errors it is given.
type peers struct{ menuErr, reserveErr error }

func (p peers) StoreMenu(context.Context, string) (ordering.StoreMenu, error) {
	return ordering.StoreMenu{Dishes: map[string]ordering.Dish{"rice": {PriceCents: 500, Orderable: true}}}, p.menuErr
}

func (p peers) Reserve(context.Context, ordering.Order) error { return p.reserveErr }

func (p peers) Release(context.Context, ordering.Order) error { return nil }

func (p peers) Confirm(context.Context, ordering.Order) error { return nil }

func (p peers) ScheduleExpiries(context.Context, []ordering.Expiry) error { return nil }

func newAPI(store *emptyStore, p peers) *gin.Engine {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := httpserver.NewEngine("order", quiet)
	deps := ordering.Deps{Repository: store, Publisher: store, Menu: p, Inventory: p, Scheduler: p, Log: quiet}
	httpapi.Register(r, ordering.NewService(deps, time.Minute), quiet)
	return r
}

func send(t *testing.T, r *gin.Engine, method, path, customer, body string) (*httptest.ResponseRecorder, apierr.Body) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-Customer-Id", customer)
	req.Header.Set("Idempotency-Key", "k1")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	var out apierr.Body
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	return w, out
}

func TestMalformedPathIDsAre400NamingTheParameterBeforeAnyStateCall(t *testing.T) {
	store := &emptyStore{}
	r := newAPI(store, peers{})
	long := strings.Repeat("a", 65)
	cases := []struct {
		name, method, path, customer, field string
	}{
		{"get, pipes", http.MethodGet, "/orders/a||b", "c1", "id"},
		{"get, 65 characters", http.MethodGet, "/orders/" + long, "c1", "id"},
		{"cancel, space", http.MethodPost, "/orders/%20/cancel", "c1", "id"},
		{"customer's orders, claimed by the caller too", http.MethodGet, "/customers/a||b/orders", "a||b", "customer"},
		{"store's orders, dot", http.MethodGet, "/stores/a.b/orders?date=2026-11-25", "c1", "store"},
		{"store's orders, no date", http.MethodGet, "/stores/s1/orders", "c1", "date"},
		{"store's orders, a day that does not exist", http.MethodGet, "/stores/s1/orders?date=2026-13-45", "c1", "date"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, body := send(t, r, tc.method, tc.path, tc.customer, "")
			assert.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			assert.Equal(t, apierr.CodeInvalid, body.Error.Code)
			assert.Equal(t, tc.field, body.Error.Field)
			assert.NotEmpty(t, body.Error.Message)
		})
	}
	assert.Zero(t, store.calls.Load(), "no state call")
}

// Statuses follow the error's type, whatever its message says.
func TestCheckoutRefusalsAreMappedByType(t *testing.T) {
	order := `{"store_id":"s1","period":"2026-11-25.lunch","items":[{"dish_id":"rice","quantity":1}]}`
	cases := []struct {
		name          string
		p             peers
		body          string
		status        int
		code, field   string
		retryAfterSet bool
	}{
		{"unknown store", peers{menuErr: ordering.ErrUnknownStore}, order, 404, apierr.CodeNotFound, "store_id", false},
		{"dish not on the menu", peers{}, strings.Replace(order, "rice", "caviar", 1), 422, apierr.CodeInvalid, "items[0].dish_id", false},
		{"same key, other lines, seen by inventory", peers{reserveErr: ordering.ErrKeyReused}, order, 422, httpapi.CodeKeyReused, "Idempotency-Key", false},
		{"menu down", peers{menuErr: errors.New("is not on this store's menu")}, order, 503, apierr.CodeUnavailable, "", true},
		{"inventory down", peers{reserveErr: errors.New("store_id")}, order, 503, apierr.CodeUnavailable, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, body := send(t, newAPI(&emptyStore{}, tc.p), http.MethodPost, "/orders", "c1", tc.body)
			assert.Equal(t, tc.status, w.Code, w.Body.String())
			assert.Equal(t, tc.code, body.Error.Code)
			assert.Equal(t, tc.field, body.Error.Field)
			assert.Equal(t, tc.retryAfterSet, w.Header().Get("Retry-After") != "")
		})
	}
}
