package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// countingRepo counts every call to the store, reads included.
type countingRepo struct {
	stock.Repository
	calls atomic.Int64
}

func (r *countingRepo) Buckets(ctx context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	r.calls.Add(1)
	return r.Repository.Buckets(ctx, it, n)
}

func (r *countingRepo) PutBucket(ctx context.Context, it stock.Item, i int, b stock.Bucket, t stock.Token) error {
	r.calls.Add(1)
	return r.Repository.PutBucket(ctx, it, i, b, t)
}

func (r *countingRepo) Reservation(ctx context.Context, id string) (stock.Reservation, stock.Token, error) {
	r.calls.Add(1)
	return r.Repository.Reservation(ctx, id)
}

func (r *countingRepo) CreateReservation(ctx context.Context, res stock.Reservation) error {
	r.calls.Add(1)
	return r.Repository.CreateReservation(ctx, res)
}

func (r *countingRepo) PutReservation(ctx context.Context, res stock.Reservation, t stock.Token) error {
	r.calls.Add(1)
	return r.Repository.PutReservation(ctx, res, t)
}

func TestMalformedPathIDsAre400NamingTheParameterBeforeAnyStateCall(t *testing.T) {
	repo := &countingRepo{Repository: stocktest.NewMemory()}
	a := newAPI(t, repo)
	a.restock("rice", 10, 1)
	items := map[string]any{"items": []any{item("rice", 1)}}
	long := strings.Repeat("a", 65)
	cases := []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"store with pipes", http.MethodGet, "/stock/a||b/rice/" + period, nil, "store"},
		{"dish of 65 characters", http.MethodGet, "/stock/s1/" + long + "/" + period, nil, "dish"},
		{"period without a meal", http.MethodGet, "/stock/s1/rice/2026-11-25", nil, "period"},
		{"period with pipes", http.MethodGet, "/stock/s1/rice/a||b", nil, "period"},
		{"release, order with a space", http.MethodPost, "/reservations/%20/release", items, "order"},
		{"release, order of 65 characters", http.MethodPost, "/reservations/" + long + "/release", items, "order"},
		{"release, order with pipes and a malformed body", http.MethodPost, "/reservations/a||b/release", `{"items":`, "order"},
		{"confirm, order with pipes", http.MethodPost, "/reservations/a||b/confirm", nil, "order"},
		{"confirm, order with a dot", http.MethodPost, "/reservations/a.b/confirm", nil, "order"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := repo.calls.Load()
			status, body, _ := a.do(tc.method, tc.path, tc.body)
			assert.Equal(t, http.StatusBadRequest, status, "%v", body)
			code, field, msg := errorOf(body)
			assert.Equal(t, apierr.CodeInvalid, code)
			assert.Equal(t, tc.field, field)
			assert.NotEmpty(t, msg)
			assert.Equal(t, before, repo.calls.Load(), "no state call")
		})
	}
}
