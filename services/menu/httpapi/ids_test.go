package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/menu/catalog"
	"github.com/canteen/canteen/services/menu/catalog/catalogtest"
	"github.com/canteen/canteen/services/menu/httpapi"
)

// countingRepo counts every call to the store, reads included.
type countingRepo struct {
	catalog.Repository
	calls atomic.Int64
}

func (r *countingRepo) Store(ctx context.Context, id string) (catalog.Store, catalog.Token, error) {
	r.calls.Add(1)
	return r.Repository.Store(ctx, id)
}

func (r *countingRepo) PutStore(ctx context.Context, s catalog.Store, t catalog.Token) error {
	r.calls.Add(1)
	return r.Repository.PutStore(ctx, s, t)
}

func (r *countingRepo) Dish(ctx context.Context, storeID, id string) (catalog.Dish, catalog.Token, error) {
	r.calls.Add(1)
	return r.Repository.Dish(ctx, storeID, id)
}

func (r *countingRepo) PutDish(ctx context.Context, d catalog.Dish, t catalog.Token) error {
	r.calls.Add(1)
	return r.Repository.PutDish(ctx, d, t)
}

func (r *countingRepo) Dishes(ctx context.Context, storeID string, ids []string) ([]catalog.Dish, error) {
	r.calls.Add(1)
	return r.Repository.Dishes(ctx, storeID, ids)
}

func TestMalformedPathIDsAre400NamingTheParameterBeforeAnyStateCall(t *testing.T) {
	repo := &countingRepo{Repository: catalogtest.NewMemory()}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := httpserver.NewEngine("menu", quiet)
	// The menu cache is off, so that a lookup that got through would show as a state call.
	httpapi.Register(r, catalog.NewService(repo, func() string { return "new-id" }, 0), quiet)
	store := `{"name":"n","zone":"z","version":1}`
	dish := `{"name":"n","category":"c","price_cents":1,"version":1}`
	long := strings.Repeat("a", 65)
	cases := []struct {
		name, method, path, body, field string
	}{
		{"get store, pipes", http.MethodGet, "/stores/a||b", "", "store"},
		{"update store, 65 characters", http.MethodPut, "/stores/" + long, store, "store"},
		{"menu, space", http.MethodGet, "/stores/%20/menu", "", "store"},
		{"create dish, dot", http.MethodPost, "/stores/a.b/dishes", dish, "store"},
		{"get dish, store with pipes", http.MethodGet, "/stores/a||b/dishes/d1", "", "store"},
		{"get dish, dish with pipes", http.MethodGet, "/stores/s1/dishes/a||b", "", "dish"},
		{"update dish, dish of 65 characters", http.MethodPut, "/stores/s1/dishes/" + long, dish, "dish"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body)))
			assert.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			var body apierr.Body
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
			assert.Equal(t, apierr.CodeInvalid, body.Error.Code)
			assert.Equal(t, tc.field, body.Error.Field)
			assert.NotEmpty(t, body.Error.Message)
		})
	}
	assert.Zero(t, repo.calls.Load(), "no state call")
}
