package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/inventory/stock"
)

// brokenRepo is a store that is down, or so contended that every write conflicts.
type brokenRepo struct {
	stock.Repository
	err error
}

func (b brokenRepo) Buckets(context.Context, stock.Item, int) ([]stock.Bucket, []stock.Token, error) {
	return nil, nil, b.err
}

func (b brokenRepo) Reservation(context.Context, string) (stock.Reservation, stock.Token, error) {
	return stock.Reservation{}, "", b.err
}

func (b brokenRepo) Prepare(context.Context, string, []stock.Item, []int) (stock.Prepared, error) {
	return stock.Prepared{}, b.err
}

func TestStoreFaultsAre503WithRetryAfter(t *testing.T) {
	for _, err := range []error{errors.New("sidecar unavailable"), occ.ErrExhausted, stock.ErrIncomplete} {
		a := newAPI(t, brokenRepo{err: err})
		reserve := map[string]any{"order_id": "o1", "items": []any{item("rice", 1)}}
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{http.MethodPost, "/reservations", reserve},
			{http.MethodGet, "/stock/s1/rice/" + period, nil},
			{http.MethodPost, "/reservations/o1/confirm", nil},
			{http.MethodPost, "/reservations/o1/release", map[string]any{"items": reserve["items"]}},
		} {
			status, body, h := a.do(req.method, req.path, req.body)
			assert.Equal(t, http.StatusServiceUnavailable, status, "%s %s: %v", req.method, req.path, body)
			assert.Equal(t, "1", h.Get("Retry-After"))
			code, _, _ := errorOf(body)
			assert.Equal(t, apierr.CodeUnavailable, code)
		}
	}
}
